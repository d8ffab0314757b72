import {describe, expect, it} from 'vitest';
import {Lifecycle, type Observation} from '../../source/core/anomalies/lifecycle.js';
import {DEFAULT_PARAMS} from '../../source/core/anomalies/params.js';
import {ewmaUpdate, lsqSlope, mad, median, quantile, robustBaseline, robustZ, wilsonLower} from '../../source/core/anomalies/stats.js';
import {MIN, T0} from './helpers.js';

describe('stats', () => {
	it('median, MAD, quantile', () => {
		expect(median([])).toBeNull();
		expect(median([3, 1, 2])).toBe(2);
		expect(median([4, 1, 2, 3])).toBe(2.5);
		expect(mad([1, 1, 2, 2, 4, 6, 9])).toBe(1);
		expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
		expect(quantile([1, 2], 0.95)).toBeCloseTo(1.95);
	});

	it('robustBaseline gives exactly median and mad, ties, zeros and non-finite values included', () => {
		let seed = 7;
		const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
		const pools = [() => rnd() * 3, () => Math.round(rnd() * 4) * 0.1, () => (rnd() < 0.3 ? 0 : rnd() < 0.5 ? -0 : rnd() * 1e-3), () => rnd() * 1e6 - 5e5];
		for (let t = 0; t < 400; t++) {
			const n = 1 + (t % 70);
			const draw = pools[t % pools.length]!;
			const values = Array.from({length: n}, draw);
			if (t % 50 === 49) values[0] = t % 100 === 99 ? Infinity : NaN;
			const b = robustBaseline(values, 0.01)!;
			const m = median(values)!;
			expect(Object.is(b.median, m)).toBe(true);
			expect(Object.is(b.mad, mad(values, m)!)).toBe(true);
		}
	});

	it('robust z uses a floor so a flat history does not explode', () => {
		const b = robustBaseline([10, 10, 10, 10], 0.5)!;
		expect(b.mad).toBe(0);
		expect(b.scale).toBe(1); // 10% of the median beats the absolute floor
		expect(robustZ(14, b)).toBe(4);
		expect(robustBaseline([0, 0, 0], 0.5)!.scale).toBe(0.5);
	});

	it('EWMA with half-life on irregular samples', () => {
		let s = ewmaUpdate({value: null, at: null}, 10, 0, MIN);
		expect(s.value).toBe(10);
		s = ewmaUpdate(s, 0, MIN, MIN); // one half-life: halfway
		expect(s.value).toBeCloseTo(5);
		s = ewmaUpdate(s, 0, MIN, MIN); // no time passed: no change
		expect(s.value).toBeCloseTo(5);
	});

	it('Wilson lower bound and least-squares slope', () => {
		expect(wilsonLower(0, 10)).toBe(0);
		expect(wilsonLower(10, 10)).toBeGreaterThan(0.69);
		expect(wilsonLower(5, 20)).toBeLessThan(0.25);
		expect(lsqSlope([[0, 1], [1, 3], [2, 5]])).toBeCloseTo(2);
		expect(lsqSlope([[1, 1]])).toBeNull();
	});
});

const obs = (at: number, ratio: number, o: Partial<Observation> = {}): Observation => ({
	kind: 'spend_spike',
	scope: {type: 'run', id: 'r'},
	at,
	ratio,
	severity: 'warn',
	value: ratio * 10,
	threshold: 10,
	unit: 'count',
	baseline: null,
	message: 'm',
	...o,
});

describe('lifecycle', () => {
	it('raises at the threshold, holds above 0.8 of it, clears below', () => {
		const l = new Lifecycle(DEFAULT_PARAMS.lifecycle);
		l.observe(obs(T0, 0.99));
		expect(l.flags()).toHaveLength(0);
		l.observe(obs(T0 + 1, 1));
		expect(l.flags()[0]!.active).toBe(true);
		l.observe(obs(T0 + 2, 0.8));
		expect(l.flags()[0]!.active).toBe(true);
		l.observe(obs(T0 + 3, 0.79));
		expect(l.flags()[0]).toMatchObject({active: false, clearedAt: T0 + 3, firstAt: T0 + 1, lastAt: T0 + 2});
	});

	it('does not flap within the cooldown; re-raises after it', () => {
		const l = new Lifecycle(DEFAULT_PARAMS.lifecycle);
		l.observe(obs(T0, 1.5));
		l.observe(obs(T0 + MIN, 0.5)); // clear
		l.observe(obs(T0 + 2 * MIN, 1.5)); // within 5 min of the clear: suppressed
		l.observe(obs(T0 + 5 * MIN, 1.5));
		expect(l.flags()[0]).toMatchObject({active: false, fired: 1});
		l.observe(obs(T0 + 6 * MIN, 1.5)); // 5 min after the clear
		expect(l.flags()[0]).toMatchObject({active: true, fired: 2, firstAt: T0 + 6 * MIN});
	});

	it('escalates one severity on the third firing within an hour', () => {
		const l = new Lifecycle(DEFAULT_PARAMS.lifecycle);
		for (let i = 0; i < 3; i++) {
			l.observe(obs(T0 + i * 10 * MIN, 1.2));
			l.observe(obs(T0 + i * 10 * MIN + MIN, 0.1));
		}
		const f = l.flags()[0]!;
		expect(f.fired).toBe(3);
		expect(f.severity).toBe('crit');
		expect(f.message).toMatch(/escalated/);
	});

	it('keeps the peak of an episode and its evidence', () => {
		const l = new Lifecycle(DEFAULT_PARAMS.lifecycle);
		l.observe(obs(T0, 1.2, {evidence: 'a'}));
		l.observe(obs(T0 + 1, 2, {evidence: 'b', severity: 'crit', value: 20}));
		l.observe(obs(T0 + 2, 1.1, {evidence: 'c', value: 11}));
		const f = l.flags()[0]!;
		expect(f).toMatchObject({severity: 'crit', value: 20, lastAt: T0 + 2});
		expect(f.evidence!.map((e) => e.text)).toEqual(['a', 'b', 'c']);
	});

	it('builds a peak message and evidence once, when the flag is read, as they were at the observation', () => {
		const l = new Lifecycle(DEFAULT_PARAMS.lifecycle);
		let built = 0;
		// A flag that peaks on every observation (its ratio only grows, as retry churn's attempts do).
		for (let i = 1; i <= 200; i++) {
			const n = i;
			l.observe(obs(T0 + i, 1 + i / 100, {message: () => (built++, `peak ${n}`), evidence: () => (built++, `seen ${n}`)}));
		}
		// The raise builds its message and evidence at once; everything after waits for a read.
		expect(built).toBe(2);
		const f = l.flags()[0]!;
		expect(f.message).toBe('peak 200');
		expect(f.evidence!.map((e) => e.text)).toEqual(['seen 1', ...Array.from({length: 11}, (_, k) => `seen ${190 + k}`)]);
		// The raise's two, the last peak's message, and the 11 evidence lines still kept.
		expect(built).toBe(14);
		// The state a snapshot serializes holds text, not closures.
		expect(() => structuredClone(l.state)).not.toThrow();
		l.observe(obs(T0 + 300, 5, {message: 'plain'}));
		expect(l.flags()[0]!.message).toBe('plain');
	});
});
