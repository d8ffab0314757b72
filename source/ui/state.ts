/**
 * The watch UI state and its reducer. Keys arrive as actions carrying what the reducer cannot
 * know on its own (the rows on screen, the live snapshot for pausing); every decision that
 * depends on state (is the filter being edited? is help open?) is made here, never in a
 * key handler's closure, so fast key presses are not lost.
 */
import type {LiveSnapshot} from '../core/snapshot.js';
import {FILTER_KEYS, FLAGS_KEYS, HELP_KEYS, isCtrlC, LIST_KEYS, lookupKey, type KeyAction, type KeyEntry, type KeyInfo, type OverlayAction} from './keymap.js';
import {SORTS, VIEWS, type DrillStep, type SortMode, type ViewName} from './view/watch-model.js';

export type {KeyInfo} from './keymap.js';

export interface UiState {
	view: ViewName;
	path: DrillStep[];
	/** The filter of each level above the current one, restored on the way back out. */
	filterStack: string[];
	sort: SortMode;
	/** Selected item id per level (see levelKey), so going back lands on the item drilled into. */
	selection: Record<string, string>;
	filter: string;
	editingFilter: boolean;
	/** The snapshot shown while paused; ingest continues underneath. */
	frozen: LiveSnapshot | null;
	help: boolean;
	/** The flags view is open (in the table's place). */
	flagsOpen: boolean;
	/** First line shown of the open overlay (help or flags); clamped when drawn. */
	scroll: number;
	/** First line shown of the detail panel, for the item it was scrolled on (`detailAt`); another item starts at the top. */
	detailScroll: {at: string; from: number} | null;
	quit: boolean;
}

export const initialUiState: UiState = {
	view: 'issues',
	path: [],
	filterStack: [],
	sort: 'recent',
	selection: {},
	filter: '',
	editingFilter: false,
	frozen: null,
	help: false,
	flagsOpen: false,
	scroll: 0,
	detailScroll: null,
	quit: false,
};

export interface RowRef {
	id: string;
	drill: DrillStep | null;
}

export type UiAction =
	/** `overlayLines`: lines of the open overlay's text and `page` its height, so scrolling stops at the end. */
	/** `detail`: the detail panel's lines and visible height, when there is one. */
	| {type: 'key'; input: string; key: KeyInfo; rows: readonly RowRef[]; page: number; snapshot: LiveSnapshot; overlayLines?: number; detail?: {lines: number; page: number}}
	| {type: 'view'; view: ViewName}
	| {type: 'select'; id: string};

export function levelKey(s: Pick<UiState, 'view' | 'path'>): string {
	return [s.view, ...s.path.map((p) => `${p.dim}:${p.id}`)].join('/');
}

/** Which item the detail panel shows: its scroll applies to this item only. */
export function detailAt(s: Pick<UiState, 'view' | 'path'>, selectedId: string | undefined): string {
	return `${levelKey(s)}\u0000${selectedId ?? ''}`;
}

/** The detail panel's first line for the item shown (0 for any other item). */
export function detailFrom(s: UiState, selectedId: string | undefined): number {
	return s.detailScroll !== null && s.detailScroll.at === detailAt(s, selectedId) ? s.detailScroll.from : 0;
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
			return {...s, view: a.view, path: [], filterStack: [], filter: '', editingFilter: false};
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
	if (isCtrlC(input, key)) return {...s, quit: true};
	if (s.editingFilter) return onFilterKey(s, a);
	if (s.help) return onOverlayKey(s, a, HELP_KEYS, {help: false});
	if (s.flagsOpen) return onOverlayKey(s, a, FLAGS_KEYS, {flagsOpen: false});
	const action = lookupKey(LIST_KEYS, input, key);
	return action === null ? s : onListAction(s, action, a);
}

