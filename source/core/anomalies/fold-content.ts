/**
 * What a flag fold folded, as fingerprints: every record (by key) and every event, so a later run
 * can tell whether its records are the folded ones plus new ones only. Then the kept fold is
 * resumed and only the new items are added (`FlagMonitor.resume`, which re-folds by itself when
 * one lands before the position); anything else (a record changed, replaced or gone, an event
 * gone) is not an append and the caller folds from the start. Pure; fingerprints are 53-bit
 * hashes of every field in a fixed order (a record's key aside: it is what they are looked up by).
 */
import {COVERAGE_KEYS, type ActivityEvent, type UsageRecord} from '../record.js';

export interface FoldContent {
	/** Record keys, and each record's fingerprint at the same index. */
	keys: string[];
	records: Float64Array;
	/** Event fingerprints, sorted (events have no identity: a multiset). */
	events: Float64Array;
	/**
	 * The digest of the index whose records, exactly, were the folded ones (the engine's
	 * `appendLineage().written`); null or absent when the read held more or other records.
	 */
	index?: string | null;
}

const KNOWN = new Set(['key', 'source', 'provider', 'model', 'runId', 'turn', 'issue', 'workspace', 'startedAt', 'at', 'tokens', 'usageSource', 'reportedCostUsd', 'granularity', 'coverage', 'origin', 'meta', 'quota']);

/** JSON with object keys sorted at every level. */
function canonical(v: unknown): string {
	if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'u';
	if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
	const o = v as Record<string, unknown>;
	return `{${Object.keys(o)
		.filter((k) => o[k] !== undefined)
		.sort()
		.map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
		.join(',')}}`;
}

/**
 * A running 2×32-bit hash (cyrb53's mixing) fed strings, numbers and nulls without building one
 * string per record: this runs over every counted record on a full read.
 */
class Hasher {
	private h1 = 0xdeadbeef;
	private h2 = 0x41c6ce57;
	private static readonly f = new Float64Array(1);
	private static readonly u = new Uint32Array(Hasher.f.buffer);

	private mix(c: number): void {
		this.h1 = Math.imul(this.h1 ^ c, 2654435761);
		this.h2 = Math.imul(this.h2 ^ c, 1597334677);
	}

	str(s: string | null | undefined): this {
		if (s === null || s === undefined) this.mix(s === null ? 0x1000001 : 0x1000002);
		else {
			for (let i = 0; i < s.length; i++) this.mix(s.charCodeAt(i));
			this.mix(0x1000003);
		}
		return this;
	}

	/**
	 * A string that repeats across records (a path, run, model), in field `slot`: neighbouring
	 * records mostly carry the same one, so its own hash is kept per slot and mixed in (one
	 * comparison, no table lookup).
	 */
	repeated(s: string | null | undefined, slot: number): this {
		if (s === null || s === undefined) return this.str(s);
		if (Hasher.lastStr[slot] !== s) {
			Hasher.lastStr[slot] = s;
			Hasher.lastHash[slot] = new Hasher().str(s).digest();
		}
		return this.num(Hasher.lastHash[slot]!);
	}

	private static readonly lastStr: Array<string | undefined> = [];
	private static readonly lastHash: number[] = [];

	num(n: number | null | undefined): this {
		if (n === null || n === undefined) {
			this.mix(n === null ? 0x1000001 : 0x1000002);
			return this;
		}
		Hasher.f[0] = n;
		this.mix(Hasher.u[0]!);
		this.mix(Hasher.u[1]!);
		return this;
	}

	digest(): number {
		let {h1, h2} = this;
		h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
		h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
		return 4294967296 * (2097151 & h2) + (h1 >>> 0);
	}
}

/**
 * Meta and quota as one hash: a source builds them in a fixed key order and the index keeps that
 * order (this build's parsers only: another build has another base key), so their fields are
 * hashed in that order, name and value; a nested value as JSON. Objects shared between records
 * (interned by the index, equal neighbours) are hashed once.
 */
const hashOf = new WeakMap<object, number>();
// The last object hashed, per slot (meta, quota): neighbours mostly share one, so no table lookup.
const lastValue: Array<object | undefined> = [undefined, undefined];
const lastValueHash = [0, 0];
function valueHash(v: unknown, slot: 0 | 1): number | null | undefined {
	if (v === undefined || v === null) return v;
	if (typeof v !== 'object') return new Hasher().str(JSON.stringify(v)).digest();
	if (lastValue[slot] === v) return lastValueHash[slot]!;
	let h = hashOf.get(v);
	if (h === undefined) {
		const x = new Hasher();
		if (Array.isArray(v)) x.str(JSON.stringify(v));
		else {
			const o = v as Record<string, unknown>;
			for (const k in o) {
				const f = o[k];
				if (f === undefined) continue;
				x.str(k);
				if (typeof f === 'string') x.num(1).str(f);
				else if (typeof f === 'number') x.num(2).num(f);
				else x.num(3).str(JSON.stringify(f));
			}
		}
		hashOf.set(v, (h = x.digest()));
	}
	lastValue[slot] = v;
	lastValueHash[slot] = h;
	return h;
}

