/**
 * The watch UI root: reads the live store with useSyncExternalStore, owns the one useInput, and
 * lays the screen out from the terminal size (one pure function). Presentational children get
 * widths and heights as props.
 */
import {Box, useApp, useInput, useStdin, type Key} from 'ink';
import React, {useCallback, useEffect, useMemo, useReducer, useRef, useState, useSyncExternalStore} from 'react';
import type {LiveStore} from '../core/snapshot.js';
import {docRunLabels} from '../core/run-id.js';
import {flagsViewLines} from './view/flag-text.js';
import {detailLines} from './view/item-detail.js';
import {chartBars} from './view/spend-chart.js';
import {sparkScale} from './view/sparkline.js';
import {OPTIONAL_COLUMNS, sortColumn} from './view/watch-columns.js';
import {headerInfo} from './view/watch-header.js';
import {watchLayout} from './view/watch-layout.js';
import {buildWatchModel, flagSubject} from './view/watch-model.js';
import {orderRows, type OrderMemo} from './view/watch-order.js';
import {formatRate, seriesStart, sparkSeries} from './view/watch-rates.js';
import {FlagsStrip} from './FlagsStrip.js';
import {Header} from './Header.js';
import {helpLines} from './HelpOverlay.js';
import {SpendChart} from './SpendChart.js';
import {TextPanel} from './TextPanel.js';
import {KeyHelp} from './KeyHelp.js';
import {Sparkline} from './Sparkline.js';
import {detailFrom, initialUiState, levelKey, reduce, selectedIndex, type KeyInfo, type UiState} from './state.js';
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
	// Optional columns with nothing to say in any row (every cell `—`) give their room to the others.
	const emptyColumns = useMemo(() => {
		const out = new Set<string>();
		if (model.rows.length === 0) return out;
		for (const id of OPTIONAL_COLUMNS) if (model.rows.every((r) => (r.cells[id] ?? '—') === '—')) out.add(id);
		return out;
	}, [model]);
	const layout = watchLayout({columns, rows, level: model.level, nameHeader: model.nameHeader, unit: model.unit, flagCount: snapshot.flags.length, rowCount: model.rows.length, emptyColumns});
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

	const subjects = useMemo(() => {
		const labels = docRunLabels(snapshot.doc.byRun);
		return new Map(snapshot.flags.map((f) => [f.id, flagSubject(f, snapshot.doc, labels)]));
	}, [snapshot]);
	// An overlay (help, flags) takes the table's place and the detail's below it.
	const overlayHeight = layout.tableHeader + layout.tableRows + layout.flagsPanelLines + (layout.detail?.placement === 'below' ? layout.detail.lines + 1 : 0);
	const overlay = state.help ? 'help' : state.flagsOpen ? 'flags' : null;
	const overlayText = useMemo(
		() => (overlay === 'help' ? helpLines(layout.width) : overlay === 'flags' ? flagsViewLines(snapshot.flags, subjects, layout.width) : []),
		[overlay, layout.width, snapshot.flags, subjects],
	);
	const panelFlags = useMemo(
		() => (layout.flagsPanelLines > 0 ? flagsViewLines(snapshot.flags, subjects, layout.tableWidth) : []),
		[layout.flagsPanelLines, layout.tableWidth, snapshot.flags, subjects],
	);

	const detail = layout.detail;
	const detailText = useMemo(
		() => (detail ? detailLines(snapshot, {view: state.view, path: state.path, selectedId, now, subjects}, detail.width - (detail.placement === 'beside' ? 2 : 0)) : []),
		[detail, snapshot, state.view, state.path, selectedId, now, subjects],
	);
	// The detail panel's height, title line included (beside: as tall as the table and flags panel).
	const detailHeight = detail ? (detail.placement === 'beside' ? layout.tableHeader + layout.tableRows + layout.flagsPanelLines : detail.lines + 1) : 0;
	const detailPage = Math.max(1, detailHeight - 1);
	const detailMore = detail !== null && detailText.length > detailPage;

	// The key handler reads the rows on screen from a ref, never UI state from a closure.
	const onScreen = useRef({rows: ordered, page: layout.tableRows, overlayLines: 0, overlayPage: 1, detail: undefined as {lines: number; page: number} | undefined});
	onScreen.current = {
		rows: ordered,
		page: Math.max(1, layout.tableRows - 1),
		overlayLines: overlayText.length,
		overlayPage: Math.max(1, overlayHeight - 1),
		detail: detail ? {lines: detailText.length, page: detailPage} : undefined,
	};
	useInput(
		(input, key) => {
			const {rows: shown, page, overlayLines, overlayPage, detail: detailShown} = onScreen.current;
			const open = overlayLines > 0;
			dispatch({
				type: 'key',
				input,
				key: keyInfo(key),
				rows: shown.map((r) => ({id: r.id, drill: r.drill})),
				page: open ? overlayPage : page,
				snapshot: store.getSnapshot(),
				...(open ? {overlayLines} : {}),
				...(detailShown ? {detail: detailShown} : {}),
			});
		},
		{isActive: Boolean(isRawModeSupported)},
	);

	const info = headerInfo(snapshot, now, model.crumbs, state.frozen !== null);
	const sparkLabel = model.priced ? '$/min' : 'tok/min';
	const wideSpark = layout.width >= 100;
	const labelRoom = sparkLabel.length + 1 + (wideSpark ? 26 : 12);
	const sparkWidth = layout.chartLines > 0 ? chartBars(layout.width) : Math.max(0, Math.min(layout.width - labelRoom, 24 * 60));
	const series = useMemo(() => sparkSeries(snapshot, now, sparkWidth, model.priced), [snapshot, now, sparkWidth, model.priced]);
	const scale = sparkScale(series);
	const peak = formatRate(scale.peak, model.priced);
	// Empty until a record was read: "$0" would claim nothing was spent.
	const sparkSuffix = snapshot.doc.totals.records === 0 ? '—' : wideSpark ? `last ${sparkWidth}m · peak ${peak}${scale.clipped ? ' ▲' : ''}` : `${sparkWidth}m ↑${peak}`;
	const emptyText = !snapshot.ready
		? snapshot.progress && snapshot.progress.filesTotal > 0
			? `reading… ${snapshot.progress.filesDone} of ${snapshot.progress.filesTotal} files`
			: 'reading…'
		: model.total === 0
			? model.level === 'list'
				? 'no usage yet; watching for new records'
				: 'nothing here yet'
			: 'no rows match the filter';

	const table = (
		<Table
			columns={layout.columns}
			rows={ordered}
			selectedIndex={selected}
			maxRows={layout.tableRows}
			showHeader={layout.tableHeader > 0}
			empty={emptyText}
			sortColumn={sortColumn(state.sort, model.level) ?? undefined}
		/>
	);
	const detailTitle = `${selectedId === undefined ? 'detail' : 'selected'} · f: all flags`;
	const detailScroll = detailFrom(state, selectedId);
	let middle: React.ReactNode;
	if (overlay !== null) {
		middle = <TextPanel title={overlay === 'help' ? 'Help · Esc closes' : `Flags (${snapshot.flags.length}) · Esc closes`} lines={overlayText} scroll={state.scroll} width={layout.width} height={overlayHeight} />;
	} else if (detail?.placement === 'beside') {
		middle = (
			<Box flexDirection="row">
				<Box width={layout.tableWidth} marginRight={1} flexDirection="column">
					{table}
					{layout.flagsPanelLines > 0 && <TextPanel title={`flags (${snapshot.flags.length}), most severe first`} lines={panelFlags} width={layout.tableWidth} height={layout.flagsPanelLines} />}
				</Box>
				<TextPanel title={detailTitle} lines={detailText} scroll={detailScroll} width={detail.width} height={detailHeight} border />
			</Box>
		);
	} else if (detail?.placement === 'below') {
		middle = (
			<Box flexDirection="column">
				{table}
				<TextPanel title={detailTitle} lines={detailText} scroll={detailScroll} width={layout.width} height={detailHeight} />
			</Box>
		);
	} else middle = table;

	return (
		<Box flexDirection="column" width={layout.width}>
			<Header info={info} width={layout.width} lines={layout.headerLines} />
			{layout.chartLines > 0 ? (
				<SpendChart values={series} start={seriesStart(now, sparkWidth)} priced={model.priced} nothingRead={snapshot.doc.totals.records === 0} width={layout.width} height={layout.chartLines} />
			) : (
				<Sparkline values={series} label={sparkLabel} suffix={sparkSuffix} height={layout.sparkLines} width={layout.width} />
			)}
			{middle}
			<FlagsStrip flags={snapshot.flags} subjects={subjects} width={layout.width} lines={layout.flagLines} />
			{layout.keyHelpLines > 0 && (
				<KeyHelp
					width={layout.width}
					editingFilter={state.editingFilter}
					filter={state.filter}
					drilled={state.path.length > 0}
					paused={state.frozen !== null}
					flags={snapshot.flags.length > 0}
					detailMore={detailMore}
					overlay={overlay}
					filtered={state.filter !== '' ? {shown: model.rows.length, total: model.total} : null}
				/>
			)}
		</Box>
	);
}
