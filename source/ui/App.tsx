/**
 * The watch UI root: reads the live store with useSyncExternalStore, owns the one useInput, and
 * lays the screen out from the terminal size (one pure function). Presentational children get
 * widths and heights as props.
 */
import {Box, useApp, useInput, useStdin, type Key} from 'ink';
import React, {useCallback, useEffect, useMemo, useReducer, useRef, useState, useSyncExternalStore} from 'react';
import type {LiveStore} from '../core/snapshot.js';
import {headerInfo} from './view/watch-header.js';
import {watchLayout} from './view/watch-layout.js';
import {buildWatchModel, flagSubject, SORT_TITLE} from './view/watch-model.js';
import {orderRows, type OrderMemo} from './view/watch-order.js';
import {formatRate, sparkSeries} from './view/watch-rates.js';
import {FlagsStrip} from './FlagsStrip.js';
import {Header} from './Header.js';
import {HelpOverlay} from './HelpOverlay.js';
import {KeyHelp} from './KeyHelp.js';
import {Sparkline} from './Sparkline.js';
import {initialUiState, levelKey, reduce, selectedIndex, type KeyInfo, type UiState} from './state.js';
import {Table} from './Table.js';
import {useTerminalSize, type TerminalSize} from './use-terminal-size.js';

export interface AppProps {
	store: LiveStore;
	/** Fixed size (tests); otherwise the terminal's. */
	size?: TerminalSize;
	/** Wall clock; ages and recent rates move with it even when no data arrives. */
	clock?: () => number;
	/** How often the clock ticks, ms (0: never). */
	tickMs?: number;
	initialState?: Partial<UiState>;
}

function keyInfo(key: Key): KeyInfo {
	return {
		upArrow: key.upArrow,
		downArrow: key.downArrow,
		leftArrow: key.leftArrow,
		rightArrow: key.rightArrow,
		pageUp: key.pageUp,
		pageDown: key.pageDown,
		home: key.home,
		end: key.end,
		return: key.return,
		escape: key.escape,
		tab: key.tab,
		shift: key.shift,
		backspace: key.backspace,
		delete: key.delete,
		ctrl: key.ctrl,
		meta: key.meta,
	};
}

export function App({store, size, clock = Date.now, tickMs = 1000, initialState}: AppProps) {
	const {exit} = useApp();
	const {isRawModeSupported} = useStdin();
	const subscribe = useCallback((listener: () => void) => store.subscribe(listener), [store]);
	const getSnapshot = useCallback(() => store.getSnapshot(), [store]);
	const live = useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
	const terminal = useTerminalSize();
	const {columns, rows} = size ?? terminal;
	const [state, dispatch] = useReducer(reduce, {...initialUiState, ...initialState});
	const [wall, setWall] = useState(clock);
	useEffect(() => {
		if (tickMs <= 0) return;
		const timer = setInterval(() => setWall(clock()), tickMs);
		return () => clearInterval(timer);
	}, [clock, tickMs]);
	useEffect(() => {
		if (state.quit) exit();
	}, [state.quit, exit]);

	const snapshot = state.frozen ?? live;
	// Paused: the clock stops too, so the frozen numbers stay consistent.
	const now = state.frozen ? snapshot.now : Math.max(snapshot.now, wall);
	const model = useMemo(
		() => buildWatchModel(snapshot, {view: state.view, path: state.path, filter: state.filter, now}),
		[snapshot, state.view, state.path, state.filter, now],
	);
	const layout = watchLayout({columns, rows, level: model.level, nameHeader: model.nameHeader, unit: model.unit, flagCount: snapshot.flags.length});
	const memo = useRef<OrderMemo | null>(null);
	const ordered = useMemo(() => {
		const result = orderRows(model.rows, state.sort, memo.current, `${levelKey(state)}|${state.sort}|${state.filter}`, now);
		memo.current = result.memo;
		return result.rows;
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [model, state.sort]);
	const selected = selectedIndex(state, ordered);
	// Pin the first row shown as the selection, so a re-sort never moves the highlight to another item.
	const selectedId = ordered[selected]?.id;
	const pinned = state.selection[levelKey(state)];
	useEffect(() => {
		if (selectedId !== undefined && pinned === undefined) dispatch({type: 'select', id: selectedId});
	}, [selectedId, pinned]);

	// The key handler reads the rows on screen from a ref, never UI state from a closure.
	const onScreen = useRef({rows: ordered, page: layout.tableRows});
	onScreen.current = {rows: ordered, page: Math.max(1, layout.tableRows - 1)};
	useInput(
		(input, key) => {
			const {rows: shown, page} = onScreen.current;
			dispatch({type: 'key', input, key: keyInfo(key), rows: shown.map((r) => ({id: r.id, drill: r.drill})), page, snapshot: store.getSnapshot()});
		},
		{isActive: Boolean(isRawModeSupported)},
	);

	const subjects = useMemo(() => new Map(snapshot.flags.map((f) => [f.id, flagSubject(f, snapshot.doc)])), [snapshot]);
	const info = headerInfo(snapshot, now, model.crumbs, state.frozen !== null);
	const sparkLabel = model.priced ? '$/min' : 'tok/min';
	const labelRoom = sparkLabel.length + 1 + 12;
	const sparkWidth = Math.max(0, Math.min(layout.width - labelRoom, 24 * 60));
	const series = useMemo(() => sparkSeries(snapshot, now, sparkWidth, model.priced), [snapshot, now, sparkWidth, model.priced]);
	const peak = series.reduce((m, v) => (v > m ? v : m), 0);
	const sparkSuffix = `${sparkWidth}m ↑${formatRate(peak, model.priced)}`;
	const emptyText = !snapshot.ready
		? 'reading…'
		: model.total === 0
			? model.level === 'list'
				? 'no usage yet; watching for new records'
				: 'nothing here yet'
			: 'no rows match the filter';

	return (
		<Box flexDirection="column" width={layout.width}>
			<Header info={info} width={layout.width} lines={layout.headerLines} />
			<Sparkline values={series} label={sparkLabel} suffix={sparkSuffix} height={layout.sparkLines} width={layout.width} />
			{state.help ? (
				<HelpOverlay width={layout.width} height={layout.tableHeader + layout.tableRows} />
			) : (
				<Table
					columns={layout.columns}
					rows={ordered}
					selectedIndex={selected}
					maxRows={layout.tableRows}
					showHeader={layout.tableHeader > 0}
					empty={emptyText}
				/>
			)}
			<FlagsStrip flags={snapshot.flags} subjects={subjects} width={layout.width} lines={layout.flagLines} />
			{layout.keyHelpLines > 0 && (
				<KeyHelp
					width={layout.width}
					editingFilter={state.editingFilter}
					filter={state.filter}
					drilled={state.path.length > 0}
					sortTitle={SORT_TITLE[state.sort]}
					filtered={state.filter !== '' ? {shown: model.rows.length, total: model.total} : null}
				/>
			)}
		</Box>
	);
}
