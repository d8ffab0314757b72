import {describe, expect, it} from 'vitest';
import {countOnce} from '../../source/core/counting/count-once.js';
import {Ledger} from '../../source/core/ledger.js';
import type {UsageRecord} from '../../source/core/record.js';
import {CountingCoalescer} from '../../source/core/counting/coalescer.js';
import {makeRecord} from '../helpers/records.js';

const T = Date.parse('2026-10-02T10:00:00Z');
const WS = '/ws/MT-1';

const turn = (n: number, from: number, to: number): UsageRecord =>
	makeRecord({key: `sym:${n}`, source: 'symphony', runId: 'run-1', turn: n, issue: 'MT-1', workspace: WS, startedAt: from, at: to, origin: {path: '/usage.jsonl', line: n, offset: 0}});
const call = (n: number, at: number, path = '/s1.jsonl'): UsageRecord =>
	makeRecord({key: `claude:${n}`, source: 'claude', runId: 's1', turn: null, issue: null, workspace: WS, at, tokens: {input: 50, output: 5, total: 55}, origin: {path, line: n, offset: 0}});

/** A raw ledger fed through a view's gate, the way the engine's sink feeds both. */
function fed(view: CountingCoalescer, raw: Ledger, records: UsageRecord[]): void {
	for (const r of records) {
		raw.addOne(r);
		view.gate.note(r);
	}
}

describe('count once (the step summary and watch share)', () => {
	it('replaces a covered turn by its calls without changing the raw ledger', () => {
		const raw = new Ledger();
		raw.add([turn(1, T, T + 60_000), call(1, T + 10_000), call(2, T + 20_000)]);
		const {ledger, usage: overlap} = countOnce(raw, {rawCounts: true});
		expect(ledger).not.toBe(raw);
		expect(ledger.totals.records).toBe(2);
		expect(ledger.by.run.get('run-1')?.records).toBe(2);
		expect(overlap).toMatchObject({candidateTurns: 1, coveredTurns: 1, reattributedRecords: 2});
		expect(raw.totals.records).toBe(3);
	});

	it('returns the raw ledger itself when no rule changes a record (and it already counts)', () => {
		const raw = new Ledger();
		raw.add([turn(1, T, T + 60_000), call(1, T + 3_600_000)]);
		expect(countOnce(raw, {rawCounts: true}).ledger).toBe(raw);
		expect(countOnce(raw, {rawCounts: true, accept: () => true}).ledger).not.toBe(raw);
	});
});

