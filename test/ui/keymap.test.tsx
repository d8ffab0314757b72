import {render} from 'ink-testing-library';
import React from 'react';
import {afterEach, describe, expect, it} from 'vitest';
import {HelpOverlay} from '../../source/ui/HelpOverlay.js';
import {FILTER_KEYS, FLAGS_KEYS, HELP_KEYS, keyHelpRows, LIST_KEYS, lookupKey, type KeyEntry, type KeyInfo} from '../../source/ui/keymap.js';
import {KeyHelp} from '../../source/ui/KeyHelp.js';
import {detailAt, initialUiState, reduce, type RowRef} from '../../source/ui/state.js';
import {runCli} from '../helpers/cli.js';
import {factoryStore} from '../helpers/watch-fixture.js';

const mounted: Array<() => void> = [];
afterEach(() => {
	while (mounted.length > 0) mounted.pop()!();
});

function pressOf(spec: {input?: string; key?: keyof KeyInfo; shift?: boolean}): {input: string; key: KeyInfo} {
	const key: KeyInfo = {};
	if (spec.key) key[spec.key] = true;
	if (spec.shift) key.shift = true;
	return {input: spec.input ?? '', key};
}

function everyBinding<A extends string>(table: ReadonlyArray<KeyEntry<A>>) {
	return table.flatMap((e) => e.bindings.map(([spec, action]) => ({spec, action})));
}

describe('keymap table', () => {
	it('no binding is shadowed by an earlier one: each key finds its own action', () => {
		for (const table of [LIST_KEYS, HELP_KEYS, FLAGS_KEYS, FILTER_KEYS] as Array<ReadonlyArray<KeyEntry<string>>>) {
			for (const {spec, action} of everyBinding(table)) {
				const {input, key} = pressOf(spec);
				expect(lookupKey(table, input, key), JSON.stringify(spec)).toBe(action);
			}
		}
		expect(lookupKey(LIST_KEYS, 'x', {})).toBeNull();
	});

	it('drives the reducer: every list key changes the state it names', () => {
		const snapshot = factoryStore().getSnapshot();
		const rows: RowRef[] = ['a', 'b', 'c'].map((id) => ({id, drill: {dim: 'issue', id}}));
		const middle = {...initialUiState, selection: {issues: 'b'}};
		const drilled = {...middle, path: [{dim: 'issue' as const, id: 'b'}]};
		for (const {spec, action} of everyBinding(LIST_KEYS)) {
			const {input, key} = pressOf(spec);
			// The detail keys need a panel with more lines than it shows, scrolled part way.
			const scrolled = {...middle, detailScroll: {at: detailAt(middle, 'b'), from: 6}};
			const from = action === 'back' || action === 'escape' ? drilled : action === 'view-1' ? {...middle, view: 'runs' as const} : action.startsWith('detail-') ? scrolled : middle;
			const next = reduce(from, {type: 'key', input, key, rows, page: 1, snapshot, detail: {lines: 30, page: 5}});
			expect(next, `${action} ${JSON.stringify(spec)}`).not.toEqual(from);
		}
	});

	it('the help overlay lists every documented key of the table', () => {
		const r = render(<HelpOverlay width={100} height={30} />);
		mounted.push(r.unmount);
		const frame = r.lastFrame()!;
		for (const [keys, does] of keyHelpRows(LIST_KEYS)) {
			expect(frame).toContain(keys);
			expect(frame).toContain(does);
		}
	});

	it('the hint line comes from the table at each width, and adapts to drilling', () => {
		const hint = (width: number, drilled: boolean, paused = false, flags = false) => {
			const r = render(<KeyHelp width={width} editingFilter={false} filter="" drilled={drilled} paused={paused} flags={flags} filtered={null} />);
			mounted.push(r.unmount);
			return r.lastFrame()!;
		};
		// The sort is a key here, not a status (the sorted column's header carries ▾).
		expect(hint(120, false)).toBe('↑↓ select · Enter drill · Tab/1-4 view · s sort · / filter · p pause · ? help · q quit');
		// Paused, p says what it does now; with flags, f opens them.
		expect(hint(120, false, true, true)).toContain('p resume · f flags');
		// Too long for its width, the line drops movement and view hints before "q quit" can be cut.
		for (const width of [60, 80, 90, 100]) {
			const line = hint(width, true, true, true);
			expect(line.endsWith('q quit') || line.endsWith(' q'), `${width}: ${line}`).toBe(true);
			expect(Array.from(line).length).toBeLessThanOrEqual(width);
		}
		expect(hint(100, true, false, true)).toBe('↑↓ · ⏎ in · Esc back · Tab view · s sort · / filter · p pause · f flags · ? help · q quit');
		expect(hint(120, true)).toContain('Enter drill · Esc back');
		// Drilled in at 80 columns: the least useful hints go first, never "q quit".
		expect(hint(80, true, true, true)).toBe('⏎ in · Esc back · Tab view · / filter · p resume · f flags · ? help · q quit');
		expect(hint(80, false)).toBe('↑↓ · ⏎ drill · Tab view · s sort · / filter · p pause · ? help · q quit');
		expect(hint(40, false)).toBe('⏎ Tab s / p ? q');
		// Drilled in at 100 columns with flags the wide hints do not fit: the medium ones do, ending in "q quit".
		expect(hint(100, true, false, true)).toMatch(/q quit$/);
	});

	it('burn watch --help lists the same keys', () => {
		const r = runCli(['watch', '--help']);
		expect(r.code).toBe(0);
		for (const [keys, does] of keyHelpRows(LIST_KEYS)) expect(r.stdout).toMatch(new RegExp(`${keys.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+${does.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
	});
});
