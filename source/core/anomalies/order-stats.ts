/**
 * A multiset of numbers kept sorted, for baselines over sets that change a little between
 * evaluations (peer runs, a model's pool of minutes, attempt costs): add/remove cost a binary
 * search and a memmove, the median is O(1) and the MAD O(log n), instead of two sorts per
 * evaluation. Results are bit-identical to `median`/`mad`/`robustBaseline` over the same values
 * (the distances |x − m| are the same floats: fl(m − x) = −fl(x − m)).
 * Plain data (a typed array and a count), so a detector's state can be structured-cloned.
 * Values must not be NaN (callers keep only v > 0 or finite sums).
 */
import type {RobustBaseline} from './stats.js';

export interface SortedBag {
	a: Float64Array;
	n: number;
}

export const newBag = (): SortedBag => ({a: new Float64Array(16), n: 0});

export function bagAdd(b: SortedBag, v: number): void {
	if (b.n === b.a.length) {
		const grown = new Float64Array(b.a.length * 2);
		grown.set(b.a);
		b.a = grown;
	}
	const i = upper(b, v);
	b.a.copyWithin(i + 1, i, b.n);
	b.a[i] = v;
	b.n++;
}

/** Removes one copy of v; false when there is none. */
export function bagRemove(b: SortedBag, v: number): boolean {
	const i = lower(b, v);
	if (i >= b.n || b.a[i] !== v) return false;
	b.a.copyWithin(i, i + 1, b.n);
	b.n--;
	return true;
}

/** The sorted values (a copy). */
export function bagValues(b: SortedBag): number[] {
	return Array.from(b.a.subarray(0, b.n));
}

export function bagMedian(b: SortedBag): number | null {
	const n = b.n;
	if (n === 0) return null;
	const mid = n >> 1;
	return n % 2 === 1 ? b.a[mid]! : (b.a[mid - 1]! + b.a[mid]!) / 2;
}

/** Median absolute deviation from `center` (unscaled), as `mad(values, center)`. */
export function bagMad(b: SortedBag, center: number | null = bagMedian(b)): number | null {
	if (center === null || b.n === 0) return null;
	const n = b.n;
	const mid = n >> 1;
	// Distances below the center (growing leftwards) and at/above it (growing rightwards).
	const p = lower(b, center);
	if (n % 2 === 1) return kthDistance(b, mid, center, p);
	return (kthDistance(b, mid - 1, center, p) + kthDistance(b, mid, center, p)) / 2;
}

/** As `robustBaseline(values, absFloor)`. */
export function bagRobustBaseline(b: SortedBag, absFloor: number): RobustBaseline | null {
	const m = bagMedian(b);
	if (m === null) return null;
	const d = bagMad(b, m)!;
	return {median: m, mad: d, n: b.n, scale: Math.max(1.4826 * d, 0.1 * Math.abs(m), absFloor)};
}

/** The k-th (0-based) smallest |x − c|, values below the split p on the left. */
function kthDistance(b: SortedBag, k: number, c: number, p: number): number {
	const a = b.a;
	const left = p; // L[i] = c − a[p − 1 − i], growing with i
	const right = b.n - p; // R[j] = a[p + j] − c, growing with j
	const L = (i: number) => c - a[p - 1 - i]!;
	const R = (j: number) => a[p + j]! - c;
	// Take i from L and j = k + 1 − i from R so that the k + 1 smallest are exactly those.
	let lo = Math.max(0, k + 1 - right);
	let hi = Math.min(left, k + 1);
	for (;;) {
		const i = (lo + hi) >> 1;
		const j = k + 1 - i;
		if (i > 0 && j < right && L(i - 1) > R(j)) hi = i - 1;
		else if (j > 0 && i < left && R(j - 1) > L(i)) lo = i + 1;
		else {
			if (i === 0) return R(j - 1);
			if (j === 0) return L(i - 1);
			return Math.max(L(i - 1), R(j - 1));
		}
	}
}

/** First index with a[i] >= v. */
function lower(b: SortedBag, v: number): number {
	let lo = 0;
	let hi = b.n;
	while (lo < hi) {
		const m = (lo + hi) >> 1;
		if (b.a[m]! < v) lo = m + 1;
		else hi = m;
	}
	return lo;
}

/** First index with a[i] > v. */
function upper(b: SortedBag, v: number): number {
	let lo = 0;
	let hi = b.n;
	while (lo < hi) {
		const m = (lo + hi) >> 1;
		if (b.a[m]! <= v) lo = m + 1;
		else hi = m;
	}
	return lo;
}
