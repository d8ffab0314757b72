/**
 * Every key of the watch screen, as one table. The reducer (state.ts) looks keys up here, the help
 * overlay lists this table, the key-hint line and `burn watch --help` are drawn from it. A key
 * added here is handled, documented and hinted at once.
 */

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

export type KeyAction =
	| 'quit'
	| 'help'
	| 'pause'
	| 'sort'
	| 'filter'
	| 'next-view'
	| 'prev-view'
	| 'view-1'
	| 'view-2'
	| 'view-3'
	| 'view-4'
	/** Esc: back out of a drill-down, else clear the filter. */
	| 'escape'
	| 'back'
	| 'drill'
	| 'up'
	| 'down'
	| 'page-up'
	| 'page-down'
	| 'first'
	| 'last'
	/** Open the flags view: every live flag, whole, with its evidence. */
	| 'flags'
	/** Scroll the selected item's detail panel (big panes), by a line or a page. */
	| 'detail-up'
	| 'detail-down'
	| 'detail-page-up'
	| 'detail-page-down';

/** Keys of a scrolling overlay (help, flags). */
export type OverlayAction = 'quit' | 'close' | 'scroll-up' | 'scroll-down' | 'scroll-page-up' | 'scroll-page-down' | 'scroll-first' | 'scroll-last';

export type FilterAction = 'filter-keep' | 'filter-clear' | 'filter-erase';

/** A key: a typed character, a named key from Ink's Key, or both; `shift` must match when given. */
export interface KeySpec {
	input?: string;
	key?: keyof KeyInfo;
	shift?: boolean;
}

/** What the key-hint line knows about the screen. */
export interface HintContext {
	drilled: boolean;
	paused: boolean;
	/** Live flags exist (the flags view has something to show). */
	flags: boolean;
	/** The detail panel holds more lines than it shows (its scroll keys do something). */
	detailMore?: boolean;
}

/** Hint widths: wide ≥ 100 columns, medium ≥ 60, else narrow. */
export type HintWidth = 'wide' | 'medium' | 'narrow';

export interface KeyEntry<A extends string> {
	/** The keys as shown in the help overlay and `--help`. */
	label: string;
	/** What they do, for the help overlay and `--help`; null: not listed (e.g. `?` itself). */
	help: string | null;
	bindings: ReadonlyArray<readonly [KeySpec, A]>;
	/** Its part of the key-hint line at each width, or null for none. */
	hint?: (ctx: HintContext, width: HintWidth) => string | null;
	/** When the line is too long, hints with a drop order go first (lowest first); the rest always stay. */
	dropOrder?: number;
}

const same = (text: string) => () => text;

