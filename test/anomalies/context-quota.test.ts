import {describe, expect, it} from 'vitest';
import {cacheMissStorm, contextPressure, contextWindowOf} from '../../source/core/anomalies/context.js';
import {rateLimitProximity} from '../../source/core/anomalies/quota.js';
import type {QuotaSample, UsageRecord} from '../../source/core/record.js';
import {batch, byKind, MIN, one, rec, streamed, T0} from './helpers.js';

const req = (i: number, input: number, o: Partial<UsageRecord> & {cacheRead?: number; cacheWrite?: number; step?: number} = {}) => {
	const {cacheRead = null, cacheWrite = null, step = 20_000, ...rest} = o;
	return rec({source: 'claude', granularity: 'per-message', model: 'claude-sonnet-4-6', at: T0 + i * step, tokens: {input, output: 500, total: input + 500, cacheRead, cacheWrite}, ...rest});
};

describe('context windows', () => {
	it('knows the families and says unknown otherwise', () => {
		expect(contextWindowOf('claude-opus-4-1-20250805')).toBe(200_000);
		expect(contextWindowOf('gpt-5.3-codex')).toBe(400_000);
		expect(contextWindowOf('gemini-2.5-pro')).toBe(1_048_576);
		expect(contextWindowOf('mystery-model')).toBeNull();
		expect(contextWindowOf(null)).toBeNull();
	});
});

describe('A9 context_pressure', () => {
	const run = (records: UsageRecord[]) => batch({records, now: T0 + 60 * MIN, detectors: () => [contextPressure()]});

	it('warns at 85% fill, not at 84%; crit at 95%', () => {
		expect(run([req(0, 168_000)]).flags).toHaveLength(0);
		expect(one(run([req(0, 170_000)]).flags, 'context_pressure')).toMatchObject({severity: 'warn', value: 0.85, threshold: 0.85, unit: 'ratio'});
		expect(one(run([req(0, 192_000)]).flags, 'context_pressure')!.severity).toBe('crit');
	});

	it('warns when the context will fill within 3 requests at its growth', () => {
		const growing = [130_000, 140_000, 150_000, 160_000].map((p, i) => req(i, p)); // 80% and +10k/request: ETA 4
		expect(run(growing).flags).toHaveLength(0);
		const faster = [110_000, 125_000, 140_000, 155_000].map((p, i) => req(i, p)); // 77.5%, +15k: ETA 3
		const f = one(run(faster).flags, 'context_pressure')!;
		expect(f.message).toMatch(/will fill in about 3\.0 requests/);
	});

	it('the ETA needs 3 requests (minimum evidence); per-turn records are never judged', () => {
		expect(run([req(0, 100_000), req(1, 160_000)]).flags).toHaveLength(0);
		const out = run([rec({granularity: 'per-turn', tokens: {input: 199_000}})]);
		expect(out.flags).toHaveLength(0);
		expect(out.notes[0]!.message).toMatch(/per-request/);
	});

	it('unknown models are not guessed: a note says so; a stated window wins', () => {
		const out = run([req(0, 900_000, {model: 'mystery-model'})]);
		expect(out.flags).toHaveLength(0);
		expect(out.notes).toEqual([{kind: 'context_pressure', state: 'unknown', message: expect.stringContaining('mystery-model')}]);
		expect(one(run([req(0, 240_000, {model: 'mystery-model', contextWindow: 258_400})]).flags, 'context_pressure')).toBeDefined();
	});

	it('a 200k model seen above 200k is a 1M variant, not 120% full', () => {
		expect(run([req(0, 150_000), req(1, 240_000)]).flags).toHaveLength(0);
	});

	it('does not flap around the threshold; replayed equals streamed', () => {
		const wobble = [171_000, 165_000, 172_000, 130_000, 171_000, 172_000].map((p, i) => req(i, p, {step: 20_000}));
		const f = one(run(wobble).flags, 'context_pressure')!;
		expect(f.fired).toBe(1); // 165k (82.5%) holds; 130k (65% < 0.8 × 85%) clears; 171k within 5 min stays quiet
		expect(f.active).toBe(false);
		const c = {records: [...wobble, ...[100_000, 150_000, 190_000].map((p, i) => req(10 + i, p, {runId: 'r2'}))], now: T0 + 60 * MIN, detectors: () => [contextPressure()]};
		expect(streamed(c, 2)).toEqual(batch(c));
	});
});