function onListAction(s: UiState, action: KeyAction, a: Extract<UiAction, {type: 'key'}>): UiState {
	switch (action) {
		case 'quit':
			return {...s, quit: true};
		case 'help':
			return {...s, help: true, scroll: 0};
		case 'flags':
			return {...s, flagsOpen: true, scroll: 0};
		case 'pause':
			return s.frozen ? {...s, frozen: null} : {...s, frozen: a.snapshot};
		case 'sort':
			return {...s, sort: SORTS[(SORTS.indexOf(s.sort) + 1) % SORTS.length]!};
		case 'filter':
			return {...s, editingFilter: true};
		case 'next-view':
		case 'prev-view': {
			const step = action === 'prev-view' ? VIEWS.length - 1 : 1;
			return reduce(s, {type: 'view', view: VIEWS[(VIEWS.indexOf(s.view) + step) % VIEWS.length]!});
		}
		case 'view-1':
		case 'view-2':
		case 'view-3':
		case 'view-4':
			return reduce(s, {type: 'view', view: VIEWS[Number(action.slice(-1)) - 1]!});
		case 'escape':
		case 'back':
			// Back out to the level above with the filter it had when Enter was pressed.
			if (s.path.length > 0) return {...s, path: s.path.slice(0, -1), filter: s.filterStack[s.filterStack.length - 1] ?? '', filterStack: s.filterStack.slice(0, -1)};
			if (action === 'escape' && s.filter !== '') return {...s, filter: ''};
			return s;
		case 'drill': {
			const row = a.rows[selectedIndex(s, a.rows)];
			if (!row?.drill || s.path.length >= 2) return s;
			const withSel = {...s.selection, [levelKey(s)]: row.id};
			return {...s, selection: withSel, path: [...s.path, row.drill], filterStack: [...s.filterStack, s.filter], filter: ''};
		}
		case 'up':
		case 'down':
		case 'page-up':
		case 'page-down':
		case 'first':
		case 'last': {
			if (a.rows.length === 0) return s;
			const i = selectedIndex(s, a.rows);
			const page = Math.max(1, a.page);
			const last = a.rows.length - 1;
			const target = {up: i - 1, down: i + 1, 'page-up': i - page, 'page-down': i + page, first: 0, last}[action];
			const next = Math.max(0, Math.min(last, target));
			return {...s, selection: {...s.selection, [levelKey(s)]: a.rows[next]!.id}};
		}
		case 'detail-up':
		case 'detail-down':
		case 'detail-page-up':
		case 'detail-page-down': {
			if (!a.detail) return s;
			const at = detailAt(s, a.rows[selectedIndex(s, a.rows)]?.id);
			const page = Math.max(1, a.detail.page);
			const end = Math.max(0, a.detail.lines - page);
			const from = Math.min(end, detailFrom(s, a.rows[selectedIndex(s, a.rows)]?.id));
			// A page keeps one line of the last one in view, so the reader does not lose their place.
			const step = Math.max(1, page - 1);
			const target = {'detail-up': from - 1, 'detail-down': from + 1, 'detail-page-up': from - step, 'detail-page-down': from + step}[action];
			return {...s, detailScroll: {at, from: Math.max(0, Math.min(end, target))}};
		}
	}
}

function onOverlayKey(s: UiState, a: Extract<UiAction, {type: 'key'}>, table: ReadonlyArray<KeyEntry<OverlayAction>>, close: Partial<UiState>): UiState {
	const action = lookupKey(table, a.input, a.key);
	if (action === null) return s;
	if (action === 'quit') return {...s, quit: true};
	if (action === 'close') return {...s, ...close, scroll: 0};
	const page = Math.max(1, a.page);
	const last = Math.max(0, (a.overlayLines ?? Number.MAX_SAFE_INTEGER) - page);
	const from = Math.min(s.scroll, last);
	const target = {'scroll-up': from - 1, 'scroll-down': from + 1, 'scroll-page-up': from - page, 'scroll-page-down': from + page, 'scroll-first': 0, 'scroll-last': last}[action];
	return {...s, scroll: Math.max(0, Math.min(last, target))};
}

function onFilterKey(s: UiState, a: Extract<UiAction, {type: 'key'}>): UiState {
	const {input, key} = a;
	switch (lookupKey(FILTER_KEYS, input, key)) {
		case 'filter-clear':
			return {...s, editingFilter: false, filter: ''};
		case 'filter-keep':
			return {...s, editingFilter: false};
		case 'filter-erase':
			return {...s, filter: Array.from(s.filter).slice(0, -1).join('')};
		case null:
			break;
	}
	if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow) return s;
	// Typed text only: drop control characters and escape remnants a paste could carry.
	const text = input.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
	return text === '' ? s : {...s, filter: (s.filter + text).slice(0, 64)};
}
