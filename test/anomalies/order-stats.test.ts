import {describe, expect, it} from 'vitest';
import {SortedBag} from '../../source/core/anomalies/order-stats.js';
import {mad, median, robustBaseline} from '../../source/core/anomalies/stats.js';
import {mulberry32} from '../../source/core/prng.js';

describe('SortedBag', () => {
	it('gives the same median, MAD and baseline as sorting, bit for bit, through adds and removes', () => {
		for (const seed of [1, 2, 3, 4, 5, 6]) {
			const rand = mulberry32(seed);
			const bag = new SortedBag();
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
					expect(bag.remove(kept[at]!)).toBe(true);
					kept.splice(at, 1);
				} else {
					const v = value();
					bag.add(v);
					kept.push(v);
				}
				expect(bag.size).toBe(kept.length);
				expect(bag.median()).toBe(median(kept));
				expect(bag.mad()).toBe(mad(kept));
				expect(bag.robustBaseline(0.01)).toEqual(robustBaseline(kept, 0.01));
			}
			expect(bag.values()).toEqual([...kept].sort((a, b) => a - b));
		}
	});

	it('empty, one value, and removing what is not there', () => {
		const bag = new SortedBag();
		expect(bag.median()).toBeNull();
		expect(bag.mad()).toBeNull();
		expect(bag.robustBaseline(1)).toBeNull();
		expect(bag.remove(3)).toBe(false);
		bag.add(3);
		expect(bag.median()).toBe(3);
		expect(bag.mad()).toBe(0);
		expect(bag.remove(4)).toBe(false);
		expect(bag.remove(3)).toBe(true);
		expect(bag.size).toBe(0);
	});
});