describe('A11 cache_miss_storm', () => {
	const hit = (i: number, o: Partial<UsageRecord> = {}) => req(i, 100_000, {cacheRead: 95_000, cacheWrite: 2_000, ...o});
	const miss = (i: number, o: Partial<UsageRecord> = {}) => req(i, 100_000, {cacheRead: 5_000, cacheWrite: 90_000, ...o});
	const run = (records: UsageRecord[]) => batch({records, now: T0 + 3 * 60 * MIN, detectors: () => [cacheMissStorm()]});
	const base = () => [0, 1, 2, 3, 4, 5].map((i) => hit(i));

	it('3 cache rewrites in the last 5 requests after a cached baseline warns; 2 do not', () => {
		expect(run([...base(), miss(6), miss(7), hit(8)]).flags).toHaveLength(0);
		const f = one(run([...base(), miss(6), miss(7), miss(8)]).flags, 'cache_miss_storm')!;
		expect(f).toMatchObject({severity: 'warn', value: 3, threshold: 3});
		expect(f.message).toMatch(/prompt prefix/);
	});

	it('rewrites after idle gaps longer than the TTL are an info idle re-cache', () => {
		const idle = [...base(), ...[0, 1, 2].map((k) => miss(0, {at: T0 + (10 + k * 10) * MIN}))];
		expect(one(run(idle).flags, 'cache_miss_storm')!.severity).toBe('info');
	});

	it('needs a baseline of 3 requests reading ≥ 70% from cache', () => {
		expect(run([hit(0), miss(1), miss(2), miss(3)]).flags).toHaveLength(0);
		const cold = [0, 1, 2, 3, 4, 5].map((i) => req(i, 100_000, {cacheRead: 50_000, cacheWrite: 2_000}));
		expect(run([...cold, miss(6), miss(7), miss(8)]).flags).toHaveLength(0);
	});

	it('does not flap; replayed equals streamed', () => {
		const records = [...base(), miss(6), miss(7), miss(8), hit(9), hit(10), hit(11), miss(12), miss(13), miss(14)];
		expect(one(run(records).flags, 'cache_miss_storm')!.fired).toBe(1);
		const c = {records, now: T0 + 60 * MIN, detectors: () => [cacheMissStorm()]};
		expect(streamed(c, 5)).toEqual(batch(c));
	});
});