describe('the live view of it', () => {
	it('transcripts only: the raw ledger counts, nothing is re-counted', () => {
		const raw = new Ledger();
		const view = new CountingCoalescer(raw, {intervalMs: 1000, clock: () => 0});
		fed(view, raw, [call(1, T), call(2, T + 1000)]);
		for (let i = 0; i < 5; i++) expect(view.current()).toMatchObject({ledger: raw, usage: null, dueAt: null});
		expect(view.recounts).toBe(0);
	});

	it('usage.jsonl only: the raw ledger counts (always fresh); the report is re-read at most once per interval', () => {
		const raw = new Ledger();
		let clock = 0;
		const view = new CountingCoalescer(raw, {intervalMs: 1000, clock: () => clock});
		fed(view, raw, [turn(1, T, T + 60_000)]);
		expect(view.current()).toMatchObject({ledger: raw, usage: {candidateTurns: 1}, dueAt: null});
		fed(view, raw, [turn(2, T + 100_000, T + 160_000)]);
		const s = view.current();
		expect(s.ledger).toBe(raw);
		expect(s.ledger.totals.records).toBe(2);
		expect(s.usage?.candidateTurns).toBe(1);
		expect(s.dueAt).toBeGreaterThan(clock);
		clock = 1001;
		expect(view.current().usage?.candidateTurns).toBe(2);
		expect(view.recounts).toBe(2);
	});

	it('both: re-counts at most once per interval, shows the last count until then, never the raw double count', () => {
		const raw = new Ledger();
		let clock = 0;
		const view = new CountingCoalescer(raw, {intervalMs: 1000, clock: () => clock});
		fed(view, raw, [turn(1, T, T + 60_000), call(1, T + 10_000)]);
		const first = view.current();
		expect(first.ledger).not.toBe(raw);
		expect(first.ledger.totals.records).toBe(1);
		expect(view.current().ledger).toBe(first.ledger);
		// Ten lines in quick succession: the shown count stays the last one, a re-count is due.
		for (let i = 2; i < 12; i++) {
			clock += 50;
			fed(view, raw, [call(i, T + i * 1000)]);
			const s = view.current();
			expect(s.ledger).toBe(first.ledger);
			expect(s.dueAt).toBe(1000);
		}
		expect(view.recounts).toBe(1);
		clock = 1000;
		const next = view.current();
		expect(next.ledger.totals.records).toBe(11);
		expect(next.ledger.by.run.get('run-1')?.records).toBe(11);
		expect(next.dueAt).toBeNull();
		expect(view.recounts).toBe(2);
		// The raw revision carries over, so views keyed on it see a change.
		expect(next.ledger.revision).toBe(raw.revision);
	});

	it('a record no rule can touch joins the shown count at once, the same as a re-count gives', () => {
		const raw = new Ledger();
		let clock = 0;
		const view = new CountingCoalescer(raw, {intervalMs: 1000, clock: () => clock});
		for (const r of [turn(1, T, T + 60_000), call(1, T + 10_000)]) view.add(r);
		expect(view.current().ledger.totals.records).toBe(1);
		expect(view.recounts).toBe(1);
		// A usage.jsonl line without a workspace, for an issue never seen: no rule can apply to it.
		const line = (n: number, issue: string) =>
			makeRecord({key: `sym:new:${n}`, source: 'symphony', runId: `run-${issue}`, turn: 1, issue, workspace: null, startedAt: T + n, at: T + n, origin: {path: '/usage.jsonl', line: 100 + n, offset: 0}});
		clock = 50;
		view.add(line(1, 'NEW-1'));
		view.add(line(2, 'NEW-2'));
		const s = view.current();
		expect(view.recounts).toBe(1);
		expect(s.dueAt).toBeNull();
		expect(s.ledger.by.issue.get('NEW-1')?.records).toBe(1);
		expect(s.ledger.revision).toBe(raw.revision);
		const recounted = countOnce(raw, {rawCounts: true}).ledger;
		expect(s.ledger.totals).toEqual(recounted.totals);
		expect([...s.ledger.by.issue.keys()].sort()).toEqual([...recounted.by.issue.keys()].sort());
		// A call with a workspace may be covered by a turn: it waits for the re-count as before.
		view.add(call(2, T + 20_000));
		expect(view.current()).toMatchObject({dueAt: 1000});
		expect(view.current().ledger.totals.records).toBe(3);
		// So does a line that arrives while that re-count is pending.
		view.add(line(3, 'NEW-3'));
		expect(view.current().ledger.by.issue.has('NEW-3')).toBe(false);
		clock = 1000;
		expect(view.current().ledger.by.issue.get('NEW-3')?.records).toBe(1);
		expect(view.recounts).toBe(2);
	});

	it('the gate closes again when the transcript file is retracted', () => {
		const raw = new Ledger();
		const view = new CountingCoalescer(raw, {intervalMs: 0, clock: () => 0});
		fed(view, raw, [turn(1, T, T + 60_000), call(1, T + 10_000)]);
		expect(view.gate.mayApply).toBe(true);
		raw.retractFile('/s1.jsonl');
		view.gate.retract('/s1.jsonl');
		expect(view.gate.mayApply).toBe(false);
		expect(view.current().ledger).toBe(raw);
	});

	it('a filter always counts through a derived ledger (filters apply after the rules)', () => {
		const raw = new Ledger();
		const view = new CountingCoalescer(raw, {intervalMs: 0, clock: () => 0, accept: (r) => r.issue === 'MT-1'});
		fed(view, raw, [turn(1, T, T + 60_000), call(1, T + 10_000), call(2, T + 3_600_000)]);
		const s = view.current();
		// The covered call is MT-1's now; the one outside the turn names no issue.
		expect(s.ledger.totals.records).toBe(1);
		expect(s.ledger.by.issue.get('MT-1')?.records).toBe(1);
	});
});

