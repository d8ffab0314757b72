import {describe, expect, it} from 'vitest';
import {parseBudget, parseFlagsConfig} from '../../source/core/anomalies/config.js';
import {createFlagHook, detect, FlagMonitor} from '../../source/core/anomalies/index.js';
import {DEFAULT_PARAMS, resolveParams} from '../../source/core/anomalies/params.js';
import {flagSectionLines, flagSectionMarkdown} from '../../source/core/anomalies/report-section.js';
import {Ledger} from '../../source/core/ledger.js';
import type {ActivityEvent, UsageRecord} from '../../source/core/record.js';
import type {SummaryJson} from '../../source/core/summary.js';
import {batch, costOf, ev, MIN, mixedHistory, rec, streamed, T0} from './helpers.js';

const history = () => mixedHistory({peers: 9, bigRun: false});

describe('replayed history equals living through it (all kinds together)', () => {
	const c = {...history(), now: T0 + 12 * 60 * MIN, params: {budget: {run: 3, issue: 10, day: 30}}};

	it('raises most kinds', () => {
		const kinds = new Set(batch(c).flags.map((f) => f.kind));
		for (const k of ['spend_spike', 'run_cost_outlier', 'budget_burn', 'loop_repetition', 'error_loop', 'tool_failure_streak', 'context_pressure', 'cache_miss_storm', 'rate_limit_proximity', 'retry_churn', 'stall']) {
			expect(kinds, k).toContain(k);
		}
	});

	it('streamed in random pieces, with late lines and evaluations in between, gives identical flags', () => {
		const b = batch(c);
		for (const seed of [11, 12, 13, 14, 15]) expect(streamed(c, seed)).toEqual(b);
	});

	it('every flag carries the contract fields and one sentence', () => {
		for (const f of batch(c).flags) {
			expect(f.id).toBe(`${f.kind}:${f.scope.type}:${f.scope.id}`);
			expect(['info', 'warn', 'crit']).toContain(f.severity);
			expect(Number.isFinite(f.value) && Number.isFinite(f.threshold)).toBe(true);
			expect(f.firstAt).toBeLessThanOrEqual(f.lastAt);
			expect(f.message).toMatch(/^[A-Z].*[.)]$/);
			expect(f.message).not.toMatch(/\n/);
		}
	});

	it('the live hook returns only live flags (last evidence < 10 min) and matches the batch', () => {
		const {records, events} = history();
		const ledger = new Ledger({pricer: (r) => ({usd: costOf(r), basis: costOf(r) === null ? 'unpriced' : 'computed'})});
		const hook = createFlagHook({params: resolveParams({budget: {run: 3, issue: 10, day: 30}}), lateness: 0, clock: () => 0});
		const seen: ActivityEvent[] = [];
		const sorted = [...records].sort((a, b) => a.at - b.at);
		for (let i = 0; i < sorted.length; i += 9) {
			ledger.add(sorted.slice(i, i + 9));
			hook(ledger, sorted[Math.min(i + 8, sorted.length - 1)]!.at, () => seen);
		}
		seen.push(...events);
		const now = T0 + 10 * 60 * MIN + 3 * MIN;
		const live = hook(ledger, now, () => seen);
		expect(live.length).toBeGreaterThan(0);
		expect(live.every((f) => f.lastAt >= now - 10 * MIN && f.active !== false)).toBe(true);
		const all = createFlagHook({params: resolveParams({budget: {run: 3, issue: 10, day: 30}}), all: true, lateness: 0, clock: () => 0})(ledger, now, () => seen);
		expect(all).toEqual(detect({records: ledger.records(), events, costOf: (r) => ledger.costOf(r.key)?.usd ?? null, params: resolveParams({budget: {run: 3, issue: 10, day: 30}}), now, data: {sources: [], priced: true}}).flags);
	});
});

