import {describe, expect, it} from 'vitest';
import type {Flag} from '../../../source/core/flags.js';
import {sparkRows} from '../../../source/ui/view/sparkline.js';
import {headerInfo, headerLine} from '../../../source/ui/view/watch-header.js';
import {buildWatchModel, levelOf} from '../../../source/ui/view/watch-model.js';
import {orderRows, RESORT_MS} from '../../../source/ui/view/watch-order.js';
import {formatAge, formatDuration, formatRate, recentSpend, sparkSeries} from '../../../source/ui/view/watch-rates.js';
import {factoryStore, NOW, RUN_A, RUN_B, RUN_C, turn} from '../../helpers/watch-fixture.js';

const byId = <T extends {id: string}>(rows: T[], id: string) => rows.find((r) => r.id === id)!;

describe('buildWatchModel', () => {
	it('lists issues with totals, recent rate and last activity', () => {
		const snap = factoryStore().getSnapshot();
		const m = buildWatchModel(snap, {view: 'issues', path: [], filter: '', now: NOW});
		expect(m.level).toBe('list');
		expect(m.unit).toBe('usd/h');
		expect(m.rows.map((r) => r.id).sort()).toEqual(['MT-101', 'MT-102', 'MT-103']);
		const a = byId(m.rows, 'MT-101');
		expect(a.cells.turns).toBe('4');
		expect(a.cells.last).toBe('2m');
		// Only the turn 2 minutes ago is in the 5-minute window: (33000·3 + 4000·15)/1e6 = $0.159 → ×12/h.
		expect(a.cells.rate).toBe('$1.91');
		expect(a.drill).toEqual({dim: 'issue', id: 'MT-101'});
		const mystery = byId(m.rows, 'MT-103');
		expect(mystery.cells.cost).toBe('unpriced');
		expect(mystery.cells.rate).toBe('·');
	});

	it('uses tokens per minute when nothing is priced, and never shows $0', () => {
		const snap = factoryStore({pricer: null}).getSnapshot();
		const m = buildWatchModel(snap, {view: 'issues', path: [], filter: '', now: NOW});
		expect(m.unit).toBe('tok/min');
		for (const r of m.rows) expect(r.cells.cost).toBe('unpriced');
		// 33000 + 4000 tokens in 5 minutes.
		expect(byId(m.rows, 'MT-101').cells.rate).toBe('7.40k');
	});

	it('drills issue → runs → turns', () => {
		const snap = factoryStore().getSnapshot();
		const runs = buildWatchModel(snap, {view: 'issues', path: [{dim: 'issue', id: 'MT-101'}], filter: '', now: NOW});
		expect(runs.level).toBe('runs');
		expect(runs.rows.map((r) => r.id).sort()).toEqual([RUN_A, RUN_B].sort());
		const b = byId(runs.rows, RUN_B);
		expect(b.cells).toMatchObject({provider: 'openai', model: 'gpt-5.3-codex', role: 'rev', exit: 'completed', turns: '1'});
		expect(runs.crumbs).toEqual(['Issues', 'MT-101']);
		const turns = buildWatchModel(snap, {view: 'issues', path: [{dim: 'issue', id: 'MT-101'}, {dim: 'run', id: RUN_A}], filter: '', now: NOW});
		expect(turns.level).toBe('turns');
		expect(turns.rows).toHaveLength(3);
		expect(turns.rows[2]!.cells).toMatchObject({output: '4,000', duration: '20s', model: 'claude-sonnet-4-6'});
		expect(turns.crumbs[2]).toBe(`run ${RUN_A.slice(0, 8)}`);
	});

	it('runs of a model when drilling from the Models view', () => {
		const snap = factoryStore().getSnapshot();
		const m = buildWatchModel(snap, {view: 'models', path: [{dim: 'model', id: 'gemini-2.5-pro'}], filter: '', now: NOW});
		expect(m.rows.map((r) => r.id)).toEqual([RUN_C]);
		expect(levelOf([{dim: 'model', id: 'x'}])).toBe('runs');
	});

	it('filters by substring, case-insensitively', () => {
		const snap = factoryStore().getSnapshot();
		const m = buildWatchModel(snap, {view: 'issues', path: [], filter: 'mt-10 '.trim().toUpperCase() + '2', now: NOW});
		expect(m.rows.map((r) => r.id)).toEqual(['MT-102']);
		expect(m.total).toBe(3);
		const runs = buildWatchModel(snap, {view: 'runs', path: [], filter: 'gemini', now: NOW});
		expect(runs.rows.map((r) => r.id)).toEqual([RUN_C]);
	});

	it('sanitizes every string from a file', () => {
		const store = factoryStore();
		store.addTurns([turn({runId: RUN_A, turn: 9, issue: 'MT-\u001b[2J9', model: 'evil\u001b]0;pwned\u0007-model', exitReason: 'x\u0007y'}, 1)]);
		const snap = store.getSnapshot();
		const issues = buildWatchModel(snap, {view: 'issues', path: [], filter: '', now: NOW});
		const models = buildWatchModel(snap, {view: 'models', path: [], filter: '', now: NOW});
		const runs = buildWatchModel(snap, {view: 'issues', path: [{dim: 'issue', id: 'MT-\u001b[2J9'}], filter: '', now: NOW});
		const all = [...issues.rows, ...models.rows, ...runs.rows].flatMap((r) => Object.values(r.cells)).join('\n');
		expect(all).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
		expect(all).toContain('MT-9');
		expect(all).toContain('evil-model');
	});

	it('marks rows with the flags of their runs', () => {
		const store = factoryStore();
		const flag: Flag = {
			id: `spend_spike:run:${RUN_C}`,
			kind: 'spend_spike',
			scope: {type: 'run', id: RUN_C},
			severity: 'crit',
			value: 1,
			threshold: 0.2,
			unit: 'usd/min',
			baseline: null,
			firstAt: NOW - 90_000,
			lastAt: NOW,
			message: 'spend spike',
		};
		store.flags = [flag];
		store.publish();
		const snap = store.getSnapshot();
		const issues = buildWatchModel(snap, {view: 'issues', path: [], filter: '', now: NOW});
		expect(byId(issues.rows, 'MT-102').flag).toBe('crit');
		expect(byId(issues.rows, 'MT-101').flag).toBeNull();
		const turns = buildWatchModel(snap, {view: 'runs', path: [{dim: 'run', id: RUN_C}], filter: '', now: NOW});
		expect(turns.rows.map((r) => r.flag)).toEqual([null, 'crit']);
	});
});