/**
 * A coverage object's known fields as bits, and the names of any others (`coverage.<name>`).
 * The tracker's intake shares one frozen object per bit pattern: those are read once, not per
 * record (the last one without a table lookup); any other is read every time.
 */
type CoverageBits = {bits: number; extra: string[] | null};
const coverageOf = new WeakMap<object, CoverageBits>();
let lastCoverage: {c: object; known: CoverageBits} | null = null;
/**
 * Within one pass over records (`foldContent`, `foldAppend`) nothing changes a record, so a shared
 * coverage object that is not frozen (the index reader shares one per bit pattern) is read once
 * per pass too; forgotten when the pass ends.
 */
let passCoverage: Map<object, CoverageBits> | null = null;
function coverageBits(c: UsageRecord['coverage']): CoverageBits {
	if (lastCoverage !== null && lastCoverage.c === c) return lastCoverage.known;
	let known = coverageOf.get(c) ?? passCoverage?.get(c);
	if (!known) {
		let bits = 0;
		for (let b = 0; b < COVERAGE_KEYS.length; b++) if (c[COVERAGE_KEYS[b]!]) bits |= 1 << b;
		let extra: string[] | null = null;
		for (const k in c) if (!COVERAGE_KEYS.includes(k as (typeof COVERAGE_KEYS)[number])) (extra ??= []).push(`coverage.${k}`);
		known = {bits, extra};
		if (Object.isFrozen(c)) coverageOf.set(c, known);
		else if (passCoverage) passCoverage.set(c, known);
		else return known;
	}
	lastCoverage = {c, known};
	return known;
}

/** `f` as one pass over records: see `passCoverage`. */
function onePass<T>(f: () => T): T {
	const outer = passCoverage;
	passCoverage ??= new Map();
	try {
		return f();
	} finally {
		if (outer === null) {
			passCoverage = null;
			// The last one may be a pass's unfrozen object: not trusted after the pass.
			lastCoverage = null;
		}
	}
}

/** Without the key: fingerprints are only compared between records of the same key (`foldAppend`). */
export function recordFingerprint(r: UsageRecord): number {
	const t = r.tokens;
	const coverage = coverageBits(r.coverage);
	const cov = coverage.bits;
	const h = new Hasher()
		.repeated(r.source, 0).repeated(r.provider, 1).repeated(r.model, 2).repeated(r.runId, 3).num(r.turn).repeated(r.issue, 4).repeated(r.workspace, 5)
		.num(r.startedAt).num(r.at)
		.num(t.input).num(t.cacheRead).num(t.cacheWrite).num(t.cacheWrite5m).num(t.cacheWrite1h).num(t.output).num(t.reasoning).num(t.total)
		.repeated(r.usageSource, 6).num(r.reportedCostUsd).repeated(r.granularity, 7).num(cov)
		.repeated(r.origin.path, 8).num(r.origin.line).num(r.origin.offset)
		.num('meta' in r ? valueHash(r.meta, 0) : undefined)
		.num('quota' in r ? valueHash(r.quota, 1) : undefined);
	// Fields this list does not know (and a coverage object with more than the known keys), by name.
	let extra: string[] | null = null;
	for (const k in r) if (!KNOWN.has(k)) (extra ??= []).push(k);
	if (coverage.extra) (extra ??= []).push(...coverage.extra);
	if (extra) {
		const o = r as unknown as Record<string, unknown>;
		const cov = r.coverage as unknown as Record<string, unknown>;
		for (const k of extra.sort()) h.str(k).str(canonical(k.startsWith('coverage.') ? cov[k.slice(9)] : o[k]));
	}
	return h.digest();
}

export function eventFingerprint(e: ActivityEvent): number {
	return new Hasher().repeated(e.kind, 9).repeated(e.source, 10).repeated(e.runId, 11).repeated(e.issue, 12).num(e.at).repeated(e.name, 13).str(e.detail).num(e.ok === undefined ? 2 : e.ok ? 1 : 0).str(Object.keys(e).length === (e.ok === undefined ? 7 : 8) ? '' : canonical(e)).digest();
}

export function foldContent(records: Iterable<UsageRecord>, events: readonly ActivityEvent[]): FoldContent {
	return onePass(() => foldContentPass(records, events));
}

function foldContentPass(records: Iterable<UsageRecord>, events: readonly ActivityEvent[]): FoldContent {
	const keys: string[] = [];
	const fps: number[] = [];
	for (const r of records) {
		keys.push(r.key);
		fps.push(recordFingerprint(r));
	}
	return {keys, records: Float64Array.from(fps), events: Float64Array.from(events, eventFingerprint).sort()};
}

export interface FoldAppend {
	/** Records not folded before (every other record is exactly the folded one). */
	records: UsageRecord[];
	events: ActivityEvent[];
	/** What was folded before: the current items without the new ones (for a re-fold; built when asked). */
	before: () => {records: UsageRecord[]; events: ActivityEvent[]};
	/** The content now, to keep with the next fold. */
	now: FoldContent;
	/**
	 * When the records came with the folded keys in their folded order (new ones anywhere between:
	 * a ledger restored from the index the fold kept, an appended line in its file's place), which
	 * of `now.keys` are new (1), so the folded keys as stored need not be packed again
	 * (`ingest/flag-state.ts`); null when the order differs.
	 */
	newKeys: Uint8Array | null;
}

