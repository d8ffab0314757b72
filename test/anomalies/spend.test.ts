import {describe, expect, it} from 'vitest';
import {budgetBurn, runCostOutlier, spendSpike} from '../../source/core/anomalies/spend.js';
import type {UsageRecord} from '../../source/core/record.js';
import {FlagMonitor} from '../../source/core/anomalies/monitor.js';
import {DEFAULT_PARAMS} from '../../source/core/anomalies/params.js';
import {batch, byKind, costOf, MIN, one, rec, streamed, T0} from './helpers.js';

/** One record a minute from `start`: `usd(i)` each (undefined → unpriced), 1000 tokens × the same factor. */
function series(n: number, usd: (i: number) => number | undefined, o: Partial<UsageRecord> & {start?: number; step?: number} = {}) {
	const {start = T0, step = MIN, ...rest} = o;
	return Array.from({length: n}, (_, i) => {
		const u = usd(i);
		return rec({runId: 'run-1', at: start + i * step, turn: i + 1, tokens: {input: 900, output: 100, total: Math.round(1000 * (u ?? 0.1) * 10)}, ...(u === undefined ? {} : {usd: u}), ...rest});
	});
}

describe('A1 spend_spike', () => {
	/** 40 steady minutes (±30% noise around $0.10 or 20k tokens), then 12 minutes at `factor` ×. */
	const spike = (factor: number, priced = true) => {
		const noise = (i: number) => 1 + ((i % 7) - 3) * 0.1;
		const steady = series(40, (i) => (priced ? 0.1 * noise(i) : undefined));
		const hot = series(12, () => (priced ? 0.1 * factor : undefined), {start: T0 + 40 * MIN});
		if (priced) return [...steady, ...hot];
		return [...steady.map((r, i) => ({...r, tokens: {...r.tokens, total: Math.round(20_000 * noise(i))}})), ...hot.map((r) => ({...r, tokens: {...r.tokens, total: 20_000 * factor}}))];
	};
	const run = (records: UsageRecord[], now = T0 + 60 * MIN) => batch({records, now, detectors: () => [spendSpike()]});

	it('flags a run burning well above its own recent minutes', () => {
		const f = one(run(spike(6)).flags, 'spend_spike')!;
		expect(f).toMatchObject({unit: 'usd/min', scope: {type: 'run', id: 'run-1'}, severity: 'crit'});
		expect(f.value).toBeGreaterThan(0.5);
		expect(f.baseline).toMatchObject({median: 0.1, window: '60m own'});
		expect(f.message).toMatch(/usual \$0\.10\/min/);
	});

	it('a steady run is not a spike', () => {
		expect(run(series(60, (i) => 0.1 + (i % 3) * 0.01)).flags).toHaveLength(0);
	});

	it('both sides of 2× the median (warn below 5×)', () => {
		expect(run(spike(1.9)).flags).toHaveLength(0);
		const f = one(run(spike(2.4)).flags, 'spend_spike')!;
		expect(f.severity).toBe('warn');
		expect(f.baseline!.mad).toBeCloseTo(0.02);
	});

	it('the $0.05/min floor: a cheap run never spikes', () => {
		const cheap = [...series(40, () => 0.005), ...series(12, () => 0.04, {start: T0 + 40 * MIN})];
		expect(run(cheap).flags).toHaveLength(0);
	});

	it('below minimum evidence (a young run, no pool) it does not judge', () => {
		const young = [...series(6, () => 0.1), ...series(5, () => 1, {start: T0 + 6 * MIN})];
		expect(run(young).flags).toHaveLength(0);
	});

	it('a young run is judged against its model pool', () => {
		const older = series(40, () => 0.1, {runId: 'run-old'});
		const young = series(8, (i) => (i < 3 ? 0.1 : 1), {runId: 'run-new', start: T0 + 41 * MIN});
		const f = one(run([...older, ...young]).flags, 'spend_spike')!;
		expect(f.scope.id).toBe('run-new');
		expect(f.baseline!.window).toMatch(/pool/);
	});

	it('falls back to tokens, and says so, when the run is unpriced', () => {
		const f = one(run(spike(6, false)).flags, 'spend_spike')!;
		expect(f).toMatchObject({unit: 'tokens/min', fallback: 'tokens'});
		expect(f.message).toMatch(/in tokens/);
	});

	it('does not flap: an on/off pattern raises at most once per cooldown', () => {
		const flicker = [...series(40, () => 0.1), ...series(20, (i) => (i % 2 === 0 ? 0.6 : 0.02), {start: T0 + 40 * MIN, step: 30_000})];
		const f = one(run(flicker).flags, 'spend_spike')!;
		expect(f.fired).toBeLessThanOrEqual(2);
	});

	it('a run idle past its window keeps only its last minute in the fold; back later, it is judged the same', () => {
		const noise = (i: number) => 1 + ((i % 7) - 3) * 0.1;
		const steady = series(40, (i) => 0.1 * noise(i));
		const back = series(12, () => 0.6, {start: T0 + 4 * 60 * MIN, turn: 100});
		// Another model's run keeps the fold going meanwhile (its own pool: it cannot change run-1's baseline).
		const other = series(200, () => 0.05, {runId: 'run-2', model: 'gpt-5', start: T0 + 45 * MIN});
		const m = new FlagMonitor({params: DEFAULT_PARAMS, costOf, detectors: () => [spendSpike()]});
		m.addRecords([...steady, ...other.slice(0, 150)]);
		m.evaluate(T0 + 200 * MIN);
		const idle = (m.snapshot()!.detectors[0]!.runs as Map<string, {buckets: unknown[]; recent: unknown[]}>).get('run-1')!;
		expect(idle.buckets).toHaveLength(1);
		expect(idle.recent).toHaveLength(0);
		const now = T0 + 5 * 60 * MIN;
		const run1 = (records: UsageRecord[]) => batch({records, now, detectors: () => [spendSpike()]}).flags.filter((f) => f.scope.id === 'run-1');
		const alone = run1([...steady, ...back]);
		expect(alone).toHaveLength(1);
		expect(run1([...steady, ...other, ...back])).toEqual(alone);
	});

	it('replayed equals streamed', () => {
		const c = {records: [...spike(6), ...series(30, () => 0.2, {runId: 'run-2'})], now: T0 + 60 * MIN, detectors: () => [spendSpike()]};
		const b = batch(c);
		// The spike is flagged (equality of two empty lists would prove nothing); the steady run is not.
		expect(one(b.flags, 'spend_spike')).toMatchObject({scope: {id: 'run-1'}});
		for (const seed of [1, 2]) expect(streamed(c, seed)).toEqual(b);
	});
});

