import {describe, expect, it} from 'vitest';
import {visibleWindow, watchLayout} from '../../../source/ui/view/watch-layout.js';
import type {Level, RateUnit} from '../../../source/ui/view/watch-columns.js';

const sum = (l: ReturnType<typeof watchLayout>) =>
	l.headerLines + l.sparkLines + l.chartLines + l.tableHeader + l.tableRows + l.flagsPanelLines + l.flagLines + l.keyHelpLines + (l.detail?.placement === 'below' ? l.detail.lines + 1 : 0);

describe('watchLayout', () => {
	const cases: Array<{columns: number; rows: number; header: number; spark: number; tableRows: number; flags: number; keyHelp: number; has: string[]; lacks: string[]}> = [
		{columns: 40, rows: 12, header: 1, spark: 1, tableRows: 6, flags: 1, keyHelp: 1, has: ['flag', 'name', 'cost', 'rate', 'last', 'fidelity'], lacks: ['input', 'cache', 'turns']},
		{columns: 80, rows: 24, header: 2, spark: 2, tableRows: 16, flags: 1, keyHelp: 1, has: ['name', 'turns', 'input', 'output', 'cache', 'cost', 'rate', 'last'], lacks: []},
		// Big panes: the large chart replaces the sparkline; the table takes what its rows need (0 rows: 5 lines).
		{columns: 120, rows: 40, header: 2, spark: 0, tableRows: 5, flags: 1, keyHelp: 1, has: ['name', 'turns', 'input', 'output', 'cache', 'cost', 'rate', 'last'], lacks: []},
		{columns: 200, rows: 60, header: 2, spark: 0, tableRows: 5, flags: 1, keyHelp: 1, has: ['name', 'cache'], lacks: []},
		{columns: 30, rows: 6, header: 1, spark: 0, tableRows: 2, flags: 0, keyHelp: 1, has: ['name'], lacks: ['input']},
		{columns: 20, rows: 3, header: 1, spark: 0, tableRows: 1, flags: 0, keyHelp: 0, has: ['name'], lacks: []},
		{columns: 10, rows: 2, header: 1, spark: 0, tableRows: 0, flags: 0, keyHelp: 0, has: ['name'], lacks: []},
		{columns: 1, rows: 1, header: 0, spark: 0, tableRows: 0, flags: 0, keyHelp: 0, has: [], lacks: []},
	];
	for (const c of cases) {
		it(`${c.columns}×${c.rows}: sections fit in rows − 1 and the columns fit the width`, () => {
			const l = watchLayout({columns: c.columns, rows: c.rows, level: 'list', nameHeader: 'Issue', unit: 'usd/h', flagCount: 0});
			expect(sum(l)).toBe(l.height);
			expect(l.height).toBeLessThanOrEqual(Math.max(0, c.rows - 1));
			expect({header: l.headerLines, spark: l.sparkLines, tableRows: l.tableRows, flags: l.flagLines, keyHelp: l.keyHelpLines}).toEqual({
				header: c.header,
				spark: c.spark,
				tableRows: c.tableRows,
				flags: c.flags,
				keyHelp: c.keyHelp,
			});
			const ids = l.columns.map((col) => col.id);
			for (const id of c.has) expect(ids).toContain(id);
			for (const id of c.lacks) expect(ids).not.toContain(id);
			const width = l.columns.reduce((s, col) => s + col.actualWidth, 0) + Math.max(0, l.columns.length - 1);
			if (c.columns >= 8) expect(width).toBeLessThanOrEqual(c.columns);
		});
	}

	it('every level and unit fits from 40 to 200 columns', () => {
		for (const level of ['list', 'runs', 'turns'] as Level[]) {
			for (const unit of ['usd/h', 'tok/min'] as RateUnit[]) {
				for (let columns = 40; columns <= 200; columns += 7) {
					const l = watchLayout({columns, rows: 24, level, nameHeader: 'Issue', unit, flagCount: 2});
					const width = l.columns.reduce((s, col) => s + col.actualWidth, 0) + l.columns.length - 1;
					expect(width).toBeLessThanOrEqual(columns);
					expect(l.columns[0]!.id).toBe('flag');
				}
			}
		}
	});

	it('big panes get panels: a chart and the detail below (tall) or beside (wide); 80×24 and 40×12 get none', () => {
		const at = (columns: number, rows: number, rowCount = 7) => watchLayout({columns, rows, level: 'list', nameHeader: 'Issue', unit: 'usd/h', flagCount: 2, rowCount});
		for (const [c, r] of [[40, 12], [80, 24], [79, 40], [120, 29]] as const) {
			expect(at(c, r).chartLines).toBe(0);
			expect(at(c, r).detail).toBeNull();
		}
		const tall = at(120, 40);
		expect(tall.chartLines).toBe(9);
		expect(tall.detail).toEqual({placement: 'below', width: 120, lines: tall.height - tall.headerLines - tall.keyHelpLines - tall.flagLines - tall.chartLines - 1 - tall.tableRows - 1});
		// The table gets its 7 rows (and one spare), the detail at least 8 lines.
		expect(tall.tableRows).toBe(8);
		expect(tall.detail!.lines).toBeGreaterThanOrEqual(8);
		// Many rows: the table grows, the detail keeps 8 lines.
		expect(at(120, 40, 500).detail!.lines).toBe(8);
		const wide = at(200, 60);
		expect(wide.detail).toMatchObject({placement: 'beside', width: 80});
		expect(wide.tableWidth).toBe(119);
		// Seven rows leave the rest of the table's column to the flags, whole.
		expect(wide.tableRows).toBe(8);
		expect(wide.flagsPanelLines).toBe(wide.detail!.lines - 1 - 8);
		expect(at(200, 60, 500).flagsPanelLines).toBe(0);
		const width = wide.columns.reduce((s, col) => s + col.actualWidth, 0) + wide.columns.length - 1;
		expect(width).toBeLessThanOrEqual(wide.tableWidth);
		expect(wide.height).toBeLessThanOrEqual(59);
	});

	it('the Runs view gets model and provider columns when there is room; empty optional columns go', () => {
		const runs = (columns: number) => watchLayout({columns, rows: 24, level: 'list', nameHeader: 'Run', unit: 'usd/h', flagCount: 0}).columns.map((c) => c.id);
		expect(runs(120)).toEqual(expect.arrayContaining(['model', 'provider']));
		expect(runs(80)).toContain('model');
		expect(runs(40)).not.toContain('model');
		const drilled = (empty: string[]) => watchLayout({columns: 100, rows: 24, level: 'runs', nameHeader: 'Run', unit: 'usd/h', flagCount: 0, emptyColumns: new Set(empty)}).columns;
		expect(drilled([]).map((c) => c.id)).toContain('exit');
		const without = drilled(['exit', 'role']);
		expect(without.map((c) => c.id)).not.toContain('exit');
		// The Model column is never cut below a whole claude-sonnet-4-6 while space is given to blanks.
		expect(without.find((c) => c.id === 'model')!.actualWidth).toBeGreaterThanOrEqual(17);
	});

	it('drops the cost column early when nothing is priced', () => {
		const priced = watchLayout({columns: 50, rows: 24, level: 'list', nameHeader: 'Issue', unit: 'usd/h', flagCount: 0});
		const unpriced = watchLayout({columns: 50, rows: 24, level: 'list', nameHeader: 'Issue', unit: 'tok/min', flagCount: 0});
		expect(priced.columns.map((c) => c.id)).toContain('cost');
		expect(unpriced.columns.map((c) => c.id)).not.toContain('cost');
		expect(unpriced.columns.find((c) => c.id === 'rate')!.label).toBe('tok/m');
	});

	it('grows the flags strip to three lines on a tall screen with flags', () => {
		expect(watchLayout({columns: 80, rows: 24, level: 'list', nameHeader: 'Issue', unit: 'usd/h', flagCount: 5}).flagLines).toBe(3);
		// A narrow pane gets two, so a flag's sentence is not cut after a few words.
		expect(watchLayout({columns: 40, rows: 12, level: 'list', nameHeader: 'Issue', unit: 'usd/h', flagCount: 5}).flagLines).toBe(2);
		expect(watchLayout({columns: 40, rows: 12, level: 'list', nameHeader: 'Issue', unit: 'usd/h', flagCount: 0}).flagLines).toBe(1);
		expect(watchLayout({columns: 40, rows: 10, level: 'list', nameHeader: 'Issue', unit: 'usd/h', flagCount: 5}).flagLines).toBe(1);
	});
});

describe('visibleWindow', () => {
	it.each([
		{count: 3, selected: 0, max: 5, want: {start: 0, end: 3, more: 0}},
		{count: 10, selected: 0, max: 5, want: {start: 0, end: 4, more: 6}},
		{count: 10, selected: 7, max: 5, want: {start: 4, end: 8, more: 6}},
		{count: 10, selected: 9, max: 5, want: {start: 6, end: 10, more: 6}},
		{count: 10, selected: 3, max: 0, want: {start: 0, end: 0, more: 10}},
		{count: 4, selected: 3, max: 1, want: {start: 3, end: 4, more: 3}},
	])('$count rows, selected $selected, $max lines', ({count, selected, max, want}) => {
		expect(visibleWindow(count, selected, max)).toEqual(want);
	});
});
