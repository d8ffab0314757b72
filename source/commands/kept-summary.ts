/**
 * The summary kept at the index's watermark (summary.v8, ingest/summary-cache.ts) as the commands
 * use it: its key (everything besides the files that can change the answer), its payload (the
 * document as built, what flags and quota are judged from, the per-minute spend and per-root
 * numbers the live view draws), reading it back and keeping it. `summary --once` answers from it
 * (summary-warm.ts); `watch` draws its first frame from it while the engine reads (watch-kept.ts);
 * both keep it after a full read. One key and one payload, so each can use what the other kept.
 */
import type {ProviderQuotaSample} from '../core/quota.js';
import type {RecordFilter} from '../core/record-filter.js';
import type {MinutePoint} from '../core/snapshot.js';
import type {SourceNumbers} from '../core/source-numbers.js';
import type {SummaryJson} from '../core/summary.js';
import type {DiscoveryResult} from '../ingest/discover.js';
import {indexDigest} from '../ingest/flag-state.js';
import {buildId, dropSummaryCache, loadSummaryCache, saveSummaryCache, type Manifest} from '../ingest/summary-cache.js';
import type {SourceDefinition} from '../sources/types.js';
import type {FlagInputs, KeptEvaluation} from './flag-options.js';
import type {LoadedPrices} from './price-sheets.js';
import {pricingInfo} from './price-sheets.js';

/** What a warm run needs besides the files' manifest. */
export interface WarmPayload {
	/** The document as `buildSummary` built it (before pricing, flags and quota): `JSON.stringify(doc, null, 2)`, UTF-8. */
	doc: Uint8Array;
	flags: FlagInputs;
	/** The fold's evaluation state under the fold's key (else flags.v8 is resumed). */
	fold: KeptEvaluation | null;
	/** The counted records' newest quota windows (`recordQuotaSamples`). */
	quota: ProviderQuotaSample[];
	/**
	 * Spend per minute of the counted ledger for the day before the count (what `watch` draws), as
	 * `packMinutes` packs it: a typed array deserializes as one copy, where 1,440 objects a day (and
	 * more when records are stamped ahead of the clock) cost `summary --once` a hit's time for
	 * something only `watch` reads.
	 */
	minutes: Float64Array;
	/** The per-root numbers (files, records, bytes, last change) as counted. */
	sources: SourceNumbers[];
}

/** Numbers per minute point in a packed array: its start, records, tokens, usd. */
const MINUTE_FIELDS = 4;

/** The per-minute points as one flat array (`WarmPayload.minutes`). */
export function packMinutes(points: readonly MinutePoint[]): Float64Array {
	const out = new Float64Array(points.length * MINUTE_FIELDS);
	let i = 0;
	for (const p of points) {
		out[i++] = p.minute;
		out[i++] = p.records;
		out[i++] = p.tokens;
		out[i++] = p.usd;
	}
	return out;
}

/** The packed points whose minute starts at or after `from`, as `packMinutes` was given them. */
export function unpackMinutes(packed: Float64Array, from: number): MinutePoint[] {
	const out: MinutePoint[] = [];
	for (let i = 0; i + MINUTE_FIELDS <= packed.length; i += MINUTE_FIELDS) {
		if (packed[i]! >= from) out.push({minute: packed[i]!, records: packed[i + 1]!, tokens: packed[i + 2]!, usd: packed[i + 3]!});
	}
	return out;
}

/** What `summary` adds to the built document, in the document's key order (judged at the wall clock). */
export interface JudgedFields {
	pricing: NonNullable<SummaryJson['pricing']>;
	flags: NonNullable<SummaryJson['flags']>;
	flagNotes: NonNullable<SummaryJson['flagNotes']>;
	quota: NonNullable<SummaryJson['quota']>;
}

const JUDGED: ReadonlyArray<keyof JudgedFields> = ['pricing', 'flags', 'flagNotes', 'quota'];
const GENERATED_AT = Buffer.from('\n  "generatedAt": "');