/**
 * The items that are new since `folded`, when the current ones are exactly the folded ones plus
 * those; null when anything folded changed or went away. `records` have distinct keys (a
 * ledger's). `unchanged`: the caller proved that every record with a folded key is exactly the
 * folded one (the records counted are the folded index's plus records with new keys that no
 * counting rule can touch: the engine's `appendLineage`), so those are not fingerprinted again;
 * their keys are still matched one by one. Records that keep the folded order are matched in one
 * pass (the usual append: no table of the folded keys is built).
 */
export function foldAppend(folded: FoldContent, records: Iterable<UsageRecord>, events: readonly ActivityEvent[], unchanged = false): FoldAppend | null {
	if (folded.keys.length !== folded.records.length) return null;
	const list = Array.isArray(records) ? (records as UsageRecord[]) : [...records];
	const matched = onePass(() => {
		const inOrder = matchInOrder(folded, list, unchanged);
		return inOrder === 'changed' ? null : (inOrder ?? matchByKey(folded, list, unchanged));
	});
	if (matched === null) return null;
	const {fingerprints, isNewRecord} = matched;
	const keys = new Array<string>(list.length);
	const added: UsageRecord[] = [];
	for (let i = 0; i < list.length; i++) {
		keys[i] = list[i]!.key;
		if (isNewRecord[i] === 1) added.push(list[i]!);
	}
	// Events: every folded fingerprint must still be there (a sorted merge); the rest are new. Of
	// equal fingerprints the last ones in the events' order are the new ones.
	const fps = Float64Array.from(events, eventFingerprint);
	const sorted = fps.slice().sort();
	const newOf = new Map<number, number>();
	let j = 0;
	for (let k = 0; k < sorted.length; k++) {
		const fp = sorted[k]!;
		if (j < folded.events.length && folded.events[j] === fp) j++;
		else if (j < folded.events.length && folded.events[j]! < fp) return null;
		else newOf.set(fp, (newOf.get(fp) ?? 0) + 1);
	}
	if (j !== folded.events.length) return null;
	const isNew = new Uint8Array(events.length);
	if (newOf.size > 0) {
		for (let i = events.length - 1; i >= 0; i--) {
			const left = newOf.get(fps[i]!);
			if (left === undefined || left === 0) continue;
			newOf.set(fps[i]!, left - 1);
			isNew[i] = 1;
		}
	}
	// In their own order, as the batch fold takes them.
	const addedEvents = events.filter((_, i) => isNew[i] === 1);
	const before = () => ({records: list.filter((_, i) => isNewRecord[i] === 0), events: events.filter((_, i) => isNew[i] === 0)});
	const now: FoldContent = {keys, records: fingerprints, events: sorted};
	return {records: added, events: addedEvents, before, now, newKeys: matched.inOrder ? isNewRecord : null};
}

type Matched = {fingerprints: Float64Array; isNewRecord: Uint8Array; inOrder: boolean};

/**
 * The folded keys as a subsequence of the records' keys, in one pass: a record whose key is the
 * next folded one is that record, any other is new (keys are distinct on both sides, so once every
 * folded key is matched in order no other record can carry one). Null when they are not
 * (another order, a record gone); 'changed' when a folded record changed (no append).
 */
function matchInOrder(folded: FoldContent, list: readonly UsageRecord[], unchanged: boolean): Matched | 'changed' | null {
	const n = folded.keys.length;
	const fingerprints = new Float64Array(list.length);
	const isNewRecord = new Uint8Array(list.length);
	let j = 0;
	for (let i = 0; i < list.length; i++) {
		const r = list[i]!;
		if (j < n && folded.keys[j] === r.key) {
			const old = folded.records[j++]!;
			const fp = unchanged ? old : recordFingerprint(r);
			if (fp !== old) return 'changed';
			fingerprints[i] = fp;
		} else {
			fingerprints[i] = recordFingerprint(r);
			isNewRecord[i] = 1;
		}
	}
	return j === n ? {fingerprints, isNewRecord, inOrder: true} : null;
}

/** Every record looked up by key among the folded ones; null when one changed or one folded is gone. */
function matchByKey(folded: FoldContent, list: readonly UsageRecord[], unchanged: boolean): Matched | null {
	const was = new Map<string, number>();
	for (let k = 0; k < folded.keys.length; k++) was.set(folded.keys[k]!, folded.records[k]!);
	const fingerprints = new Float64Array(list.length);
	const isNewRecord = new Uint8Array(list.length);
	let matched = 0;
	for (let i = 0; i < list.length; i++) {
		const r = list[i]!;
		const old = was.get(r.key);
		const fp = old !== undefined && unchanged ? old : recordFingerprint(r);
		fingerprints[i] = fp;
		if (old === undefined) isNewRecord[i] = 1;
		else if (fp !== old) return null;
		else matched++;
	}
	return matched === was.size ? {fingerprints, isNewRecord, inOrder: false} : null;
}
