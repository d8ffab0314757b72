/**
 * Reads records back from the index's columns (the layout and the writer: ingest/record-codec.ts):
 * each column as a typed-array view in the form it was stored, one file's range of rows at a time.
 */
import {COVERAGE_KEYS, type Coverage, type UsageRecord} from '../core/record.js';
import {F, F_COLUMNS, I, INT_NAN, I_COLUMNS} from './record-codec.js';

const K_CONST = 0;
const K_F64 = 1;
const K_I32_NUMBER = 2;
const K_I32 = 3;
const K_U8 = 4;
const K_U16 = 5;

/**
 * One column as read: its form and its typed array (none for a constant). Each array type has its
 * own field, so every element load in `get` sees one type: one site reading all four is a
 * megamorphic load per value (27 per record), most of a restore's decode time.
 */
class Column {
	readonly f64: Float64Array | null;
	readonly i32: Int32Array | null;
	readonly u8: Uint8Array | null;
	readonly u16: Uint16Array | null;

	constructor(
		readonly kind: number,
		readonly c: number,
		data: Float64Array | Int32Array | Uint16Array | Uint8Array | null,
	) {
		this.f64 = kind === K_F64 ? (data as Float64Array) : null;
		this.i32 = kind === K_I32 || kind === K_I32_NUMBER ? (data as Int32Array) : null;
		this.u8 = kind === K_U8 ? (data as Uint8Array) : null;
		this.u16 = kind === K_U16 ? (data as Uint16Array) : null;
	}
}

function get(col: Column, j: number): number {
	switch (col.kind) {
		case K_CONST:
			return col.c;
		case K_F64:
			return col.f64![j]!;
		case K_I32_NUMBER: {
			const v = col.i32![j]!;
			return v === INT_NAN ? NaN : v;
		}
		case K_I32:
			return col.i32![j]!;
		case K_U8:
			return col.u8![j]! - 2;
		default:
			return col.u16![j]! - 2;
	}
}

/** Reads records back from the columns, one file's range at a time. */
export class ColumnReader {
	private readonly cols: Column[] = [];
	private readonly coverages: Coverage[] = [];
	private keys: string[] | null = null;

	constructor(
		private readonly n: number,
		binary: Buffer,
		specs: unknown,
		private readonly suffixes: readonly string[],
		private readonly strings: readonly string[],
		private readonly values: readonly unknown[],
	) {
		if (!Array.isArray(specs) || specs.length !== F_COLUMNS + I_COLUMNS || suffixes.length !== n) throw new Error('bad columns');
		// Typed arrays need aligned offsets: copy when the buffer is not 8-byte aligned.
		const aligned = binary.byteOffset % 8 === 0 ? binary : Buffer.from(binary);
		const view = (at: unknown, size: number): number => {
			if (typeof at !== 'number' || !Number.isInteger(at) || at < 0 || at % size !== 0 || at + n * size > aligned.length) throw new Error('bad columns');
			return aligned.byteOffset + at;
		};
		for (let c = 0; c < specs.length; c++) {
			const spec = specs[c] as unknown[];
			const number = c < F_COLUMNS;
			if (!Array.isArray(spec)) throw new Error('bad columns');
			const [kind, at] = spec;
			if (kind === 'c') {
				if (at !== null && typeof at !== 'number') throw new Error('bad columns');
				this.cols.push(new Column(K_CONST, at === null ? NaN : at, null));
			} else if (kind === 'f' && number) this.cols.push(new Column(K_F64, 0, new Float64Array(aligned.buffer, view(at, 8), n)));
			else if (kind === 'i') this.cols.push(new Column(number ? K_I32_NUMBER : K_I32, 0, new Int32Array(aligned.buffer, view(at, 4), n)));
			else if (kind === 'b' && !number) this.cols.push(new Column(K_U8, 0, new Uint8Array(aligned.buffer, view(at, 1), n)));
			else if (kind === 'h' && !number) this.cols.push(new Column(K_U16, 0, new Uint16Array(aligned.buffer, view(at, 2), n)));
			else if (kind === 'd' && number && typeof spec[2] === 'number') {
				// Summed once into whole values (records are decoded a file's range at a time, in any order).
				const steps = new Int32Array(aligned.buffer, view(at, 4), n);
				const out = new Float64Array(n);
				let v = spec[2];
				for (let j = 0; j < n; j++) out[j] = v += steps[j]!;
				this.cols.push(new Column(K_F64, 0, out));
			} else throw new Error('bad columns');
		}
	}

	/** Every key, whole again (each is its shared prefix of the previous key plus its suffix). */
	private wholeKeys(): string[] {
		const col = this.cols[F_COLUMNS + I.keyPrefix]!;
		const keys: string[] = [];
		let prev = '';
		for (let j = 0; j < this.n; j++) {
			const p = get(col, j);
			const suffix = this.suffixes[j];
			if (typeof suffix !== 'string' || p < 0 || p > prev.length) throw new Error('malformed record');
			prev = p === 0 ? suffix : prev.slice(0, p) + suffix;
			keys.push(prev);
		}
		return keys;
	}

	/** Throws on a malformed row; the index loader turns that into "discard and rebuild". */
	record(j: number, path: string): UsageRecord {
		const {n, cols} = this;
		if (j < 0 || j >= n) throw new Error('malformed record');
		const keys = (this.keys ??= this.wholeKeys());
		const runId = this.str(get(cols[F_COLUMNS + I.runId]!, j));
		const key = keys[j]!;
		const at = get(cols[F.at]!, j);
		if (runId === null || Number.isNaN(at)) throw new Error('malformed record');
		const meta = get(cols[F_COLUMNS + I.meta]!, j);
		const quota = get(cols[F_COLUMNS + I.quota]!, j);
		const r: UsageRecord = {
			key,
			source: this.str(get(cols[F_COLUMNS + I.source]!, j)) as UsageRecord['source'],
			provider: this.str(get(cols[F_COLUMNS + I.provider]!, j)),
			model: this.str(get(cols[F_COLUMNS + I.model]!, j)),
			runId,
			turn: num(get(cols[F.turn]!, j)),
			issue: this.str(get(cols[F_COLUMNS + I.issue]!, j)),
			workspace: this.str(get(cols[F_COLUMNS + I.workspace]!, j)),
			startedAt: num(get(cols[F.startedAt]!, j)),
			at,
			tokens: {
				input: num(get(cols[F.input]!, j)),
				cacheRead: num(get(cols[F.cacheRead]!, j)),
				cacheWrite: num(get(cols[F.cacheWrite]!, j)),
				cacheWrite5m: num(get(cols[F.cacheWrite5m]!, j)),
				cacheWrite1h: num(get(cols[F.cacheWrite1h]!, j)),
				output: num(get(cols[F.output]!, j)),
				reasoning: num(get(cols[F.reasoning]!, j)),
				total: num(get(cols[F.total]!, j)),
			},
			usageSource: this.str(get(cols[F_COLUMNS + I.usageSource]!, j)) as UsageRecord['usageSource'],
			reportedCostUsd: num(get(cols[F.reportedCostUsd]!, j)),
			granularity: this.str(get(cols[F_COLUMNS + I.granularity]!, j)) as UsageRecord['granularity'],
			coverage: this.coverage(get(cols[F_COLUMNS + I.coverage]!, j)),
			origin: {path, line: num(get(cols[F.line]!, j)), offset: num(get(cols[F.offset]!, j))},
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
		const extra = get(cols[F_COLUMNS + I.extra]!, j);
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
