import {describe, expect, it} from 'vitest';
import {visibleWindow, watchLayout} from '../../../source/ui/view/watch-layout.js';
import type {Level, RateUnit} from '../../../source/ui/view/watch-columns.js';

const sum = (l: ReturnType<typeof watchLayout>) => l.headerLines + l.sparkLines + l.tableHeader + l.tableRows + l.flagLines + l.keyHelpLines;

describe('watchLayout', () => {
	const cases: Array<{columns: number; rows: number; header: number; spark: number; tableRows: number; flags: number; keyHelp: number; has: string[]; lacks: string[]}> = [
		{columns: 40, rows: 12, header: 1, spark: 1, tableRows: 6, flags: 1, keyHelp: 1, has: ['flag', 'name', 'cost', 'rate', 'last', 'fidelity'], lacks: ['input', 'cache', 'turns']},
		{columns: 80, rows: 24, header: 2, spark: 2, tableRows: 16, flags: 1, keyHelp: 1, has: ['name', 'turns', 'input', 'output', 'cache', 'cost', 'rate', 'last'], lacks: []},
		{columns: 120, rows: 40, header: 2, spark: 3, tableRows: 31, flags: 1, keyHelp: 1, has: ['name', 'turns', 'input', 'output', 'cache', 'cost', 'rate', 'last'], lacks: []},
		{columns: 200, rows: 60, header: 2, spark: 3, tableRows: 51, flags: 1, keyHelp: 1, has: ['name', 'cache'], lacks: []},
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

	it('drops the cost column early when nothing is priced', () => {
		const priced = watchLayout({columns: 50, rows: 24, level: 'list', nameHeader: 'Issue', unit: 'usd/h', flagCount: 0});
		const unpriced = watchLayout({columns: 50, rows: 24, level: 'list', nameHeader: 'Issue', unit: 'tok/min', flagCount: 0});
		expect(priced.columns.map((c) => c.id)).toContain('cost');
		expect(unpriced.columns.map((c) => c.id)).not.toContain('cost');
		expect(unpriced.columns.find((c) => c.id === 'rate')!.label).toBe('tok/m');
	});

	it('grows the flags strip to three lines on a tall screen with flags', () => {
		expect(watchLayout({columns: 80, rows: 24, level: 'list', nameHeader: 'Issue', unit: 'usd/h', flagCount: 5}).flagLines).toBe(3);
		expect(watchLayout({columns: 40, rows: 12, level: 'list', nameHeader: 'Issue', unit: 'usd/h', flagCount: 5}).flagLines).toBe(1);
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
