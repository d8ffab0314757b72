/**
 * A compact, columnar encoding of records for the persistent index: number columns (NaN for
 * null) and id columns (repeated strings — source, model, run, workspace, … — and small objects —
 * meta, quota — as indexes into shared tables), each stored in the smallest form its values allow
 * (a constant, small ints, steps, Float64), and the keys as suffixes after the prefix each shares
 * with the previous one. Loading it is a checksum, one small JSON.parse and typed-array views: no
 * per-record JSON objects to parse. Fields this codec does not know (added to UsageRecord later)
 * ride along as an interned JSON value, so a warm start never drops information a cold read
 * would have. This module holds the layout and the writer; ingest/record-reader.ts reads it back.
 */
import {COVERAGE_KEYS, type UsageRecord} from '../core/record.js';


export const KNOWN = new Set([
	'key',
	'source',
	'provider',
	'model',
	'runId',
	'turn',
	'issue',
	'workspace',
	'startedAt',
	'at',
	'tokens',
	'usageSource',
	'reportedCostUsd',
	'granularity',
	'coverage',
	'origin',
	'meta',
	'quota',
]);

/** Number columns, in order (NaN for null). */
export const F = {at: 0, startedAt: 1, input: 2, cacheRead: 3, cacheWrite: 4, cacheWrite5m: 5, cacheWrite1h: 6, output: 7, reasoning: 8, total: 9, reportedCostUsd: 10, turn: 11, line: 12, offset: 13} as const;
export const F_COLUMNS = 14;
/**
 * Id columns, in order (string or value table ids; -1 for null/absent, -2 for an explicit null
 * meta or quota), then the length of the prefix each key shares with the previous key's.
 */
export const I = {source: 0, provider: 1, model: 2, runId: 3, issue: 4, workspace: 5, usageSource: 6, granularity: 7, coverage: 8, meta: 9, quota: 10, extra: 11, keyPrefix: 12} as const;
export const I_COLUMNS = 13;

/**
 * How one column is stored (each in the fewest bytes its values allow, so a segment is mostly
 * what varies): `["c", v]` every row the same number (null: NaN); `["f", at]` Float64;
 * `["d", at, base]` integers as Int32 steps from the previous row (the first from `base`:
 * timestamps and offsets); `["i", at]` Int32 (a number column's NaN as INT_NAN); `["b", at]` /
 * `["h", at]` ids plus 2 as Uint8 / Uint16. `at` is the column's byte offset in the binary part.
 */
export type ColumnSpec = ['c', number | null] | ['f' | 'i' | 'b' | 'h', number] | ['d', number, number];

export const INT_NAN = -2147483648;

/** Version 3 and 4's fixed layout: every number column Float64, every id column Int32, whole keys. */
export function legacyColumns(n: number): ColumnSpec[] {
	const specs: ColumnSpec[] = [];
	for (let c = 0; c < F_COLUMNS; c++) specs.push(['f', c * n * 8]);
	for (let c = 0; c < I_COLUMNS - 1; c++) specs.push(['i', n * F_COLUMNS * 8 + c * n * 4]);
	specs.push(['c', 0]);
	return specs;
}

/** Bytes of version 3 and 4's binary part for `n` records. */
export function legacyColumnBytes(n: number): number {
	return n * (F_COLUMNS * 8 + (I_COLUMNS - 1) * 4);
}

/** Strings and JSON values, each stored once. */
export class Interner<T> {
	readonly items: T[] = [];
	/** Each item's key (`keyOf`), in the same order: for values, their JSON, to write as it is. */
	readonly keys: string[] = [];
	private readonly ids = new Map<string, number>();

	constructor(private readonly keyOf: (v: T) => string) {}

	id(v: T | null | undefined): number {
		if (v === null || v === undefined) return -1;
		const k = this.keyOf(v);
		let i = this.ids.get(k);
		if (i === undefined) {
			i = this.items.length;
			this.items.push(v);
			this.keys.push(k);
			this.ids.set(k, i);
		}
		return i;
	}
}