describe('A2 run_cost_outlier', () => {
	const PEER_COSTS = [0.8, 0.9, 1.0, 1.1, 1.2, 0.95, 1.05, 1.0, 0.9, 1.1];
	const peers = (n: number) => PEER_COSTS.slice(0, n).flatMap((c, p) => series(4, () => c / 4, {runId: `peer-${p}`, start: T0 + p * 10 * MIN}));
	const target = (usd: number, start = T0 + 5 * 60 * MIN) => series(5, () => usd / 5, {runId: 'run-x', start});
	const run = (records: UsageRecord[]) => batch({records, now: T0 + 8 * 60 * MIN, detectors: () => [runCostOutlier()]});

	it('flags a run costing far more than its completed peers (robust z on log cost)', () => {
		const f = one(run([...peers(10), ...target(10)]).flags, 'run_cost_outlier')!;
		expect(f).toMatchObject({scope: {id: 'run-x'}, unit: 'usd', severity: 'crit'});
		expect(f.baseline).toMatchObject({n: 10});
		expect(f.message).toMatch(/10\.\dx|10\.\d×/);
	});

	it('a run like its peers is fine; one just over the median too', () => {
		expect(byKind(run([...peers(10), ...target(1.2)]).flags, 'run_cost_outlier')).toHaveLength(0);
	});

	it('both sides of rz 3', () => {
		// Peers' log-cost scale is the 0.1 floor-or-MAD; threshold ≈ exp(3·scale) × median.
		const warn = one(run([...peers(10), ...target(10)]).flags, 'run_cost_outlier')!;
		const at = warn.threshold;
		expect(byKind(run([...peers(10), ...target(at * 0.97)]).flags, 'run_cost_outlier')).toHaveLength(0);
		expect(one(run([...peers(10), ...target(at * 1.03)]).flags, 'run_cost_outlier')!.severity).toBe('warn');
	});

	it('with fewer than 8 peers: a low-confidence info above 3× median and $2', () => {
		const f = one(run([...peers(5), ...target(3.3)]).flags, 'run_cost_outlier')!;
		expect(f).toMatchObject({severity: 'info'});
		expect(f.message).toMatch(/low confidence/);
		expect(byKind(run([...peers(5), ...target(2.8)]).flags, 'run_cost_outlier')).toHaveLength(0);
	});

	it('below minimum evidence (fewer than 3 peers) it does not judge', () => {
		expect(run([...peers(2), ...target(50)]).flags).toHaveLength(0);
	});

	it('only completed peers count (a run still going is not a peer)', () => {
		const live = PEER_COSTS.flatMap((c, p) => series(4, () => c / 4, {runId: `peer-${p}`, start: T0 + 5 * 60 * MIN - 20 * MIN}));
		expect(run([...live, ...target(10)]).flags).toHaveLength(0);
	});

	it('cost only grows, so it never flaps; replayed equals streamed', () => {
		const records = [...peers(10), ...target(10)];
		expect(one(run(records).flags, 'run_cost_outlier')!.fired).toBe(1);
		const c = {records, now: T0 + 8 * 60 * MIN, detectors: () => [runCostOutlier()]};
		expect(streamed(c, 3)).toEqual(batch(c));
	});
});