/**
 * The kept document's bytes. `writeJson` writes exactly what `JSON.stringify({...doc,
 * generatedAt, ...judged}, null, 2)` would, without parsing it: the bytes are the pretty-printed
 * built document, `generatedAt` is a fixed-place string in it, and the judged fields come
 * after every built one.
 */
export class KeptDocument {
	private readonly bytes: Buffer;
	/** Where `generatedAt`'s value starts and ends (between its quotes). */
	private readonly at: [number, number];

	constructor(bytes: Uint8Array) {
		this.bytes = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
		const at = generatedAtRange(this.bytes);
		if (at === null || !endsAsObject(this.bytes)) throw new Error('not a kept document');
		this.at = at;
	}

	/**
	 * The document a full read built, as it is kept (before the judged fields are added to it);
	 * null when it cannot be (it has one already).
	 */
	static of(built: SummaryJson): KeptDocument | null {
		// The judged fields are added after every built one: a built document never has them.
		if (JUDGED.some((k) => k in built)) return null;
		try {
			return new KeptDocument(Buffer.from(JSON.stringify(built, null, 2)));
		} catch {
			return null;
		}
	}

	/** The kept bytes (what summary.v8 holds after its serialized part). */
	get raw(): Buffer {
		return this.bytes;
	}

	writeJson(out: NodeJS.WritableStream, generatedAt: string, judged: JudgedFields): void {
		const b = this.bytes;
		// The judged fields as members of an object at the document's level: `{\n  "pricing": …\n}`,
		// indented as they are in the whole document (no re-indenting pass over a large flags list).
		const fields: Partial<JudgedFields> = {};
		for (const k of JUDGED) fields[k] = judged[k] as never;
		const members = JSON.stringify(fields, null, 2);
		const tail = members === '{}' ? '' : `,${members.slice(1, -2)}`;
		out.write(b.subarray(0, this.at[0]));
		out.write(JSON.stringify(generatedAt).slice(1, -1));
		// Up to the closing "\n}" of the built document.
		out.write(b.subarray(this.at[1], b.length - 2));
		out.write(`${tail}\n}\n`);
	}

	/**
	 * The built document, its `generatedAt` this run's. Each top-level member is parsed when first
	 * read (then it is a plain value): the text report by issue never reads `byRun`, most of the
	 * bytes (x1: 5.7 of 12 MB, ~30 ms of a 12 MB parse). The same members, in the same order, with
	 * the same values as `JSON.parse` of the bytes gives; assigning a member replaces it.
	 */
	parse(generatedAt: string): SummaryJson {
		const b = this.bytes;
		const doc = {} as Record<string, unknown>;
		const plain = (key: string, value: unknown) => Object.defineProperty(doc, key, {value, writable: true, enumerable: true, configurable: true});
		for (const {key, start, end} of topLevelMembers(b)) {
			Object.defineProperty(doc, key, {
				enumerable: true,
				configurable: true,
				get() {
					const value: unknown = JSON.parse(b.toString('utf8', start, end));
					plain(key, value);
					return value;
				},
				set(value: unknown) {
					plain(key, value);
				},
			});
		}
		doc.generatedAt = generatedAt;
		return doc as unknown as SummaryJson;
	}
}

const MEMBER = Buffer.from('\n  "');

/**
 * The top-level members of an object `JSON.stringify(value, null, 2)` printed: a line that starts
 * with exactly two spaces and a quote is one (a string's own newlines are escaped, deeper members
 * are indented further); each value runs to the comma before the next member, the last to the
 * closing `\n}`.
 */
function topLevelMembers(b: Buffer): Array<{key: string; start: number; end: number}> {
	const out: Array<{key: string; start: number; end: number}> = [];
	let at = b.indexOf(MEMBER);
	while (at !== -1) {
		const next = b.indexOf(MEMBER, at + MEMBER.length);
		const keyStart = at + MEMBER.length - 1;
		// The key is a JSON string: its closing quote is the first one not escaped.
		let q = keyStart + 1;
		while (b[q] !== 0x22) q += b[q] === 0x5c ? 2 : 1;
		const key = JSON.parse(b.toString('utf8', keyStart, q + 1)) as string;
		// `": "` after the key, then the value up to the comma (or the closing brace's newline).
		out.push({key, start: q + 3, end: next === -1 ? b.length - 2 : next - 1});
		at = next;
	}
	return out;
}