/** The encoded columns: how each is stored, the keys' suffixes (after the shared prefix) and the binary part. */
export interface EncodedColumns {
	specs: ColumnSpec[];
	suffixes: string[];
	binary: Buffer;
}

/** Collects records of all files, in file order, and writes them as columns. */
export class ColumnWriter {
	readonly strings = new Interner<string>((s) => s);
	readonly values = new Interner<unknown>((v) => JSON.stringify(v));
	private readonly rows: UsageRecord[] = [];
	private readonly foreignOrigin: boolean[] = [];

	add(r: UsageRecord, path: string): void {
		this.rows.push(r);
		// A record whose origin is not the tracked file keeps its own origin (decode would assume the file).
		this.foreignOrigin.push(r.origin.path !== path);
	}

	/** Meta and quota objects shared between records (the index's own, restored) are serialised once each. */
	private readonly objectIds = new WeakMap<object, number>();

	private valueId(v: object): number {
		let id = this.objectIds.get(v);
		if (id === undefined) this.objectIds.set(v, (id = this.values.id(v)));
		return id;
	}

	/**
	 * Two passes over the records: the first finds each number column's form and every id (kept at
	 * full width: looking them up again would cost more than 52 bytes a row), the second writes the
	 * number columns straight into the binary part (no full-width copy of them).
	 */
	encode(): EncodedColumns {
		const n = this.rows.length;
		const i32 = new Int32Array(n * I_COLUMNS);
		const suffixes: string[] = [];
		const row = new Float64Array(F_COLUMNS);
		const forms = new NumberForms();
		const s = this.strings;
		// Consecutive records (one file, one session) mostly repeat the previous one's strings: one
		// comparison per column instead of a table lookup.
		const lastStr: Array<string | null | undefined> = new Array(I_COLUMNS).fill(undefined);
		const lastId: number[] = new Array(I_COLUMNS).fill(-1);
		const sid = (col: number, v: string | null | undefined): number => {
			if (v === lastStr[col]) return lastId[col]!;
			const id = s.id(v);
			lastStr[col] = v;
			lastId[col] = id;
			return id;
		};
		// Records of one source mostly have the same own keys: the previous record's list is checked first.
		let lastKeys: string[] = [];
		let lastUnknown: string[] = [];
		let lastCoverage: object | null = null;
		let lastBits = 0;
		let prevKey = '';
		/** A prefix of the previous key. */
		let prefix = '';
		for (let j = 0; j < n; j++) {
			const r = this.rows[j]!;
			numberRow(r, row);
			for (let c = 0; c < F_COLUMNS; c++) forms.observe(c, row[c]!);
			// Coverage objects are shared (one per bit pattern): the previous one's bits first.
			let cov = lastBits;
			if (r.coverage !== lastCoverage) {
				cov = 0;
				for (let b = 0; b < COVERAGE_KEYS.length; b++) if (r.coverage[COVERAGE_KEYS[b]!]) cov |= 1 << b;
				lastCoverage = r.coverage;
				lastBits = cov;
			}
			// The same own keys as the previous record (in order): the same unknown ones.
			let k2 = 0;
			let same = true;
			for (const key in r) {
				if (key !== lastKeys[k2++]) {
					same = false;
					break;
				}
			}
			if (!same || k2 !== lastKeys.length) {
				lastKeys = Object.keys(r);
				lastUnknown = lastKeys.filter((key) => !KNOWN.has(key));
			}
			let extra: Record<string, unknown> | null = null;
			for (const key of lastUnknown) (extra ??= {})[key] = (r as unknown as Record<string, unknown>)[key];
			if (this.foreignOrigin[j]) (extra ??= {}).origin = r.origin;
			i32[I.source * n + j] = sid(I.source, r.source);
			i32[I.provider * n + j] = sid(I.provider, r.provider);
			i32[I.model * n + j] = sid(I.model, r.model);
			i32[I.runId * n + j] = sid(I.runId, r.runId);
			i32[I.issue * n + j] = sid(I.issue, r.issue);
			i32[I.workspace * n + j] = sid(I.workspace, r.workspace);
			i32[I.usageSource * n + j] = sid(I.usageSource, r.usageSource);
			i32[I.granularity * n + j] = sid(I.granularity, r.granularity);
			i32[I.coverage * n + j] = cov;
			// `meta: null` / `quota: null` are kept as such: -2 stands for an explicit null.
			i32[I.meta * n + j] = r.meta === undefined ? -1 : r.meta === null ? -2 : this.valueId(r.meta);
			i32[I.quota * n + j] = r.quota === undefined ? -1 : r.quota === null ? -2 : this.valueId(r.quota);
			i32[I.extra * n + j] = extra === null ? -1 : this.values.id(extra);
			// Keys of one file share long prefixes (`symphony:<run>:`, `claude:msg_…`): only the rest
			// is written. The last prefix found is tried first (one startsWith, then the few
			// characters after it: comparing every character is slow on concatenated keys).
			const key = r.key;
			const from = prefix.length > 0 && key.startsWith(prefix) ? prefix.length : 0;
			const p = sharedPrefix(prevKey, key, from);
			if (p !== prefix.length) prefix = key.slice(0, p);
			i32[I.keyPrefix * n + j] = prefix.length;
			suffixes.push(prefix.length === 0 ? key : key.slice(prefix.length));
			prevKey = key;
		}
		const specs: ColumnSpec[] = [];
		const kinds: Array<ColumnSpec[0]> = [];
		let bytes = 0;
		const place = (kind: 'f' | 'i' | 'b' | 'h' | 'd', size: number, base?: number) => {
			const at = bytes;
			bytes += Math.ceil((n * size) / 8) * 8;
			specs.push(kind === 'd' ? ['d', at, base!] : [kind, at]);
			kinds.push(kind);
		};
		for (let c = 0; c < F_COLUMNS; c++) {
			const form = forms.form(c);
			const first = forms.first[c]!;
			if (form === 'c') {
				specs.push(['c', n === 0 || Number.isNaN(first) ? null : first]);
				kinds.push('c');
			} else place(form, form === 'f' ? 8 : 4, first);
		}
		for (let c = 0; c < I_COLUMNS; c++) {
			const from = c * n;
			let min = 0;
			let max = 0;
			let same = true;
			const first = n === 0 ? 0 : i32[from]!;
			for (let j = 0; j < n; j++) {
				const v = i32[from + j]!;
				if (v < min) min = v;
				if (v > max) max = v;
				if (v !== first) same = false;
			}
			if (same) {
				specs.push(['c', first]);
				kinds.push('c');
			} else if (min >= -2 && max <= 253) place('b', 1);
			else if (min >= -2 && max <= 65533) place('h', 2);
			else place('i', 4);
		}
		const binary = Buffer.alloc(bytes);
		// Number columns: the second pass over the records, each value written in its column's form.
		const f64: Array<Float64Array | null> = [];
		const i32s: Array<Int32Array | null> = [];
		const steps = new Float64Array(F_COLUMNS);
		for (let c = 0; c < F_COLUMNS; c++) {
			const kind = kinds[c]!;
			const at = specs[c]![1] as number;
			f64.push(kind === 'f' ? new Float64Array(binary.buffer, binary.byteOffset + at, n) : null);
			i32s.push(kind === 'i' || kind === 'd' ? new Int32Array(binary.buffer, binary.byteOffset + at, n) : null);
			if (kind === 'd') steps[c] = (specs[c] as ['d', number, number])[2];
		}
		const written = kinds.slice(0, F_COLUMNS).some((k) => k !== 'c') ? n : 0;
		for (let j = 0; j < written; j++) {
			numberRow(this.rows[j]!, row);
			for (let c = 0; c < F_COLUMNS; c++) {
				const v = row[c]!;
				const kind = kinds[c];
				if (kind === 'f') f64[c]![j] = v;
				else if (kind === 'i') i32s[c]![j] = v !== v ? INT_NAN : v;
				else if (kind === 'd') {
					i32s[c]![j] = v - steps[c]!;
					steps[c] = v;
				}
			}
		}
		for (let c = 0; c < I_COLUMNS; c++) {
			const kind = kinds[F_COLUMNS + c]!;
			if (kind === 'c') continue;
			const at = specs[F_COLUMNS + c]![1] as number;
			const from = c * n;
			if (kind === 'i') new Int32Array(binary.buffer, binary.byteOffset + at, n).set(i32.subarray(from, from + n));
			else {
				const out = kind === 'b' ? new Uint8Array(binary.buffer, binary.byteOffset + at, n) : new Uint16Array(binary.buffer, binary.byteOffset + at, n);
				for (let j = 0; j < n; j++) out[j] = i32[from + j]! + 2;
			}
		}
		return {specs, suffixes, binary};
	}
}

