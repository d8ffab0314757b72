import {describe, expect, it} from 'vitest';
import {retryChurn} from '../../source/core/anomalies/churn.js';
import {dataQuality} from '../../source/core/anomalies/data-quality.js';
import {stall} from '../../source/core/anomalies/stall.js';
import type {DataContext} from '../../source/core/anomalies/types.js';
import type {UsageRecord} from '../../source/core/record.js';
import {FlagMonitor} from '../../source/core/anomalies/monitor.js';
import {DEFAULT_PARAMS} from '../../source/core/anomalies/params.js';
import {batch, byKind, costOf, ev, MIN, mixedHistory, one, rec, streamed, T0, type RecordInput} from './helpers.js';

describe('A7 stall', () => {
	// A run with a call/result rhythm every 30 s, then a call with no result.
	const rhythm = (n: number) => Array.from({length: n}, (_, i) => [ev('tool_call', T0 + i * 30_000, 'Bash', `step ${i}`), ev('tool_result', T0 + i * 30_000 + 5000, 'Bash', 'ok', {ok: true})]).flat();
	const blocked = (n = 12) => [...rhythm(n), ev('tool_call', T0 + n * 30_000, 'Bash', 'npm install')];
	const last = T0 + 12 * 30_000;
	const run = (events: ReturnType<typeof ev>[], now: number, data?: DataContext) => batch({events, now, data, detectors: () => [stall()]});

	it('a pending tool call past max(5 min, 3 × q95 gap) warns; just under does not; twice over is crit', () => {
		expect(run(blocked(), last + 5 * MIN).flags).toHaveLength(0);
		const f = one(run(blocked(), last + 5 * MIN + 1000).flags, 'stall')!;
		expect(f).toMatchObject({severity: 'warn', unit: 'minutes', threshold: 5, firstAt: last, lastAt: last + 5 * MIN + 1000});
		expect(f.message).toMatch(/waited 5 min on a Bash call with no result/);
		expect(one(run(blocked(), last + 11 * MIN).flags, 'stall')!.severity).toBe('crit');
	});

	it('a run whose calls all have results is not stalled (silence alone is never a stall)', () => {
		expect(run(rhythm(12), last + 60 * MIN).flags).toHaveLength(0);
	});

	it('a run the caller knows is running is "silent" when quiet past the bound', () => {
		const f = one(run(rhythm(12), last + 30 * MIN, {sources: [], priced: false, runningRuns: new Set(['run-1'])}).flags, 'stall')!;
		expect(f.message).toMatch(/silent/);
	});

	it('with under 10 gaps (minimum evidence) the 5-minute floor is the bound; slow runs get a longer one', () => {
		const slow = [...Array.from({length: 12}, (_, i) => [ev('tool_call', T0 + i * 4 * MIN, 'Task', `x${i}`), ev('tool_result', T0 + i * 4 * MIN + 3 * MIN, 'Task', 'ok', {ok: true})]).flat(), ev('tool_call', T0 + 48 * MIN, 'Task', 'y')];
		const f = run(slow, T0 + 48 * MIN + 8 * MIN);
		expect(f.flags).toHaveLength(0); // bound = 3 × q95(1-3 min gaps) ≈ 9 min
		expect(one(run(blocked(3), T0 + 3 * 30_000 + 5 * MIN + 1000).flags, 'stall')!.baseline).toEqual({window: 'floor 5m'});
	});

	it('a kept evaluation keeps only what atNow reads without running runs (blocked runs; no run → source map), and judges every later now as the whole fold does', () => {
		// run-1 is blocked on a call; run-2 kept its rhythm and answered every call (never a stall without runningRuns).
		const quiet = rhythm(12).map((e) => ({...e, runId: 'run-2'}));
		const {records, events} = mixedHistory({peers: 8, bigRun: true});
		const m = new FlagMonitor({params: DEFAULT_PARAMS, costOf});
		m.addRecords(records);
		m.addEvents([...events, ...blocked(), ...quiet].sort((a, b) => a.at - b.at));
		const data: DataContext = {sources: [], priced: true};
		m.setData(data);
		m.evaluate(last); // folds what was added (a snapshot is taken of a settled fold)
		const kept = structuredClone(m.evaluationSnapshot()!);
		const stallState = kept.detectors.find((d) => (d as {runs?: unknown}).runs instanceof Map) as {runs: Map<string, unknown>};
		expect([...stallState.runs.keys()]).toContain('run-1');
		expect(stallState.runs.has('run-2')).toBe(false);
		const quality = kept.detectors.find((d) => (d as {runSource?: unknown}).runSource instanceof Map) as {runSource: Map<string, unknown>; sources: Map<string, unknown>};
		expect(quality.runSource.size).toBe(0);
		expect(quality.sources.size).toBeGreaterThan(0);
		for (const now of [last + 4 * MIN, last + 6 * MIN, last + 12 * MIN, last + 30 * 60 * MIN]) {
			const whole = m.evaluate(now);
			expect(FlagMonitor.evaluateAt({params: DEFAULT_PARAMS}, structuredClone(kept), data, now)).toEqual(whole);
		}
		expect(one(m.evaluate(last + 6 * MIN).flags, 'stall')).toBeDefined();
		// What it was cut for: a caller that knows running runs needs the whole fold.
		expect(() => FlagMonitor.evaluateAt({params: DEFAULT_PARAMS}, kept, {...data, runningRuns: new Set(['run-2'])}, last + 30 * MIN)).toThrow(/running runs/);
	});

	it('evaluated at now from folded state: streamed equals replayed, and a result clears it', () => {
		const c = {events: blocked(), now: last + 7 * MIN, detectors: () => [stall()]};
		expect(streamed(c, 3)).toEqual(batch(c));
		expect(run([...blocked(), ev('tool_result', last + 6 * MIN, 'Bash', 'done', {ok: true})], last + 7 * MIN).flags).toHaveLength(0);
	});
});

