/**
 * A multiset of numbers kept sorted, for baselines over sets that change a little between
 * evaluations (peer runs, a model's pool of minutes, attempt costs): add/remove cost a binary
 * search and a memmove, the median is O(1) and the MAD O(log n), instead of two sorts per
 * evaluation. Results are bit-identical to `median`/`mad`/`robustBaseline` over the same values
 * (the distances |x − m| are the same floats: fl(m − x) = −fl(x − m)).
 * Values must not be NaN (callers keep only v > 0 or finite sums).
 */
import type {RobustBaseline} from './stats.js';

export class SortedBag {
	private a = new Float64Array(16);
	private n = 0;

	get size(): number {
		return this.n;
	}

	add(v: number): void {
		if (this.n === this.a.length) {
			const grown = new Float64Array(this.a.length * 2);
			grown.set(this.a);
			this.a = grown;
		}
		const i = this.upper(v);
		this.a.copyWithin(i + 1, i, this.n);
		this.a[i] = v;
		this.n++;
	}

	/** Removes one copy of v; false when there is none. */
	remove(v: number): boolean {
		const i = this.lower(v);
		if (i >= this.n || this.a[i] !== v) return false;
		this.a.copyWithin(i, i + 1, this.n);
		this.n--;
		return true;
	}

	clear(): void {
		this.n = 0;
	}

	/** The sorted values (a copy). */
	values(): number[] {
		return Array.from(this.a.subarray(0, this.n));
	}

	median(): number | null {
		const n = this.n;
		if (n === 0) return null;
		const mid = n >> 1;
		return n % 2 === 1 ? this.a[mid]! : (this.a[mid - 1]! + this.a[mid]!) / 2;
	}

	/** Median absolute deviation from `center` (unscaled), as `mad(values, center)`. */
	mad(center: number | null = this.median()): number | null {
		if (center === null || this.n === 0) return null;
		const n = this.n;
		const mid = n >> 1;
		// Distances below the center (growing leftwards) and at/above it (growing rightwards).
		const p = this.lower(center);
		if (n % 2 === 1) return this.kthDistance(mid, center, p);
		return (this.kthDistance(mid - 1, center, p) + this.kthDistance(mid, center, p)) / 2;
	}

	/** As `robustBaseline(values, absFloor)`. */
	robustBaseline(absFloor: number): RobustBaseline | null {
		const m = this.median();
		if (m === null) return null;
		const d = this.mad(m)!;
		return {median: m, mad: d, n: this.n, scale: Math.max(1.4826 * d, 0.1 * Math.abs(m), absFloor)};
	}

	/** The k-th (0-based) smallest |x − c| over both sides of the split p (values < c are left). */
	private kthDistance(k: number, c: number, p: number): number {
		const a = this.a;
		const left = p; // L[i] = c − a[p − 1 − i]
		const right = this.n - p; // R[j] = a[p + j] − c
		const L = (i: number) => c - a[p - 1 - i]!;
		const R = (j: number) => a[p + j]! - c;
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
	private lower(v: number): number {
		let lo = 0;
		let hi = this.n;
		while (lo < hi) {
			const m = (lo + hi) >> 1;
			if (this.a[m]! < v) lo = m + 1;
			else hi = m;
		}
		return lo;
	}

	/** First index with a[i] > v. */
	private upper(v: number): number {
		let lo = 0;
		let hi = this.n;
		while (lo < hi) {
			const m = (lo + hi) >> 1;
			if (this.a[m]! <= v) lo = m + 1;
			else hi = m;
		}
		return lo;
	}
}