describe('A12 rate_limit_proximity', () => {
	const RESET = Math.floor((T0 + 5 * 60 * MIN) / 1000);
	const sample = (i: number, used: number, step = 5 * MIN, resetsAt: number | null = RESET): UsageRecord => {
		const at = T0 + i * step;
		const quota: QuotaSample = {at, planType: 'pro', windows: [{label: 'primary', windowMinutes: 300, usedPercent: used, resetsAt}]};
		return rec({source: 'codex', at, quota});
	};
	const run = (records: UsageRecord[]) => batch({records, now: T0 + 6 * 60 * MIN, detectors: () => [rateLimitProximity()]});

	it('warns at 80% used, not at 79%; crit at 95%', () => {
		expect(run([sample(0, 79)]).flags).toHaveLength(0);
		const f = one(run([sample(0, 80)]).flags, 'rate_limit_proximity')!;
		expect(f).toMatchObject({severity: 'warn', value: 80, threshold: 80, scope: {type: 'source', id: 'codex 5-hour'}});
		expect(one(run([sample(0, 96)]).flags, 'rate_limit_proximity')!.severity).toBe('crit');
	});

	it('warns when the slope projects 100% before the reset (3 samples needed)', () => {
		expect(run([sample(0, 10), sample(1, 20)]).flags).toHaveLength(0); // only 2 samples
		const f = one(run([sample(0, 10), sample(1, 20), sample(2, 30)]).flags, 'rate_limit_proximity')!;
		expect(f.message).toMatch(/on track for/);
		expect(run([sample(0, 10), sample(1, 11), sample(2, 12)]).flags).toHaveLength(0);
	});

	it('a sample repeated on later records (Codex carries the last one) counts once', () => {
		const s0 = sample(0, 10);
		const s1 = sample(1, 20);
		const repeats = [rec({source: 'codex', at: s1.at + 1000, quota: s1.quota}), rec({source: 'codex', at: s1.at + 2000, quota: s1.quota})];
		expect(run([s0, s1, ...repeats]).flags).toHaveLength(0); // still two samples: no slope yet
	});

	it('no vendor data: "unknown", never a guess', () => {
		const out = run([rec({source: 'codex'})]);
		expect(out.flags).toHaveLength(0);
		expect(out.notes[0]).toMatchObject({kind: 'rate_limit_proximity', state: 'unknown'});
	});

	it('a window reset starts the slope over; does not flap; replayed equals streamed', () => {
		const records = [sample(0, 80), sample(1, 70), sample(2, 81), sample(3, 60, 5 * MIN, RESET + 18_000), sample(4, 61, 5 * MIN, RESET + 18_000)];
		const f = one(run(records).flags, 'rate_limit_proximity')!;
		expect(f.fired).toBe(1); // 70% is above 0.8 × 80%; 81% re-rises within the same episode
		expect(f.active).toBe(false);
		const c = {records, now: T0 + 60 * MIN, detectors: () => [rateLimitProximity()]};
		expect(streamed(c, 8)).toEqual(batch(c));
		expect(byKind(batch(c).flags, 'rate_limit_proximity')).toHaveLength(1);
	});

	it('stale: a window whose reset time has passed is reset, not active (old rollouts)', () => {
		// A weekly window sampled months ago at 53 %, reset long since.
		const at = T0;
		const resetsAt = Math.floor((T0 + 2.7 * 1440 * MIN) / 1000);
		const quota: QuotaSample = {at, planType: 'plus', windows: [{label: 'weekly', windowMinutes: 10080, usedPercent: 85, resetsAt}]};
		const old = rec({source: 'codex', at, quota});
		const months = batch({records: [old], now: T0 + 90 * 1440 * MIN, detectors: () => [rateLimitProximity()]});
		const f = one(months.flags, 'rate_limit_proximity')!;
		expect(f.active).toBe(false);
		expect(f.clearedAt).toBe(resetsAt * 1000);
		expect(f.message).not.toMatch(/resets in/);
		expect(f.message).toMatch(/the window reset at/);
		// Before the reset, "resets in" is measured from now, not from the sample.
		const dayLater = batch({records: [old], now: T0 + 1440 * MIN, detectors: () => [rateLimitProximity()]});
		const g = one(dayLater.flags, 'rate_limit_proximity')!;
		expect(g.active).toBe(true);
		expect(g.message).toMatch(/resets in 40\.8 h/); // 2.7 d from the sample, 1.7 d from now
	});

	it('a projection from a tiny sample needs a minimum of evidence (2 % used is no trend)', () => {
		// 1 → 2 % in 4 minutes would "project" far past 100 % over five hours; 2 % used is below the minimum.
		const tiny = [sample(0, 0.5, MIN), sample(2, 1, MIN), sample(4, 2, MIN)];
		expect(run(tiny).flags).toHaveLength(0);
		// Three samples one minute apart (span under 10 min) are not enough either, even at 30 %.
		const quick = [sample(0, 30, MIN), sample(1, 35, MIN), sample(2, 40, MIN)];
		expect(run(quick).flags).toHaveLength(0);
	});
});