describe('rates and series', () => {
	it('recent spend covers only the window and is memoized per snapshot', () => {
		const snap = factoryStore().getSnapshot();
		const r = recentSpend(snap, NOW);
		expect(r.total.records).toBe(2);
		expect(recentSpend(snap, NOW)).toBe(r);
		expect(recentSpend(snap, NOW + 10 * 60_000).total.records).toBe(0);
	});

	it('re-reads a run only when it changed, and sees its new turns', () => {
		const store = factoryStore();
		expect(recentSpend(store.getSnapshot(), NOW).by.run.get(RUN_A)?.records).toBe(1);
		store.addTurns([turn({runId: RUN_A, turn: 4}, 0)]);
		const after = recentSpend(store.getSnapshot(), NOW);
		expect(after.by.run.get(RUN_A)?.records).toBe(2);
		expect(after.by.run.get(RUN_C)?.records).toBe(1);
		// An older clock (a paused view) still finds the turns it needs.
		expect(recentSpend(store.getSnapshot(), NOW - 60_000).by.run.get(RUN_C)?.records).toBe(1);
	});

	it('spend per minute, oldest first, zero where idle', () => {
		const snap = factoryStore().getSnapshot();
		const s = sparkSeries(snap, NOW, 20, true);
		expect(s).toHaveLength(20);
		expect(s[19]).toBe(0);
		expect(s[18]).toBeGreaterThan(0.5);
		// Seven busy minutes; the unpriced model's minute has no dollars: null (drawn ?), not 0.
		expect(s.filter((v) => v !== null && v > 0)).toHaveLength(6);
		expect(s.filter((v) => v === null)).toHaveLength(1);
		expect(sparkSeries(snap, NOW, 20, false).filter((v) => v !== null && v > 0)).toHaveLength(7);
	});

	it('formats ages, durations and rates', () => {
		expect([formatAge(NOW - 5_000, NOW), formatAge(NOW - 300_000, NOW), formatAge(NOW - 7_200_000, NOW), formatAge(null, NOW)]).toEqual(['5s', '5m', '2h', '—']);
		expect([formatDuration(45_000), formatDuration(185_000), formatDuration(3_720_000)]).toEqual(['45s', '3m05s', '1h02m']);
		expect([formatRate(0.012, true), formatRate(4.2, true), formatRate(950, false), formatRate(12_345, false)]).toEqual(['$0.012', '$4.20', '950', '12.3k']);
	});

	it('sparkline rows: one character per value, taller for more resolution', () => {
		expect(sparkRows([0, 1, 2, 4, 8], 1)).toEqual(['·▁▂▄█']);
		const two = sparkRows([0, 8, 16], 2);
		expect(two).toEqual(['  █', '·██']);
		expect(sparkRows([0, 0], 1)).toEqual(['··']);
	});
});

