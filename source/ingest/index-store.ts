/**
 * The persistent index: per file its identity, committed offset, resume state, parser version
 * and compact records, so the next start re-parses only bytes it has not seen.
 *
 * Layout: one header line `{"magic","version","bytes","sha1","json"}` (space-padded to a multiple
 * of 8 bytes), then the body: `json` bytes of JSON (files, string and value tables, record keys),
 * padding to 8 bytes, and the records' typed-array columns (record-codec.ts). Written to a
 * unique temp file (mode 0600) and renamed over the old one, so a reader sees a whole index or
 * the previous one, and two burn processes never interleave: the last writer wins. Anything
 * unexpected (bad header, wrong version, short body, checksum mismatch, malformed entry) means
 * "discard and rebuild", reported in one line, never a crash. For files on disk the index is a
 * cache: it never changes an answer. For files gone from disk (agents delete old transcripts) it
 * is the history: their entries are kept, marked `gone`, and their records still count until
 * `burn forget --gone` drops them (docs/history.md).
 */
import {createHash} from 'node:crypto';
import {closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync} from 'node:fs';
import {homedir} from 'node:os';
import {join} from 'node:path';
import {foldVersions} from '../core/dedup.js';
import {ProblemLog, type ProblemLogJson} from '../core/problems.js';
import type {ActivityEvent, UsageRecord} from '../core/record.js';
import {MAX_PROBLEMS_PER_FILE, type FileIdentity, type TrackerSnapshot} from './file-tracker.js';
import {ColumnReader, ColumnWriter} from './record-codec.js';

/** 3: per-file `span` (time range of every record parsed, folded versions included). */
export const INDEX_VERSION = 3;
export const INDEX_FILE = 'index.json';
const MAGIC = 'burn-index';

interface FileEntryJson {
	path: string;
	parser: string;
	id: [number, number, number, number, number | null, number | null];
	offset: number;
	line: number;
	state: unknown;
	fp: string | null;
	tail: number;
	/** Records of this file: the next `records` rows of the columns. */
	records: number;
	/** Parsed records folded away (superseded versions within the file). */
	folded: number;
	/** Earliest and latest time of every record parsed (folded versions included); null: none. */
	span: [number, number] | null;
	events: ActivityEvent[];
	problems: ProblemLogJson;
	/** The file was gone from disk when the index was written. */
	gone?: true;
}

/** What the index holds for one file, without decoding its records. */
export interface IndexedFile {
	path: string;
	parser: string;
	records: number;
	gone: boolean;
}

interface IndexBody {
	strings: string[];
	/** Meta, quota and unknown-field objects, each stored once. */
	values: unknown[];
	/** Every record's key, in file order. */
	keys: string[];
	files: FileEntryJson[];
}

/** A loaded index: entries are decoded only when a tracker restores them. */
export class LoadedIndex {
	private readonly byPath = new Map<string, {f: FileEntryJson; first: number}>();

	constructor(
		body: IndexBody,
		private readonly columns: ColumnReader,
	) {
		let first = 0;
		for (const f of body.files) {
			this.byPath.set(f.path, {f, first});
			first += f.records;
		}
	}

	get size(): number {
		return this.byPath.size;
	}

	*files(): IterableIterator<IndexedFile> {
		for (const {f} of this.byPath.values()) yield {path: f.path, parser: f.parser, records: f.records, gone: f.gone === true};
	}

	/**
	 * The entry for `path` if it was written by the same parser; null when absent or stale. With
	 * `anyVersion`, any version of the same source and reader (a gone file cannot be read again, so
	 * an older parser's records are the best there will ever be).
	 */
	entry(path: string, parser: string, anyVersion = false): TrackerSnapshot | null {
		const found = this.byPath.get(path);
		if (!found) return null;
		if (found.f.parser !== parser && !(anyVersion && sameReader(found.f.parser, parser))) return null;
		const {f, first} = found;
		// push, not `new Array(n)`: a large preallocated array starts in V8's slow dictionary mode.
		const records: UsageRecord[] = [];
		for (let j = 0; j < f.records; j++) records.push(this.columns.record(first + j, path));
		const [dev, ino, size, mtimeMs, walSize, walMtimeMs] = f.id;
		const identity: FileIdentity = {dev, ino, size, mtimeMs};
		if (walSize !== null) identity.walSize = walSize;
		if (walMtimeMs !== null) identity.walMtimeMs = walMtimeMs;
		return {
			path,
			parser,
			identity,
			offset: f.offset,
			line: f.line,
			state: f.state,
			fingerprint: f.fp,
			tailBytes: f.tail,
			records,
			folded: typeof f.folded === 'number' ? f.folded : 0,
			span: Array.isArray(f.span) ? {from: f.span[0], to: f.span[1]} : null,
			events: f.events,
			problems: ProblemLog.fromJson(f.problems, MAX_PROBLEMS_PER_FILE),
			...(f.gone === true ? {gone: true} : {}),
		};
	}
}

/** `kind:type:version` parser ids of the same kind and type. */
function sameReader(a: string, b: string): boolean {
	return a.slice(0, a.lastIndexOf(':')) === b.slice(0, b.lastIndexOf(':'));
}

export interface LoadResult {
	index: LoadedIndex | null;
	/** One line for the user when an index existed but was discarded. */
	notice: string | null;
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, home = env.HOME || homedir()): string {
	if (env.BURN_CACHE_DIR) return env.BURN_CACHE_DIR;
	const xdg = env.XDG_CACHE_HOME;
	return join(xdg && xdg.trim() !== '' ? xdg : join(home, '.cache'), 'burn');
}