describe('A3 budget_burn', () => {
	const run = (records: UsageRecord[], budget: Record<string, number>) => batch({records, now: T0 + 24 * 60 * MIN, params: {budget}, detectors: () => [budgetBurn()]});
	const hourly = (n: number, usd: number, o: Partial<UsageRecord> = {}) => series(n, () => usd, {step: 60 * MIN, ...o});

	it('warns at 80% of a run budget, not at 75%; crit at 100%', () => {
		expect(run(hourly(5, 0.3), {run: 2}).flags).toHaveLength(0); // $1.50 = 75%
		expect(one(run(hourly(6, 0.3), {run: 2}).flags, 'budget_burn')).toMatchObject({severity: 'warn', value: 90, threshold: 80, unit: 'percent'});
		const crit = one(run(hourly(7, 0.3), {run: 2}).flags, 'budget_burn')!;
		expect(crit.severity).toBe('crit');
		expect(crit.message).toMatch(/\$2\.10 of its \$2\.00 run budget/);
	});

	it('warns early when the ETA to the budget is under 30 minutes', () => {
		const f = one(run(series(8, () => 0.1), {issue: 5}).flags, 'budget_burn');
		expect(f).toBeUndefined(); // $0.80 of $5 at $0.10/min: ETA 42 min
		const fast = one(run(series(8, () => 0.2), {issue: 5}).flags, 'budget_burn')!;
		expect(fast.scope).toEqual({type: 'issue', id: 'MT-1'});
		expect(fast.message).toMatch(/will reach its \$5\.00 issue budget in about/);
	});

	it('day budgets are per UTC day', () => {
		const f = one(run(hourly(6, 10), {day: 50}).flags, 'budget_burn')!;
		expect(f.scope).toEqual({type: 'day', id: '2026-10-02'});
		expect(f.severity).toBe('crit');
	});

	it('no budget, or nothing priced: no flag (a budget in dollars cannot be judged in tokens)', () => {
		expect(run(hourly(10, 1), {}).flags).toHaveLength(0);
		expect(run(series(10, () => undefined, {step: 60 * MIN}), {run: 0.01}).flags).toHaveLength(0);
	});

	it('the ETA rule needs 5 records (minimum evidence)', () => {
		expect(run(series(4, () => 0.5), {issue: 5}).flags).toHaveLength(0);
	});

	it('replayed equals streamed; spend only grows so the share never flaps', () => {
		const c = {records: [...hourly(8, 0.3), ...series(20, () => 0.2, {runId: 'r2', issue: 'MT-2'})], now: T0 + 24 * 60 * MIN, params: {budget: {run: 2, issue: 3, day: 4}}, detectors: () => [budgetBurn()]};
		const b = batch(c);
		expect(b.flags.length).toBeGreaterThan(2);
		expect(b.flags.every((f) => f.fired === 1)).toBe(true);
		expect(streamed(c, 9)).toEqual(b);
	});
});