describe('header', () => {
	it('fits the width and keeps the status', () => {
		const snap = factoryStore().getSnapshot();
		const info = headerInfo(snap, NOW, ['Issues', 'MT-101'], false);
		expect(info.rate).toBe('≥$9.86/h');
		for (const width of [20, 40, 80, 200]) {
			const {left, right} = headerLine(info, width, '●');
			const len = [...left, ...right].reduce((s, p) => s + Array.from(p.text).length, 0) + right.length;
			expect(len).toBeLessThanOrEqual(width);
			expect(right[0]!.role).toBe('live');
		}
		expect(headerLine(headerInfo(snap, NOW, ['Issues'], true), 80, '●').right[0]!.text).toBe('‖ paused');
	});
});

describe('orderRows', () => {
	const rows = (pairs: Array<[string, number]>) =>
		pairs.map(([id, recent]) => ({id, cells: {}, flag: null, fidelity: 'measured' as const, drill: null, search: id, sort: {recent, total: 0, last: 0, name: id}}));

	it('holds rows in place while numbers change, then re-sorts', () => {
		const first = orderRows(rows([['a', 1], ['b', 2]]), 'recent', null, 'k', 1000);
		expect(first.rows.map((r) => r.id)).toEqual(['b', 'a']);
		// Held rows keep their places; the new row c goes where the sort puts it (top), not below the pane.
		const held = orderRows(rows([['a', 5], ['b', 2], ['c', 9]]), 'recent', first.memo, 'k', 1000 + RESORT_MS - 1);
		expect(held.rows.map((r) => r.id)).toEqual(['c', 'b', 'a']);
		const later = orderRows(rows([['a', 5], ['b', 2], ['c', 9]]), 'recent', held.memo, 'k', 1000 + RESORT_MS);
		expect(later.rows.map((r) => r.id)).toEqual(['c', 'a', 'b']);
		const otherSort = orderRows(rows([['a', 5], ['b', 2]]), 'name', first.memo, 'k2', 1001);
		expect(otherSort.rows.map((r) => r.id)).toEqual(['a', 'b']);
	});

	it('a new row joins at its sorted place among held rows: top, middle or end', () => {
		const first = orderRows(rows([['a', 30], ['b', 20], ['c', 10]]), 'recent', null, 'k', 1000);
		const next = orderRows(rows([['a', 1], ['b', 20], ['c', 10], ['top', 99], ['mid', 15], ['low', 0]]), 'recent', first.memo, 'k', 1500);
		// a fell to 1 but holds its place until the re-sort; each new row goes before the first held
		// row it sorts ahead of (mid before a, which now sorts below it), low at the end.
		expect(next.rows.map((r) => r.id)).toEqual(['top', 'mid', 'a', 'b', 'c', 'low']);
		// and stay held with the rest afterwards.
		const again = orderRows(rows([['a', 1], ['b', 20], ['c', 10], ['top', 0], ['mid', 15], ['low', 50]]), 'recent', next.memo, 'k', 2000);
		expect(again.rows.map((r) => r.id)).toEqual(['top', 'mid', 'a', 'b', 'c', 'low']);
	});
});