export function loadIndex(dir: string): LoadResult {
	const file = join(dir, INDEX_FILE);
	let raw: Buffer;
	try {
		raw = readFileSync(file);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {index: null, notice: null};
		return {index: null, notice: `index ${file} unreadable (${(error as Error).message}); rebuilding it`};
	}
	const discard = (why: string): LoadResult => ({index: null, notice: `index ${file} ${why}; rebuilding it`});
	const nl = raw.indexOf(0x0a);
	if (nl === -1) return discard('is truncated');
	let header: {magic?: unknown; version?: unknown; bytes?: unknown; sha1?: unknown; json?: unknown};
	try {
		header = JSON.parse(raw.toString('utf8', 0, nl));
	} catch {
		return discard('has a corrupt header');
	}
	if (header?.magic !== MAGIC) return discard('is not a burn index');
	if (header.version !== INDEX_VERSION) return discard(`is version ${String(header.version)}, this burn writes ${INDEX_VERSION}`);
	const body = raw.subarray(nl + 1);
	if (header.bytes !== body.length) return discard('is truncated');
	if (header.sha1 !== sha1(body)) return discard('failed its checksum');
	try {
		const jsonBytes = header.json;
		if (typeof jsonBytes !== 'number' || jsonBytes > body.length) throw new Error('bad header');
		const parsed = JSON.parse(body.toString('utf8', 0, jsonBytes)) as IndexBody;
		if (!Array.isArray(parsed?.strings) || !Array.isArray(parsed.values) || !Array.isArray(parsed.keys) || !Array.isArray(parsed.files)) {
			throw new Error('bad body');
		}
		let n = 0;
		for (const f of parsed.files) {
			if (typeof f.path !== 'string' || typeof f.parser !== 'string' || !Array.isArray(f.id) || !Number.isInteger(f.records) || f.records < 0) {
				throw new Error('bad entry');
			}
			n += f.records;
		}
		const columns = new ColumnReader(n, body.subarray(pad8(jsonBytes)), parsed.keys, parsed.strings, parsed.values);
		return {index: new LoadedIndex(parsed, columns), notice: null};
	} catch {
		return discard('is malformed');
	}
}

/** Writes the index atomically (unique temp + rename, 0600). Returns the bytes written. */
export function saveIndex(dir: string, snapshots: Iterable<TrackerSnapshot>): number {
	mkdirSync(dir, {recursive: true, mode: 0o700});
	const columns = new ColumnWriter();
	const files: FileEntryJson[] = [];
	for (const s of snapshots) {
		const id = s.identity;
		const kept = foldVersions(s.records);
		for (const r of kept) columns.add(r, s.path);
		files.push({
			path: s.path,
			parser: s.parser,
			id: [id.dev, id.ino, id.size, id.mtimeMs, id.walSize ?? null, id.walMtimeMs ?? null],
			offset: s.offset,
			line: s.line,
			state: s.state,
			fp: s.fingerprint,
			tail: s.tailBytes,
			records: kept.length,
			folded: s.folded + s.records.length - kept.length,
			span: s.span ? [s.span.from, s.span.to] : null,
			events: s.events,
			problems: s.problems.toJson(),
			...(s.gone ? {gone: true as const} : {}),
		});
	}
	const binary = columns.columns();
	// The values are already JSON (their interning keys): joined as they are, the same bytes as
	// stringifying the whole body, without serialising every meta object a second time.
	const json = Buffer.from(
		`{"strings":${JSON.stringify(columns.strings.items)},"values":[${columns.values.keys.join(',')}],"keys":${JSON.stringify(columns.keys)},"files":${JSON.stringify(files)}}`,
	);
	// The body's parts are hashed and written as they are (no concatenated copies of a large index).
	const body = [json, Buffer.alloc(pad8(json.length) - json.length, 0x20), binary];
	const bodyBytes = body.reduce((n, b) => n + b.length, 0);
	const hash = createHash('sha1');
	for (const b of body) hash.update(b);
	let head = JSON.stringify({magic: MAGIC, version: INDEX_VERSION, bytes: bodyBytes, sha1: hash.digest('hex'), json: json.length});
	// Padded so the columns start 8-byte aligned in the file buffer (typed arrays are views, not copies).
	head = head.padEnd(pad8(head.length + 1) - 1, ' ');
	const header = Buffer.from(head + '\n');
	const tmp = join(dir, `${INDEX_FILE}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
	try {
		const fd = openSync(tmp, 'w', 0o600);
		try {
			for (const b of [header, ...body]) writeAll(fd, b);
		} finally {
			closeSync(fd);
		}
		renameSync(tmp, join(dir, INDEX_FILE));
	} catch (error) {
		try {
			unlinkSync(tmp);
		} catch {}
		throw error;
	}
	removeStaleTemps(dir);
	return header.length + bodyBytes;
}

function writeAll(fd: number, b: Buffer): void {
	for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
}

function pad8(n: number): number {
	return Math.ceil(n / 8) * 8;
}

function sha1(buf: Buffer): string {
	return createHash('sha1').update(buf).digest('hex');
}

/** Temp files of writers that died mid-write (older than an hour). */
function removeStaleTemps(dir: string): void {
	let names: string[];
	try {
		names = readdirSync(dir);
	} catch {
		return;
	}
	const cutoff = Date.now() - 3_600_000;
	for (const name of names) {
		if (!name.startsWith(`${INDEX_FILE}.`) || !name.endsWith('.tmp')) continue;
		try {
			const p = join(dir, name);
			if (statSync(p).mtimeMs < cutoff) unlinkSync(p);
		} catch {}
	}
}
