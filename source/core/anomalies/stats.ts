/**
 * Robust statistics for the anomaly rules (docs/anomalies.md "Shared rules"). Pure functions on
 * plain numbers; no clocks.
 */

/** The median of the first `n` values (all of them by default). */
export function median(values: readonly number[], n = values.length): number | null {
	if (n === 0) return null;
	const s = scratchOf(n);
	for (let i = 0; i < n; i++) s[i] = values[i]!;
	return sortedMedian(s, n);
}

/** Median absolute deviation from the median (unscaled). */
export function mad(values: readonly number[], center = median(values)): number | null {
	if (center === null) return null;
	const n = values.length;
	if (n === 0) return null;
	const s = scratchOf(n);
	for (let i = 0; i < n; i++) s[i] = Math.abs(values[i]! - center);
	return sortedMedian(s, n);
}

// The detectors take medians of small windows per record (a run's recent minutes, a series'
// read shares): one reused buffer and an insertion sort instead of a new typed array and a
// native sort each time. The order is the typed array sort's (-0 before +0, NaN last), so the
// medians are the same floats.
let scratch = new Float64Array(64);
function scratchOf(n: number): Float64Array {
	if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
	return scratch;
}

/** Sorts s[0..n) as Float64Array.prototype.sort does and returns its median. */
function sortedMedian(s: Float64Array, n: number): number {
	if (n <= 64) {
		for (let i = 1; i < n; i++) {
			const x = s[i]!;
			let j = i - 1;
			while (j >= 0 && after(s[j]!, x)) {
				s[j + 1] = s[j]!;
				j--;
			}
			s[j + 1] = x;
		}
	} else s.subarray(0, n).sort();
	const mid = n >> 1;
	return n % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** a sorts after x in a typed array's default order. */
function after(a: number, x: number): boolean {
	if (a > x) return true;
	if (a < x) return false;
	if (a === x) return a === 0 && 1 / a > 1 / x;
	return a !== a && x === x;
}

/** Quantile by linear interpolation, q in [0, 1]. */
export function quantile(values: readonly number[], q: number): number | null {
	if (values.length === 0) return null;
	const s = Float64Array.from(values).sort();
	const pos = Math.min(1, Math.max(0, q)) * (s.length - 1);
	const lo = Math.floor(pos);
	const hi = Math.ceil(pos);
	return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export interface RobustBaseline {
	median: number;
	mad: number;
	n: number;
	/** The scale actually used: max(1.4826·MAD, floor). */
	scale: number;
}

/**
 * Baseline for the robust score. The scale never drops below max(10% of |median|, absFloor), so a
 * perfectly steady history does not turn a tiny wobble into a huge score.
 */
export function robustBaseline(values: readonly number[], absFloor: number): RobustBaseline | null {
	const n = values.length;
	if (n === 0) return null;
	const s = scratchOf(n);
	let finite = true;
	for (let i = 0; i < n; i++) if (!Number.isFinite((s[i] = values[i]!))) finite = false;
	const m = sortedMedian(s, n);
	// The deviations of sorted values fall in two sorted runs (below the median, read downwards,
	// and from it upwards: rounding keeps |x − m| monotone along each), so their median is found by
	// merging the runs up to the middle instead of a second sort (A1 takes a run's own baseline every
	// minute). Same multiset, so the same float as `mad`; non-finite values take `mad` itself.
	const d = finite ? sortedMad(s, n, m) : mad(values, m)!;
	return {median: m, mad: d, n, scale: Math.max(1.4826 * d, 0.1 * Math.abs(m), absFloor)};
}

/** `mad` of s[0..n), sorted and finite, around its median m. */
function sortedMad(s: Float64Array, n: number, m: number): number {
	let hi = 0;
	while (hi < n && s[hi]! < m) hi++;
	let lo = hi - 1;
	const mid = n >> 1;
	let prev = 0;
	let cur = 0;
	for (let k = 0; k <= mid; k++) {
		prev = cur;
		const down = lo >= 0 ? Math.abs(s[lo]! - m) : Infinity;
		const upDev = hi < n ? Math.abs(s[hi]! - m) : Infinity;
		if (down <= upDev) {
			cur = down;
			lo--;
		} else {
			cur = upDev;
			hi++;
		}
	}
	return n % 2 === 1 ? cur : (prev + cur) / 2;
}

/** rz(x | B) = (x − median(B)) / max(1.4826·MAD(B), floor). */
export function robustZ(x: number, b: RobustBaseline): number {
	return (x - b.median) / b.scale;
}

/** EWMA on irregular samples: α = 1 − 2^(−Δt/h). The first sample initialises the average. */
export interface Ewma {
	value: number | null;
	at: number | null;
}

export function ewmaUpdate(state: Ewma, x: number, at: number, halfLifeMs: number): Ewma {
	if (state.value === null || state.at === null) return {value: x, at};
	const dt = Math.max(0, at - state.at);
	const alpha = 1 - Math.pow(2, -dt / halfLifeMs);
	return {value: state.value + alpha * (x - state.value), at};
}

/** `ewmaUpdate` into `state` itself (the same value and time). */
export function ewmaStep(state: Ewma, x: number, at: number, halfLifeMs: number): void {
	if (state.value === null || state.at === null) {
		state.value = x;
		state.at = at;
		return;
	}
	const dt = Math.max(0, at - state.at);
	const alpha = 1 - Math.pow(2, -dt / halfLifeMs);
	state.value = state.value + alpha * (x - state.value);
	state.at = at;
}

/** Wilson score lower bound of a proportion (z = 1.96 → 95%). */
export function wilsonLower(successes: number, n: number, z = 1.96): number {
	if (n <= 0) return 0;
	const p = successes / n;
	const z2 = z * z;
	const centre = p + z2 / (2 * n);
	const margin = z * Math.sqrt((p * (1 - p) + z2 / (4 * n)) / n);
	return Math.max(0, (centre - margin) / (1 + z2 / n));
}

/** Least-squares slope of y over x; null with fewer than 2 distinct x. */
export function lsqSlope(points: ReadonlyArray<readonly [number, number]>): number | null {
	const n = points.length;
	if (n < 2) return null;
	let sx = 0;
	let sy = 0;
	for (const [x, y] of points) {
		sx += x;
		sy += y;
	}
	const mx = sx / n;
	const my = sy / n;
	let num = 0;
	let den = 0;
	for (const [x, y] of points) {
		num += (x - mx) * (y - my);
		den += (x - mx) * (x - mx);
	}
	return den === 0 ? null : num / den;
}