describe('A14 retry_churn', () => {
	const attempt = (k: number, usd = 1, issue = 'MT-9', role = 'developer') =>
		Array.from({length: 3}, (_, t) => rec({runId: `${issue}-a${k}`, issue, at: T0 + k * 60 * MIN + t * MIN, usd: usd / 3, meta: {botRole: role}}));
	const run = (records: UsageRecord[]) => batch({records, now: T0 + 48 * 60 * MIN, detectors: () => [retryChurn()]});

	it('3 attempts at one issue warn; 2 do not', () => {
		expect(run([...attempt(0), ...attempt(1)]).flags).toHaveLength(0);
		const f = one(run([...attempt(0), ...attempt(1), ...attempt(2)]).flags, 'retry_churn')!;
		expect(f).toMatchObject({severity: 'warn', value: 3, threshold: 3, scope: {type: 'issue', id: 'MT-9'}});
		expect(f.message).toMatch(/3 developer attempts costing \$3\.00/);
	});

	it('crit when the attempts cost more than 3× a typical attempt (8 runs for the median)', () => {
		const others = Array.from({length: 8}, (_, k) => attempt(-20 + k, 1, `MT-${100 + k}`)).flat(); // earlier: judged in event time
		const f = one(run([...others, ...attempt(0, 2), ...attempt(1, 2), ...attempt(2, 2)]).flags, 'retry_churn')!;
		expect(f.severity).toBe('crit');
		expect(f.baseline).toMatchObject({median: 1});
	});

	it('reviewer runs are not retries; transcripts are not attempts', () => {
		expect(run([...attempt(0), ...attempt(1), ...attempt(2, 1, 'MT-9', 'reviewer')]).flags).toHaveLength(0);
		const claude = [0, 1, 2, 3].map((k) => rec({source: 'claude', runId: `s${k}`, issue: 'MT-9', at: T0 + k * MIN}));
		expect(run(claude).flags).toHaveLength(0);
	});

	it('attempts only grow (no flapping); replayed equals streamed', () => {
		const records = [...attempt(0), ...attempt(1), ...attempt(2), ...attempt(3)];
		expect(one(run(records).flags, 'retry_churn')!.fired).toBe(1);
		const c = {records, now: T0 + 48 * 60 * MIN, detectors: () => [retryChurn()]};
		expect(streamed(c, 6)).toEqual(batch(c));
	});
});