describe('the overlap lookup', () => {
	/**
	 * The rule as written: every turn of the call's workspace or a parent, nearest wins, ties to the
	 * closest workspace then the earliest turn; a call inside several turns of that workspace goes,
	 * in time order, to the earliest of them without a call yet, else the earliest.
	 */
	function naive(calls: UsageRecord[], turns: UsageRecord[], slack: number): Map<string, string> {
		const out = new Map<string, string>();
		const covered = new Set<string>();
		const ties: Array<{c: UsageRecord; inside: UsageRecord[]}> = [];
		const sorted = [...turns].sort((a, b) => a.startedAt! - b.startedAt! || a.key.localeCompare(b.key));
		for (const c of calls) {
			const dist = (t: UsageRecord) => (c.at < t.startedAt! ? t.startedAt! - c.at : c.at > t.at ? c.at - t.at : 0);
			let best: UsageRecord[] | null = null;
			let bestD = Infinity;
			const parts = c.workspace!.split('/');
			for (let n = parts.length; n > 1; n--) {
				const ws = parts.slice(0, n).join('/');
				const list = sorted.filter((x) => x.workspace === ws && dist(x) <= slack);
				const min = Math.min(...list.map(dist));
				if (!(min < bestD)) continue;
				bestD = min;
				best = list.filter((t) => dist(t) === min);
			}
			if (!best) continue;
			if (bestD === 0 && best.length > 1) ties.push({c, inside: best});
			else {
				out.set(c.key, best[0]!.runId);
				covered.add(best[0]!.key);
			}
		}
		ties.sort((a, b) => a.c.at - b.c.at || (a.c.key < b.c.key ? -1 : a.c.key > b.c.key ? 1 : 0));
		for (const {c, inside} of ties) {
			const t = inside.find((x) => !covered.has(x.key)) ?? inside[0]!;
			covered.add(t.key);
			out.set(c.key, t.runId);
		}
		return out;
	}

	it('finds the same turn as a scan of every turn (overlapping, nested and back-to-back turns)', async () => {
		const {applyUsageRule} = await import('../../source/core/counting/usage-rule.js');
		let seed = 7;
		const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
		for (let round = 0; round < 20; round++) {
			const turns: UsageRecord[] = [];
			const calls: UsageRecord[] = [];
			const spaces = ['/w/a', '/w/a/sub', '/w/b'];
			for (let i = 0; i < 30; i++) {
				const start = T + Math.floor(rand() * 600) * 1000;
				const end = start + Math.floor(rand() * 120) * 1000;
				turns.push(makeRecord({key: `t${i}`, source: 'symphony', runId: `turn-${i}`, workspace: spaces[i % 3]!, startedAt: start, at: end, provider: i % 5 === 0 ? 'codex' : 'claude', origin: {path: '/u.jsonl', line: i, offset: 0}}));
			}
			for (let i = 0; i < 200; i++) {
				const ws = [...spaces, '/w/a/sub/deep', '/w/c'][i % 5]!;
				calls.push(makeRecord({key: `c${i}`, source: 'claude', runId: 's', issue: null, turn: null, workspace: ws, at: T + Math.floor(rand() * 800_000), origin: {path: '/s.jsonl', line: i, offset: 0}}));
			}
			const want = naive(calls, turns.filter((t) => t.provider !== 'codex'), 2000);
			const {records} = applyUsageRule([...turns, ...calls]);
			const got = new Map(records.filter((r) => r.source === 'claude' && r.runId !== 's').map((r) => [r.key, r.runId]));
			expect(want.size).toBeGreaterThan(10);
			expect(got).toEqual(want);
		}
	});
});
