import {describe, expect, it} from 'vitest';
import {bagAdd, bagMad, bagMedian, bagRemove, bagRobustBaseline, bagValues, newBag} from '../../source/core/anomalies/order-stats.js';
import {mad, median, robustBaseline} from '../../source/core/anomalies/stats.js';
import {mulberry32} from '../../source/core/prng.js';

describe('sorted bag', () => {
	it('gives the same median, MAD and baseline as sorting, bit for bit, through adds and removes', () => {
		for (const seed of [1, 2, 3, 4, 5, 6]) {
			const rand = mulberry32(seed);
			const bag = newBag();
			const kept: number[] = [];
			// Values with ties, zeros, negatives and log-like fractions: where float rounding could differ.
			const value = () => {
				const r = rand();
				if (r < 0.2) return Math.floor(rand() * 5);
				if (r < 0.4) return Math.log(1 + rand() * 10);
				if (r < 0.5) return -rand() * 3;
				return rand() * 1000 + 0.1;
			};
			for (let step = 0; step < 1500; step++) {
				if (kept.length > 0 && rand() < 0.4) {
					const at = Math.floor(rand() * kept.length);
					expect(bagRemove(bag, kept[at]!)).toBe(true);
					kept.splice(at, 1);
				} else {
					const v = value();
					bagAdd(bag, v);
					kept.push(v);
				}
				expect(bag.n).toBe(kept.length);
				expect(bagMedian(bag)).toBe(median(kept));
				expect(bagMad(bag)).toBe(mad(kept));
				expect(bagRobustBaseline(bag, 0.01)).toEqual(robustBaseline(kept, 0.01));
			}
			expect(bagValues(bag)).toEqual([...kept].sort((a, b) => a - b));
		}
	});

	it('empty, one value, and removing what is not there', () => {
		const bag = newBag();
		expect(bagMedian(bag)).toBeNull();
		expect(bagMad(bag)).toBeNull();
		expect(bagRobustBaseline(bag, 1)).toBeNull();
		expect(bagRemove(bag, 3)).toBe(false);
		bagAdd(bag, 3);
		expect(bagMedian(bag)).toBe(3);
		expect(bagMad(bag)).toBe(0);
		expect(bagRemove(bag, 4)).toBe(false);
		expect(bagRemove(bag, 3)).toBe(true);
		expect(bag.n).toBe(0);
	});
});

describe('median and mad over a reused buffer', () => {
	// The typed array sort they replace: the reference for order (-0 before +0, NaN last).
	const refMedian = (values: number[]) => {
		if (values.length === 0) return null;
		const s = Float64Array.from(values).sort();
		const mid = s.length >> 1;
		return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
	};
	it('gives the floats a typed array sort gives, signed zeros and NaN included', () => {
		const rand = mulberry32(7);
		const pool = [0, -0, 1, -1, NaN, 0.5, 3, 3, Infinity, -Infinity];
		for (let round = 0; round < 3000; round++) {
			const n = Math.floor(rand() * 90);
			const values = Array.from({length: n}, () => (rand() < 0.5 ? pool[Math.floor(rand() * pool.length)]! : rand() * 10 - 5));
			const m = median(values);
			expect(Object.is(m, refMedian(values))).toBe(true);
			if (m !== null) expect(Object.is(mad(values, m), refMedian(values.map((v) => Math.abs(v - m))))).toBe(true);
		}
	});
});
