/**
 * The watch UI state and its reducer. Keys arrive as actions carrying what the reducer cannot
 * know on its own (the rows on screen, the live snapshot for pausing); every decision that
 * depends on state (is the filter being edited? is help open?) is made here, never in a
 * key handler's closure, so fast key presses are not lost.
 */
import type {LiveSnapshot} from '../core/snapshot.js';
import {SORTS, VIEWS, type DrillStep, type SortMode, type ViewName} from './view/watch-model.js';

export interface UiState {
	view: ViewName;
	path: DrillStep[];
	sort: SortMode;
	/** Selected item id per level (see levelKey), so going back lands on the item drilled into. */
	selection: Record<string, string>;
	filter: string;
	editingFilter: boolean;
	/** The snapshot shown while paused; ingest continues underneath. */
	frozen: LiveSnapshot | null;
	help: boolean;
	quit: boolean;
}

export const initialUiState: UiState = {
	view: 'issues',
	path: [],
	sort: 'recent',
	selection: {},
	filter: '',
	editingFilter: false,
	frozen: null,
	help: false,
	quit: false,
};

/** The key facts the reducer needs (a subset of Ink's Key). */
export interface KeyInfo {
	upArrow?: boolean;
	downArrow?: boolean;
	leftArrow?: boolean;
	rightArrow?: boolean;
	pageUp?: boolean;
	pageDown?: boolean;
	home?: boolean;
	end?: boolean;
	return?: boolean;
	escape?: boolean;
	tab?: boolean;
	shift?: boolean;
	backspace?: boolean;
	delete?: boolean;
	ctrl?: boolean;
	meta?: boolean;
}

export interface RowRef {
	id: string;
	drill: DrillStep | null;
}

export type UiAction =
	| {type: 'key'; input: string; key: KeyInfo; rows: readonly RowRef[]; page: number; snapshot: LiveSnapshot}
	| {type: 'view'; view: ViewName}
	| {type: 'select'; id: string};

export function levelKey(s: Pick<UiState, 'view' | 'path'>): string {
	return [s.view, ...s.path.map((p) => `${p.dim}:${p.id}`)].join('/');
}

/** The selected row index among `rows`: the remembered id, else the first row. */
export function selectedIndex(s: UiState, rows: readonly {id: string}[]): number {
	const id = s.selection[levelKey(s)];
	const i = id === undefined ? -1 : rows.findIndex((r) => r.id === id);
	return i === -1 ? 0 : i;
}

export function reduce(s: UiState, a: UiAction): UiState {
	switch (a.type) {
		case 'view':
			return {...s, view: a.view, path: [], filter: '', editingFilter: false};
		case 'select':
			return {...s, selection: {...s.selection, [levelKey(s)]: a.id}};
		case 'key':
			if (Array.from(a.input).length > 1 && !Object.values(a.key).some(Boolean)) {
				// Ink hands plain keys that arrive in one read as one string ("g\r"): replay them one by one.
				return Array.from(a.input).reduce((state, ch) => onKey(state, {...a, ...charKey(ch)}), s);
			}
			return onKey(s, a);
	}
}

function charKey(ch: string): {input: string; key: KeyInfo} {
	if (ch === '\r' || ch === '\n') return {input: '', key: {return: true}};
	if (ch === '\t') return {input: '', key: {tab: true}};
	if (ch === '\u007f' || ch === '\b') return {input: '', key: {backspace: true}};
	if (ch === '\u0003') return {input: 'c', key: {ctrl: true}};
	return {input: ch, key: {}};
}

function onKey(s: UiState, a: Extract<UiAction, {type: 'key'}>): UiState {
	const {input, key} = a;
	if (key.ctrl && input === 'c') return {...s, quit: true};
	if (s.editingFilter) return onFilterKey(s, a);
	if (s.help) {
		if (input === 'q') return {...s, quit: true};
		if (input === '?' || key.escape || key.return || input === 'h') return {...s, help: false};
		return s;
	}
	if (input === 'q') return {...s, quit: true};
	if (input === '?') return {...s, help: true};
	if (input === 'p') return s.frozen ? {...s, frozen: null} : {...s, frozen: a.snapshot};
	if (input === 's') return {...s, sort: SORTS[(SORTS.indexOf(s.sort) + 1) % SORTS.length]!};
	if (input === '/') return {...s, editingFilter: true};
	if (key.tab) {
		const step = key.shift ? VIEWS.length - 1 : 1;
		return reduce(s, {type: 'view', view: VIEWS[(VIEWS.indexOf(s.view) + step) % VIEWS.length]!});
	}
	if (input >= '1' && input <= '4' && input.length === 1) return reduce(s, {type: 'view', view: VIEWS[Number(input) - 1]!});
	if (key.escape || key.leftArrow || key.backspace || key.delete) {
		if (s.path.length > 0) return {...s, path: s.path.slice(0, -1), filter: ''};
		if (key.escape && s.filter !== '') return {...s, filter: ''};
		return s;
	}
	if (key.return || key.rightArrow) {
		const i = selectedIndex(s, a.rows);
		const row = a.rows[i];
		if (!row?.drill || s.path.length >= 2) return s;
		const withSel = {...s.selection, [levelKey(s)]: row.id};
		return {...s, selection: withSel, path: [...s.path, row.drill], filter: ''};
	}
	const move = moveDelta(input, key, a.page);
	if (move !== null && a.rows.length > 0) {
		const i = selectedIndex(s, a.rows);
		const next = Math.max(0, Math.min(a.rows.length - 1, move === 'first' ? 0 : move === 'last' ? a.rows.length - 1 : i + move));
		return {...s, selection: {...s.selection, [levelKey(s)]: a.rows[next]!.id}};
	}
	return s;
}

function moveDelta(input: string, key: KeyInfo, page: number): number | 'first' | 'last' | null {
	if (key.upArrow || input === 'k') return -1;
	if (key.downArrow || input === 'j') return 1;
	if (key.pageUp) return -Math.max(1, page);
	if (key.pageDown) return Math.max(1, page);
	if (key.home || input === 'g') return 'first';
	if (key.end || input === 'G') return 'last';
	return null;
}

function onFilterKey(s: UiState, a: Extract<UiAction, {type: 'key'}>): UiState {
	const {input, key} = a;
	if (key.escape) return {...s, editingFilter: false, filter: ''};
	if (key.return) return {...s, editingFilter: false};
	if (key.backspace || key.delete) return {...s, filter: Array.from(s.filter).slice(0, -1).join('')};
	if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow) return s;
	// Typed text only: drop control characters and escape remnants a paste could carry.
	const text = input.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
	return text === '' ? s : {...s, filter: (s.filter + text).slice(0, 64)};
}