/** The list screen (issues, runs, models, providers, turns). Order is precedence. */
export const LIST_KEYS: ReadonlyArray<KeyEntry<KeyAction>> = [
	{
		label: '↑ ↓ j k PgUp PgDn',
		help: 'move the selection',
		bindings: [
			[{key: 'upArrow'}, 'up'],
			[{input: 'k'}, 'up'],
			[{key: 'downArrow'}, 'down'],
			[{input: 'j'}, 'down'],
			[{key: 'pageUp'}, 'page-up'],
			[{key: 'pageDown'}, 'page-down'],
			[{key: 'home'}, 'first'],
			[{input: 'g'}, 'first'],
			[{key: 'end'}, 'last'],
			[{input: 'G'}, 'last'],
		],
		hint: (_ctx, w) => (w === 'wide' ? '↑↓ select' : w === 'medium' ? '↑↓' : null),
		dropOrder: 1,
	},
	{
		label: '[ ] J K',
		help: 'scroll the detail panel (big panes): a page, a line',
		bindings: [
			[{input: ']'}, 'detail-page-down'],
			[{input: '['}, 'detail-page-up'],
			[{input: 'J'}, 'detail-down'],
			[{input: 'K'}, 'detail-up'],
		],
		hint: (ctx, w) => (!ctx.detailMore ? null : w === 'narrow' ? '[]' : '[ ] detail'),
		dropOrder: 2.5,
	},
	{
		label: 'Enter →',
		help: 'drill in: issue → runs → turns',
		bindings: [
			[{key: 'return'}, 'drill'],
			[{key: 'rightArrow'}, 'drill'],
		],
		hint: (ctx, w) => (w === 'wide' ? 'Enter drill' : w === 'medium' ? (ctx.drilled ? '⏎ in' : '⏎ drill') : '⏎'),
	},
	{
		label: 'Esc ←',
		help: 'back',
		bindings: [
			[{key: 'escape'}, 'escape'],
			[{key: 'leftArrow'}, 'back'],
			[{key: 'backspace'}, 'back'],
			[{key: 'delete'}, 'back'],
		],
		hint: (ctx, w) => (!ctx.drilled ? null : w === 'narrow' ? 'Esc' : 'Esc back'),
	},
	{
		label: 'Tab 1-4',
		help: 'Issues · Runs · Models · Providers',
		bindings: [
			[{key: 'tab', shift: true}, 'prev-view'],
			[{key: 'tab'}, 'next-view'],
			[{input: '1'}, 'view-1'],
			[{input: '2'}, 'view-2'],
			[{input: '3'}, 'view-3'],
			[{input: '4'}, 'view-4'],
		],
		hint: (_ctx, w) => (w === 'wide' ? 'Tab/1-4 view' : w === 'medium' ? 'Tab view' : 'Tab'),
		dropOrder: 3,
	},
	{
		label: 's',
		help: 'sort: recent spend · total · last activity · name (▾ marks the column)',
		bindings: [[{input: 's'}, 'sort']],
		hint: (_ctx, w) => (w === 'narrow' ? 's' : 's sort'),
		dropOrder: 2,
	},
	{
		label: '/',
		help: 'filter rows by substring (Enter keeps, Esc clears)',
		bindings: [[{input: '/'}, 'filter']],
		hint: (_ctx, w) => (w === 'narrow' ? '/' : '/ filter'),
	},
	{
		label: 'p',
		help: 'pause the display (reading continues); p again resumes',
		bindings: [[{input: 'p'}, 'pause']],
		hint: (ctx, w) => (w === 'narrow' ? 'p' : ctx.paused ? 'p resume' : 'p pause'),
	},
	{
		label: 'f',
		help: 'flags: read every live flag whole, with its evidence',
		bindings: [[{input: 'f'}, 'flags']],
		hint: (ctx, w) => (!ctx.flags ? null : w === 'narrow' ? 'f' : 'f flags'),
	},
	{
		label: '?',
		help: null,
		bindings: [[{input: '?'}, 'help']],
		hint: (_ctx, w) => (w === 'narrow' ? '?' : '? help'),
	},
	{
		label: 'q Ctrl-C',
		help: 'quit',
		bindings: [[{input: 'q'}, 'quit']],
		hint: (_ctx, w) => (w === 'narrow' ? 'q' : 'q quit'),
	},
];

const SCROLL_KEYS: ReadonlyArray<KeyEntry<OverlayAction>> = [
	{
		label: '↑ ↓ j k PgUp PgDn',
		help: 'scroll',
		bindings: [
			[{key: 'upArrow'}, 'scroll-up'],
			[{input: 'k'}, 'scroll-up'],
			[{key: 'downArrow'}, 'scroll-down'],
			[{input: 'j'}, 'scroll-down'],
			[{key: 'pageUp'}, 'scroll-page-up'],
			[{key: 'pageDown'}, 'scroll-page-down'],
			[{input: ' '}, 'scroll-page-down'],
			[{key: 'home'}, 'scroll-first'],
			[{input: 'g'}, 'scroll-first'],
			[{key: 'end'}, 'scroll-last'],
			[{input: 'G'}, 'scroll-last'],
		],
		hint: (_ctx, w) => (w === 'narrow' ? '↑↓' : '↑↓ scroll'),
	},
	{label: 'q', help: 'quit', bindings: [[{input: 'q'}, 'quit']], hint: (_ctx, w) => (w === 'narrow' ? 'q' : 'q quit')},
];

/** While the help overlay is open. */
export const HELP_KEYS: ReadonlyArray<KeyEntry<OverlayAction>> = [
	{
		label: '? Esc Enter h',
		help: 'close the help',
		bindings: [
			[{input: '?'}, 'close'],
			[{key: 'escape'}, 'close'],
			[{key: 'return'}, 'close'],
			[{input: 'h'}, 'close'],
		],
		hint: (_ctx, w) => (w === 'narrow' ? 'Esc' : 'Esc close'),
	},
	...SCROLL_KEYS,
];