describe('live hook with the engine\'s per-file event lists', () => {
	it('events appended to an earlier file (mid-list) are picked up once; a re-read file starts over', () => {
		const {records, events} = history();
		const ledger = new Ledger({pricer: (r) => ({usd: costOf(r), basis: costOf(r) === null ? 'unpriced' : 'computed'})});
		ledger.add(records);
		const fileA = events.filter((e) => e.runId === 'loopy').slice(0, 6);
		const fileB = events.filter((e) => e.runId !== 'loopy');
		const all = createFlagHook({all: true, lateness: 0, clock: () => 0});
		const now = T0 + 12 * 60 * MIN;
		all(ledger, now, () => [...fileA, ...fileB]);
		fileA.push(...events.filter((e) => e.runId === 'loopy').slice(6));
		const expected = detect({records: ledger.records(), events: [...fileA, ...fileB], costOf: (r) => ledger.costOf(r.key)?.usd ?? null, now, data: {sources: [], priced: true}}).flags;
		expect(all(ledger, now, () => [...fileA, ...fileB])).toEqual(expected);
		// File A re-read: the same events as new objects, and one fewer.
		const reread = fileA.slice(0, -1).map((e) => ({...e}));
		const after = detect({records: ledger.records(), events: [...reread, ...fileB], costOf: (r) => ledger.costOf(r.key)?.usd ?? null, now, data: {sources: [], priced: true}}).flags;
		expect(all(ledger, now, () => [...reread, ...fileB])).toEqual(after);
	});
});

describe('lateness (live): lines a little out of order', () => {
	it('slot in without a re-fold, and the result equals a batch with the same lateness', () => {
		const {records, events} = history();
		const options = {params: resolveParams({budget: {run: 3}}), costOf, lateness: 60_000};
		const batchMonitor = new FlagMonitor(options);
		batchMonitor.addRecords(records);
		batchMonitor.addEvents(events);
		const now = T0 + 12 * 60 * MIN;
		const expected = batchMonitor.evaluate(now);
		const live = new FlagMonitor(options);
		const sorted = [...records].sort((a, b) => a.at - b.at);
		let refolds = 0;
		for (let i = 0; i < sorted.length; i += 2) {
			// Each pair arrives newest first: 2–60 s out of order, within the lateness.
			const pair = sorted.slice(i, i + 2).reverse();
			live.addRecords(pair);
			if (live.needsRefold) refolds++;
			live.evaluate(pair[0]!.at);
		}
		live.addEvents(events);
		expect(refolds).toBe(0);
		expect(live.evaluate(now)).toEqual(expected);
	});

	it('the hook throttles full re-folds: after one, the next waits 10× its duration', () => {
		const {records} = history();
		const ledger = new Ledger({pricer: (r) => ({usd: costOf(r), basis: 'computed'})});
		let t = 0;
		const hook = createFlagHook({params: resolveParams({budget: {run: 3}}), lateness: 0, all: true, clock: () => (t += 5)});
		const sorted = [...records].sort((a, b) => a.at - b.at);
		ledger.add(sorted.slice(40));
		hook(ledger, T0 + 12 * 60 * MIN, () => []);
		ledger.add(sorted.slice(20, 40)); // far in the past: a re-fold runs
		const first = hook(ledger, T0 + 12 * 60 * MIN, () => []);
		ledger.add(sorted.slice(0, 20)); // again, right after: throttled
		const throttled = hook(ledger, T0 + 12 * 60 * MIN, () => []);
		expect(throttled).toBe(first); // the previous flags, not a re-fold
		t += 1000;
		const refolded = hook(ledger, T0 + 12 * 60 * MIN, () => []);
		expect(refolded).toEqual(detect({records: ledger.records(), events: [], costOf: (r) => ledger.costOf(r.key)?.usd ?? null, params: resolveParams({budget: {run: 3}}), now: T0 + 12 * 60 * MIN, data: {sources: [], priced: true}}).flags);
	});
});