function orNaN(v: number | null | undefined): number {
	return v === null || v === undefined ? NaN : v;
}

/** A record's number columns, in order (NaN for null). */
function numberRow(r: UsageRecord, out: Float64Array): void {
	const k = r.tokens;
	out[F.at] = r.at;
	out[F.startedAt] = orNaN(r.startedAt);
	out[F.input] = orNaN(k.input);
	out[F.cacheRead] = orNaN(k.cacheRead);
	out[F.cacheWrite] = orNaN(k.cacheWrite);
	out[F.cacheWrite5m] = orNaN(k.cacheWrite5m);
	out[F.cacheWrite1h] = orNaN(k.cacheWrite1h);
	out[F.output] = orNaN(k.output);
	out[F.reasoning] = orNaN(k.reasoning);
	out[F.total] = orNaN(k.total);
	out[F.reportedCostUsd] = orNaN(r.reportedCostUsd);
	out[F.turn] = orNaN(r.turn);
	out[F.line] = orNaN(r.origin.line);
	out[F.offset] = orNaN(r.origin.offset);
}

/** Per number column, the smallest form that holds every value seen exactly (-0, ±Infinity and fractions need Float64). */
class NumberForms {
	readonly first = new Float64Array(F_COLUMNS);
	private readonly prev = new Float64Array(F_COLUMNS);
	private readonly same = new Uint8Array(F_COLUMNS);
	private readonly int = new Uint8Array(F_COLUMNS).fill(1);
	private readonly steps = new Uint8Array(F_COLUMNS).fill(1);
	private readonly started = new Uint8Array(F_COLUMNS);