/** While the flags view is open. */
export const FLAGS_KEYS: ReadonlyArray<KeyEntry<OverlayAction>> = [
	{
		label: 'f Esc Enter ←',
		help: 'close the flags view',
		bindings: [
			[{input: 'f'}, 'close'],
			[{key: 'escape'}, 'close'],
			[{key: 'return'}, 'close'],
			[{key: 'leftArrow'}, 'close'],
		],
		hint: (_ctx, w) => (w === 'narrow' ? 'Esc' : 'Esc close'),
	},
	...SCROLL_KEYS,
];

/** While a filter is being typed; any other text is typed into it. */
export const FILTER_KEYS: ReadonlyArray<KeyEntry<FilterAction>> = [
	{label: 'Enter', help: 'keep the filter', bindings: [[{key: 'return'}, 'filter-keep']], hint: same('Enter keep')},
	{label: 'Esc', help: 'clear the filter', bindings: [[{key: 'escape'}, 'filter-clear']], hint: same('Esc clear')},
	{
		label: 'Backspace',
		help: 'erase a character',
		bindings: [
			[{key: 'backspace'}, 'filter-erase'],
			[{key: 'delete'}, 'filter-erase'],
		],
	},
];

/** Ctrl-C quits from every mode (Ink hands it over as input "c" with ctrl). */
export function isCtrlC(input: string, key: KeyInfo): boolean {
	return Boolean(key.ctrl) && input === 'c';
}

function matches(spec: KeySpec, input: string, key: KeyInfo): boolean {
	if (spec.key !== undefined && !key[spec.key]) return false;
	if (spec.input !== undefined && input !== spec.input) return false;
	if (spec.shift !== undefined && Boolean(key.shift) !== spec.shift) return false;
	return true;
}

/** The action a key press means in a mode's table, or null. */
export function lookupKey<A extends string>(table: ReadonlyArray<KeyEntry<A>>, input: string, key: KeyInfo): A | null {
	for (const entry of table) {
		for (const [spec, action] of entry.bindings) if (matches(spec, input, key)) return action;
	}
	return null;
}

export function hintWidth(columns: number): HintWidth {
	return columns >= 100 ? 'wide' : columns >= 60 ? 'medium' : 'narrow';
}

/** The key-hint line's parts, in table order; `dropped`: leave out hints with a drop order up to it. */
export function keyHints<A extends string>(table: ReadonlyArray<KeyEntry<A>>, ctx: HintContext, width: HintWidth, dropped = 0): string[] {
	return table.flatMap((e) => ((e.dropOrder ?? Infinity) <= dropped ? [] : (e.hint?.(ctx, width) ?? [])));
}

/**
 * The hint line that fits `columns`: the widest wording, then the medium one with the least useful
 * hints dropped one by one, then the narrow one; `? help` and `q quit` are never cut off the end.
 */
export function fittingHintLine<A extends string>(table: ReadonlyArray<KeyEntry<A>>, ctx: HintContext, columns: number, prefix = ''): string {
	const size = hintWidth(columns);
	const line = (w: HintWidth, dropped = 0) => prefix + keyHints(table, ctx, w, dropped).join(w === 'narrow' ? ' ' : ' · ');
	const orders = [...new Set(table.flatMap((e) => (e.dropOrder === undefined ? [] : [e.dropOrder])))].sort((a, b) => a - b);
	const candidates: string[] = [];
	if (size === 'wide') candidates.push(line('wide'));
	if (size !== 'narrow') candidates.push(line('medium'), ...orders.map((o) => line('medium', o)));
	candidates.push(line('narrow'));
	return candidates.find((l) => Array.from(l).length <= columns) ?? candidates.at(-1)!;
}

/** The rows of the help overlay and of `--help`: keys and what they do. */
export function keyHelpRows<A extends string>(table: ReadonlyArray<KeyEntry<A>>): Array<[string, string]> {
	return table.flatMap((e): Array<[string, string]> => (e.help === null ? [] : [[e.label, e.help]]));
}