describe('config', () => {
	it('parses a flags section', () => {
		const r = parseFlagsConfig('flags:\n  budget: {issue: 5, day: 50}\n  spendSpike: {rz: 5}\n  unpricedFallbackShare: 0.1\n');
		expect(r.ok).toBe(true);
		const p = resolveParams(r.ok ? r.override : undefined);
		expect(p.budget).toMatchObject({issue: 5, day: 50, run: null});
		expect(p.spendSpike.rz).toBe(5);
		expect(p.spendSpike.critRz).toBe(DEFAULT_PARAMS.spendSpike.critRz);
		expect(p.unpricedFallbackShare).toBe(0.1);
		expect(DEFAULT_PARAMS.budget.issue).toBeNull(); // defaults untouched
	});

	it('rejects typos and bad values with the path', () => {
		expect(parseFlagsConfig('flags:\n  spendSpik: {rz: 5}\n')).toEqual({ok: false, error: expect.stringContaining('spendSpik')});
		expect(parseFlagsConfig('flags:\n  spendSpike: {rz: -1}\n')).toEqual({ok: false, error: expect.stringContaining('flags.spendSpike.rz')});
		expect(parseFlagsConfig('flags: [1\n').ok).toBe(false);
		expect(parseFlagsConfig('')).toEqual({ok: true, override: undefined});
	});

	it('rejects every unknown top-level key: a misspelt section never silently turns budgets off', () => {
		expect(parseFlagsConfig('flag:\n  budget: {issue: 5}\n')).toEqual({ok: false, error: 'unknown top-level key "flag" (known: flags)'});
		expect(parseFlagsConfig('budget: {issue: 5}\nprices: {x: 1}\n')).toEqual({ok: false, error: 'unknown top-level keys "budget", "prices" (known: flags)'});
	});

	it('parses --budget values', () => {
		expect(parseBudget('issue=5')).toEqual({ok: true, scope: 'issue', usd: 5});
		expect(parseBudget('day=$50.5')).toEqual({ok: true, scope: 'day', usd: 50.5});
		expect(parseBudget('week=5').ok).toBe(false);
		expect(parseBudget('run=0').ok).toBe(false);
	});
});

describe('report section', () => {
	it('text and markdown list severity, kind, scope, sentence, value vs threshold, and notes', () => {
		const flags = batch({...history(), now: T0 + 12 * 60 * MIN, params: {budget: {run: 3}}}).flags;
		const doc = {flags, flagNotes: [{kind: 'rate_limit_proximity', state: 'unknown', message: 'no vendor data'}]} as unknown as SummaryJson;
		const text = flagSectionLines(doc, 100).map((l) => l.text);
		expect(text[1]).toMatch(/^Flags \(\d+\): (\d+ crit)?/);
		expect(text.some((t) => /^ {2}(WARN|CRIT) budget_burn run retry-0: .* \([\d.]+% vs 80%\)$/.test(t))).toBe(true);
		expect(text.at(-1)).toMatch(/rate_limit_proximity: no vendor data/);
		const md = flagSectionMarkdown(doc).join('\n');
		expect(md).toMatch(/\| Severity \| Kind \| Scope \| What happened \| Value \| Threshold \|/);
		expect(flagSectionLines({flags: []} as unknown as SummaryJson).map((l) => l.text)).toEqual(['', 'Flags: none raised']);
		expect(flagSectionLines({} as SummaryJson)).toEqual([]);
	});
});

describe('no flapping, for every kind at once', () => {
	it('evaluated after every item, no flag re-raises within 5 minutes of clearing', () => {
		const {records, events} = history();
		// Add on/off noise around several thresholds: bursts of errors and failures, a wobbling quota.
		for (let k = 0; k < 30; k++) {
			const at = T0 + 11 * 60 * MIN + k * 40_000;
			events.push(ev(k % 2 === 0 ? 'tool_result' : 'error', at, 'Bash', 'boom 1', {runId: 'flappy', ok: false}));
			events.push(ev('tool_result', at + 20_000, 'Bash', 'ok', {runId: 'flappy', ok: true}));
			records.push(rec({source: 'codex', runId: 'q', at, usd: 0.01, quota: {at, planType: null, windows: [{label: 'primary', windowMinutes: 300, usedPercent: k % 2 === 0 ? 82 : 60, resetsAt: null}]}}));
		}
		const items: Array<{at: number; r?: UsageRecord; e?: ActivityEvent}> = [...records.map((r) => ({at: r.at, r})), ...events.map((e) => ({at: e.at, e}))].sort((a, b) => a.at - b.at);
		const monitor = new FlagMonitor({params: resolveParams({budget: {run: 3}}), costOf});
		const state = new Map<string, {active: boolean; clearedAt: number | null}>();
		let raises = 0;
		for (const item of items) {
			if (item.r) monitor.addRecords([item.r]);
			else monitor.addEvents([item.e!]);
			for (const f of monitor.evaluate(item.at).flags) {
				if (f.kind === 'stall' || f.kind === 'data_quality') continue; // judged at now, no episodes
				const was = state.get(f.id);
				const active = f.active !== false;
				if (active && was && !was.active) {
					raises++;
					expect(f.firstAt - was.clearedAt!, f.id).toBeGreaterThanOrEqual(5 * MIN);
				}
				state.set(f.id, {active, clearedAt: f.clearedAt ?? null});
			}
		}
		expect(raises).toBeGreaterThanOrEqual(2); // re-raises happened, each after its cooldown
	});
});