	observe(c: number, v: number): void {
		if (this.started[c] === 0) {
			this.started[c] = 1;
			this.first[c] = v;
			this.prev[c] = v;
			this.same[c] = !Object.is(v, -0) && (Number.isNaN(v) || Number.isFinite(v)) ? 1 : 0;
		}
		if (this.same[c] === 1 && !Object.is(v, this.first[c])) this.same[c] = 0;
		if (v !== v) {
			this.steps[c] = 0;
			return;
		}
		const isInt = v === Math.trunc(v) && (v !== 0 || 1 / v > 0) && Math.abs(v) < 2 ** 53;
		if (this.int[c] === 1 && !(isInt && v >= -2147483647 && v <= 2147483647)) this.int[c] = 0;
		if (this.steps[c] === 1) {
			const d = v - this.prev[c]!;
			if (!isInt || !(d >= -2147483648 && d <= 2147483647)) this.steps[c] = 0;
		}
		this.prev[c] = v;
	}

	form(c: number): 'c' | 'd' | 'i' | 'f' {
		if (this.started[c] === 0 || this.same[c] === 1) return 'c';
		if (this.int[c] === 1) return 'i';
		return this.steps[c] === 1 ? 'd' : 'f';
	}
}

/** The length of the prefix `a` and `b` share, known to be at least `p`. */
function sharedPrefix(a: string, b: string, p: number): number {
	const m = Math.min(a.length, b.length);
	while (p < m && a.charCodeAt(p) === b.charCodeAt(p)) p++;
	return p;
}