describe('A16 data_quality', () => {
	const src = (o: Partial<DataContext['sources'][number]> = {}) => ({kind: 'symphony' as const, path: '/t', records: 1000, problems: 0, ...o});
	const run = (records: UsageRecord[], data: DataContext, now = T0 + 60 * MIN) => batch({records, now, data, detectors: () => [dataQuality()]});
	const some = (n: number, o: RecordInput = {}) => Array.from({length: n}, (_, i) => rec({at: T0 + i * 1000, usd: 0.01, ...o}));

	it('parse problems above 1% warn; at 1% they do not', () => {
		expect(run(some(3), {sources: [src({records: 990, problems: 10})], priced: true}).flags).toHaveLength(0);
		const f = one(run(some(3), {sources: [src({records: 980, problems: 20})], priced: true}).flags, 'data_quality')!;
		expect(f).toMatchObject({severity: 'warn', scope: {type: 'source', id: 'symphony'}, unit: 'percent', value: 2});
	});

	it('schema-version mismatches warn', () => {
		const f = one(run(some(3), {sources: [src({problemsByKind: {'schema-version': 1}})], priced: true}).flags, 'data_quality')!;
		expect(f.message).toMatch(/newer schema version/);
	});

	it('unpriced records: info above 0, warn above 5%; not judged without a pricer', () => {
		const few = [...some(99), rec({at: T0, usd: null})];
		expect(one(run(few, {sources: [src()], priced: true}).flags, 'data_quality')!.severity).toBe('info');
		const many = [...some(90), ...some(10, {usd: null})];
		expect(one(run(many, {sources: [src()], priced: true}).flags, 'data_quality')!.severity).toBe('warn');
		expect(run(many, {sources: [src()], priced: false}).flags).toHaveLength(0);
		expect(run(some(100), {sources: [src()], priced: true}).flags).toHaveLength(0);
	});

	it('records without token counts are an info finding, not "unpriced"', () => {
		const f = one(run([...some(9), rec({at: T0, usageSource: 'unavailable', tokens: {input: null, output: null, total: null}})], {sources: [src()], priced: true}).flags, 'data_quality')!;
		expect(f).toMatchObject({severity: 'info', value: 1});
		expect(f.message).toMatch(/state no token counts/);
	});

	it('a busy source gone silent while others are active; not with too few records (minimum evidence)', () => {
		const busy = Array.from({length: 30}, (_, i) => rec({at: T0 + i * MIN, usd: 0.01}));
		const other = [rec({source: 'claude', at: T0 + 80 * MIN, usd: 0.01})];
		const data = {sources: [src(), src({kind: 'claude'})], priced: true};
		const f = one(run([...busy, ...other], data, T0 + 82 * MIN).flags, 'data_quality')!;
		expect(f.message).toMatch(/symphony has written nothing for 53 min/);
		expect(run([...busy.slice(0, 10), ...other], data, T0 + 82 * MIN).flags).toHaveLength(0);
		expect(run(busy, data, T0 + 82 * MIN).flags).toHaveLength(0); // nothing else is alive either
	});

	it('replayed equals streamed', () => {
		const c = {records: [...some(90), ...some(10, {usd: null})], now: T0 + 60 * MIN, data: {sources: [src({problems: 40})], priced: true}, detectors: () => [dataQuality()]};
		expect(streamed(c, 4)).toEqual(batch(c));
		expect(byKind(batch(c).flags, 'data_quality')[0]!.evidence).toHaveLength(2);
	});
});
