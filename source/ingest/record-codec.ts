/**
 * A compact, columnar encoding of records for the persistent index: numbers in Float64Array
 * columns (NaN for null), repeated strings (source, model, run, workspace, …) and small objects
 * (meta, quota) as Int32Array indexes into shared tables, one JSON array of keys. Loading it is
 * a checksum, one small JSON.parse and typed-array views: no per-record JSON objects to parse.
 * Fields this codec does not know (added to UsageRecord later) ride along as an interned JSON
 * value, so a warm start never drops information a cold read would have.
 */
import {COVERAGE_KEYS, type Coverage, type UsageRecord} from '../core/record.js';


const KNOWN = new Set([
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

/** Float64 columns, in order. */
const F = {at: 0, startedAt: 1, input: 2, cacheRead: 3, cacheWrite: 4, cacheWrite5m: 5, cacheWrite1h: 6, output: 7, reasoning: 8, total: 9, reportedCostUsd: 10, turn: 11, line: 12, offset: 13} as const;
const F_COLUMNS = 14;
/** Int32 columns, in order (string or value table ids; -1 for null/absent). */
const I = {source: 0, provider: 1, model: 2, runId: 3, issue: 4, workspace: 5, usageSource: 6, granularity: 7, coverage: 8, meta: 9, quota: 10, extra: 11} as const;
const I_COLUMNS = 12;

/** Bytes the binary part takes for `n` records. */
export function columnBytes(n: number): number {
	return n * (F_COLUMNS * 8 + I_COLUMNS * 4);
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

/** Collects records of all files, in file order, and writes them as columns. */
export class ColumnWriter {
	readonly strings = new Interner<string>((s) => s);
	readonly values = new Interner<unknown>((v) => JSON.stringify(v));
	readonly keys: string[] = [];
	private readonly rows: UsageRecord[] = [];
	private readonly foreignOrigin: boolean[] = [];

	add(r: UsageRecord, path: string): void {
		this.keys.push(r.key);
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

	/** The binary part: Float64 columns then Int32 columns. */
	columns(): Buffer {
		const n = this.rows.length;
		const buf = Buffer.alloc(columnBytes(n));
		const f = new Float64Array(buf.buffer, buf.byteOffset, n * F_COLUMNS);
		const i32 = new Int32Array(buf.buffer, buf.byteOffset + n * F_COLUMNS * 8, n * I_COLUMNS);
		const num = (v: number | null | undefined) => (v === null || v === undefined ? NaN : v);
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
		for (let j = 0; j < n; j++) {
			const r = this.rows[j]!;
			const k = r.tokens;
			f[F.at * n + j] = r.at;
			f[F.startedAt * n + j] = num(r.startedAt);
			f[F.input * n + j] = num(k.input);
			f[F.cacheRead * n + j] = num(k.cacheRead);
			f[F.cacheWrite * n + j] = num(k.cacheWrite);
			f[F.cacheWrite5m * n + j] = num(k.cacheWrite5m);
			f[F.cacheWrite1h * n + j] = num(k.cacheWrite1h);
			f[F.output * n + j] = num(k.output);
			f[F.reasoning * n + j] = num(k.reasoning);
			f[F.total * n + j] = num(k.total);
			f[F.reportedCostUsd * n + j] = num(r.reportedCostUsd);
			f[F.turn * n + j] = num(r.turn);
			f[F.line * n + j] = num(r.origin.line);
			f[F.offset * n + j] = num(r.origin.offset);
			let cov = 0;
			for (let b = 0; b < COVERAGE_KEYS.length; b++) if (r.coverage[COVERAGE_KEYS[b]!]) cov |= 1 << b;
			let extra: Record<string, unknown> | null = null;
			for (const key in r) {
				if (!KNOWN.has(key)) (extra ??= {})[key] = (r as unknown as Record<string, unknown>)[key];
			}
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
		}
		return buf;
	}
}

/** Reads records back from the columns, one file's range at a time. */
export class ColumnReader {
	private readonly f: Float64Array;
	private readonly i: Int32Array;
	private readonly coverages: Coverage[] = [];

	constructor(
		private readonly n: number,
		binary: Buffer,
		private readonly keys: readonly string[],
		private readonly strings: readonly string[],
		private readonly values: readonly unknown[],
	) {
		if (binary.length !== columnBytes(n) || keys.length !== n) throw new Error('bad columns');
		// Typed arrays need aligned offsets: copy when the buffer is not 8-byte aligned.
		const aligned = binary.byteOffset % 8 === 0 ? binary : Buffer.from(binary);
		this.f = new Float64Array(aligned.buffer, aligned.byteOffset, n * F_COLUMNS);
		this.i = new Int32Array(aligned.buffer, aligned.byteOffset + n * F_COLUMNS * 8, n * I_COLUMNS);
	}

	/** Throws on a malformed row; the index loader turns that into "discard and rebuild". */
	record(j: number, path: string): UsageRecord {
		const {f, i, n} = this;
		const runId = this.str(i[I.runId * n + j]!);
		const key = this.keys[j];
		const at = f[F.at * n + j]!;
		if (typeof key !== 'string' || runId === null || Number.isNaN(at)) throw new Error('malformed record');
		const meta = i[I.meta * n + j]!;
		const quota = i[I.quota * n + j]!;
		const r: UsageRecord = {
			key,
			source: this.str(i[I.source * n + j]!) as UsageRecord['source'],
			provider: this.str(i[I.provider * n + j]!),
			model: this.str(i[I.model * n + j]!),
			runId,
			turn: num(f[F.turn * n + j]!),
			issue: this.str(i[I.issue * n + j]!),
			workspace: this.str(i[I.workspace * n + j]!),
			startedAt: num(f[F.startedAt * n + j]!),
			at,
			tokens: {
				input: num(f[F.input * n + j]!),
				cacheRead: num(f[F.cacheRead * n + j]!),
				cacheWrite: num(f[F.cacheWrite * n + j]!),
				cacheWrite5m: num(f[F.cacheWrite5m * n + j]!),
				cacheWrite1h: num(f[F.cacheWrite1h * n + j]!),
				output: num(f[F.output * n + j]!),
				reasoning: num(f[F.reasoning * n + j]!),
				total: num(f[F.total * n + j]!),
			},
			usageSource: this.str(i[I.usageSource * n + j]!) as UsageRecord['usageSource'],
			reportedCostUsd: num(f[F.reportedCostUsd * n + j]!),
			granularity: this.str(i[I.granularity * n + j]!) as UsageRecord['granularity'],
			coverage: this.coverage(i[I.coverage * n + j]!),
			origin: {path, line: num(f[F.line * n + j]!), offset: num(f[F.offset * n + j]!)},
			// Slots for meta and quota in the literal (no out-of-object property store per record);
			// removed again below when the record has none, so records look as the sources made them.
			meta: meta === -1 ? undefined : (this.value(meta) as UsageRecord['meta']),
			quota: quota === -1 ? undefined : (this.value(quota) as UsageRecord['quota']),
		};
		// Meta and quota objects are shared between records that carry equal ones (records are immutable).
		// Deleting the last-added property is cheap in V8 (the object keeps its fast shape): quota first.
		let out = r;
		if (quota === -1) delete r.quota;
		if (meta === -1) {
			if (quota === -1) delete r.meta;
			else {
				const {meta: _, ...rest} = r;
				out = rest;
			}
		}
		const extra = i[I.extra * n + j]!;
		if (extra !== -1) Object.assign(out, this.value(extra) as object);
		return out;
	}

	private str(id: number): string | null {
		if (id === -1) return null;
		const v = this.strings[id];
		if (v === undefined) throw new Error('bad string index');
		return v;
	}

	private value(id: number): unknown {
		if (id === -2) return null;
		if (id < 0 || id >= this.values.length) throw new Error('bad value index');
		return this.values[id];
	}

	/** One shared coverage object per bit pattern. */
	private coverage(bits: number): Coverage {
		let c = this.coverages[bits];
		if (!c) {
			c = {} as Coverage;
			for (let b = 0; b < COVERAGE_KEYS.length; b++) c[COVERAGE_KEYS[b]!] = (bits & (1 << b)) !== 0;
			this.coverages[bits] = c;
		}
		return c;
	}
}

function num(v: number): number | null {
	return Number.isNaN(v) ? null : v;
}