function generatedAtRange(b: Buffer): [number, number] | null {
	const i = b.indexOf(GENERATED_AT);
	// Second key, right after the schema: never further than this.
	if (i < 0 || i > 64) return null;
	const start = i + GENERATED_AT.length;
	const end = b.indexOf(0x22, start);
	return end < 0 ? null : [start, end];
}

function endsAsObject(b: Buffer): boolean {
	return b.length >= 4 && b[0] === 0x7b && b[b.length - 2] === 0x0a && b[b.length - 1] === 0x7d;
}

/** Everything besides the files that the kept summary depended on. */
export interface WarmDepends {
	discovery: DiscoveryResult;
	filters: RecordFilter;
	patterns: readonly RegExp[];
	/** The prices: whether priced, the sheets' paths and contents, the embedded table's date. */
	pricing: {priced: boolean; fingerprint: string; asOf: string; sheets: readonly string[]};
}

/** The kept summary's key, or null without an index (the key names the index's digest). */
export function summaryKey(dir: string, depends: WarmDepends): string | null {
	const index = indexDigest(dir);
	if (index === null) return null;
	const {discovery, filters, patterns, pricing} = depends;
	return JSON.stringify({
		build: buildId(),
		index,
		roots: discovery.roots.map((r) => [r.kind, r.path, r.via, r.explicit]),
		missing: discovery.missing.map((r) => [r.kind, r.path, r.via, r.explicit]),
		explicit: discovery.explicit,
		filters: [filters.since ?? null, filters.until ?? null, filters.issue ?? null],
		patterns: patterns.map(String),
		pricing,
	});
}


/** The key's dependencies as `summary` and `watch` both name them (one place, so a key built by one matches the other's). */
export function warmDepends(discovery: DiscoveryResult, filters: RecordFilter, patterns: readonly RegExp[], prices: LoadedPrices): WarmDepends {
	return {discovery, filters, patterns, pricing: {priced: prices.pricer !== undefined, fingerprint: prices.fingerprint, ...pricingInfo(prices)}};
}

/** No filter: what `watch` shows (and `summary --once` without --since/--until/--issue). */
export const NO_FILTER: RecordFilter = {since: null, until: null, issue: null};

/** The kept payload, its document and key, when the key matches and no file changed since it was kept; else null. */
export function loadKept(dir: string, depends: WarmDepends, sources: readonly SourceDefinition[]): {payload: WarmPayload; doc: KeptDocument; key: string} | null {
	const key = summaryKey(dir, depends);
	if (key === null) return null;
	const loaded = loadSummaryCache<Omit<WarmPayload, 'doc'>>(dir, key, depends.discovery, sources);
	// A payload kept by an older layout (no packed minutes) is a miss, never a frame with holes.
	if (!loaded || !(loaded.payload.minutes instanceof Float64Array) || !Array.isArray(loaded.payload.sources)) return null;
	const payload: WarmPayload = {...loaded.payload, doc: loaded.raw};
	try {
		return {payload, doc: new KeptDocument(loaded.raw), key};
	} catch {
		return null;
	}
}

/**
 * Keeps what this full run counted for the next run (after the index is written): `doc` is its
 * document (`KeptDocument.of`). Nothing is kept, and an older kept summary is dropped, when the
 * index does not hold exactly this count (`manifest` null) or there is no document to keep.
 */
export function keepSummary(dir: string, depends: WarmDepends, manifest: Manifest | null, doc: KeptDocument | null, rest: Omit<WarmPayload, 'doc'>): void {
	const key = summaryKey(dir, depends);
	if (manifest === null || key === null || doc === null) {
		dropSummaryCache(dir);
		return;
	}
	saveSummaryCache<Omit<WarmPayload, 'doc'>>(dir, key, manifest, rest, doc.raw);
}
