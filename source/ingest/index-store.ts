/**
 * The persistent index: per file its identity, committed offset, resume state, parser version
 * and compact records, so the next start re-parses only bytes it has not seen.
 *
 * Layout (version 5): `index.json` is a small manifest, one header line
 * `{"magic","version","bytes","sha1"}` then `{"segments":[[sha1, bytes, json], …]}`; each segment
 * is a file `index-<sha1>.seg` holding one file's entry and records (index-segment.ts). A write
 * encodes only the files that changed since they were restored (an append rewrites one segment,
 * not the whole history), writes each new segment under its content's name (temp + rename), then
 * renames the manifest over the old one: a reader sees the whole new index or the previous one.
 * Segments no manifest names are removed once they are a minute old (a concurrent writer's new or
 * reused segments are young; reused ones are touched), and a reader that finds a segment gone
 * re-reads the manifest once. Two burn processes never interleave: the last writer wins.
 * Anything unexpected (bad header, wrong version, short body, checksum mismatch, a segment
 * missing or damaged, malformed entry) means "discard and rebuild", reported in one line, never a
 * crash. For files on disk the index is a cache: it never changes an answer. For files gone from
 * disk (agents delete old transcripts) it is the history: their entries are kept, marked `gone`,
 * and their records still count until `burn forget --gone` drops them (docs/history.md).
 */
import {createHash} from 'node:crypto';
import {closeSync, constants, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, unlinkSync, utimesSync, writeSync} from 'node:fs';
import {homedir} from 'node:os';
import {join} from 'node:path';
import type {TrackerSnapshot} from './file-tracker.js';
import {decodeBody, decodeEntry, encodeBody, type FileEntryJson} from './index-segment.js';
import type {ColumnReader} from './record-reader.js';

/**
 * 5: segments whose columns each take the smallest form their values allow, keys as suffixes;
 * 4: the same manifest and segments with every column at full width; 3: one file, read as one
 * segment. 3 and 4 still load (rewritten as 5 by the next write).
 */
export const INDEX_VERSION = 5;
export const INDEX_FILE = 'index.json';
const MAGIC = 'burn-index';
/** Unreferenced segments younger than this may belong to a concurrent writer's manifest. */
const SEGMENT_GRACE_MS = 60_000;

/** A segment as the manifest names it: its content's SHA-1, its length, its JSON part's length. */
export interface SegmentRef {
	sha1: string;
	bytes: number;
	json: number;
}

/** What the index holds for one file, without decoding its records. */
export interface IndexedFile {
	path: string;
	parser: string;
	records: number;
	gone: boolean;
}

interface Located {
	f: FileEntryJson;
	first: number;
	/** null once a tracker took the entry (`take`): its segment's bytes and tables can go. */
	columns: ColumnReader | null;
	/** The segment that holds this entry alone (null: a version-3 index, or a segment shared with others). */
	segment: SegmentRef | null;
}

/** A loaded index: entries are decoded only when a tracker restores them. */
export class LoadedIndex {
	private readonly byPath = new Map<string, Located>();

	constructor(
		located: Iterable<Located>,
		/** The manifest's SHA-1 (its header's): the same digest, the same entries. */
		readonly digest: string,
	) {
		for (const l of located) this.byPath.set(l.f.path, l);
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
		if (found.columns === null || (found.f.parser !== parser && !(anyVersion && sameReader(found.f.parser, parser)))) return null;
		return decodeEntry(found.f, found.first, found.columns, parser);
	}

	/**
	 * `entry` for a tracker that restores it: the records are the tracker's from then on, so the
	 * index lets go of their columns (the segment's bytes, keys and tables: x1's 17.6 MB, otherwise
	 * held for as long as the engine runs). An entry is taken once; `segment` still names it.
	 */
	take(path: string, parser: string, anyVersion = false): TrackerSnapshot | null {
		const snap = this.entry(path, parser, anyVersion);
		if (snap !== null) this.byPath.get(path)!.columns = null;
		return snap;
	}

	/**
	 * The segment holding exactly `path`'s entry as it was loaded, written by `parser` (gone or not
	 * as `gone` says), to write back unchanged; null when it must be encoded again.
	 */
	segment(path: string, parser: string, gone: boolean): SegmentRef | null {
		const found = this.byPath.get(path);
		if (!found || found.segment === null || found.f.parser !== parser || (found.f.gone === true) !== gone) return null;
		return found.segment;
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
	const first = loadOnce(dir);
	// A concurrent writer may have replaced the manifest and removed a segment the old one named.
	if (first.missingSegment === null) return first.result;
	const again = loadOnce(dir);
	return again.missingSegment === null ? again.result : {index: null, notice: `index ${join(dir, INDEX_FILE)} lacks its segment ${again.missingSegment}; rebuilding it`};
}

function loadOnce(dir: string): {result: LoadResult; missingSegment: string | null} {
	const file = join(dir, INDEX_FILE);
	const done = (result: LoadResult) => ({result, missingSegment: null});
	let raw: Buffer;
	try {
		raw = readFileSync(file);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return done({index: null, notice: null});
		return done({index: null, notice: `index ${file} unreadable (${(error as Error).message}); rebuilding it`});
	}
	const discard = (why: string) => done({index: null, notice: `index ${file} ${why}; rebuilding it`});
	const nl = raw.indexOf(0x0a);
	if (nl === -1) return discard('is truncated');
	let header: {magic?: unknown; version?: unknown; bytes?: unknown; sha1?: unknown; json?: unknown};
	try {
		header = JSON.parse(raw.toString('utf8', 0, nl));
	} catch {
		return discard('has a corrupt header');
	}
	if (header?.magic !== MAGIC) return discard('is not a burn index');
	if (header.version !== INDEX_VERSION && header.version !== 4 && header.version !== 3) return discard(`is version ${String(header.version)}, this burn writes ${INDEX_VERSION}`);
	const body = raw.subarray(nl + 1);
	if (header.bytes !== body.length) return discard('is truncated');
	if (header.sha1 !== sha1(body)) return discard('failed its checksum');
	try {
		if (header.version === 3) {
			// One body, read as one segment that is not kept as it is (the next write splits it).
			const {files, columns} = decodeBody(body, header.json, true);
			return done({index: new LoadedIndex(files.map(({f, first}) => ({f, first, columns, segment: null})), header.sha1), notice: null});
		}
		const manifest = JSON.parse(body.toString('utf8')) as {segments?: unknown};
		if (!Array.isArray(manifest?.segments)) throw new Error('bad manifest');
		const located: Located[] = [];
		for (const s of manifest.segments as unknown[]) {
			const ref = segmentRef(s);
			let seg: Buffer | null;
			try {
				seg = readSegment(join(dir, segmentName(ref.sha1)), ref.bytes);
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {result: {index: null, notice: null}, missingSegment: segmentName(ref.sha1)};
				throw error;
			}
			if (seg === null) return discard(`has a truncated segment ${segmentName(ref.sha1)}`);
			if (sha1(seg) !== ref.sha1) return discard(`has a segment that failed its checksum (${segmentName(ref.sha1)})`);
			const legacy = header.version === 4;
			const {files, columns} = decodeBody(seg, ref.json, legacy);
			// A version-4 segment is not kept as it is: the next write encodes its file again.
			for (const {f, first} of files) located.push({f, first, columns, segment: files.length === 1 && !legacy ? ref : null});
		}
		return done({index: new LoadedIndex(located, header.sha1), notice: null});
	} catch {
		return discard('is malformed');
	}
}

/**
 * A segment's bytes, or null when it is not a regular file of the size the manifest names: a
 * FIFO or a link to a device must not hang or fill memory (the cache dir's own check covers
 * `index.json` only).
 */
function readSegment(path: string, bytes: number): Buffer | null {
	// Non-blocking: opening a FIFO to read would otherwise wait for a writer.
	const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
	try {
		const st = fstatSync(fd);
		if (!st.isFile() || st.size !== bytes) return null;
		const buf = Buffer.allocUnsafe(bytes);
		let at = 0;
		while (at < bytes) {
			const n = readSync(fd, buf, at, bytes - at, at);
			if (n === 0) return null;
			at += n;
		}
		return buf;
	} finally {
		closeSync(fd);
	}
}

function segmentRef(v: unknown): SegmentRef {
	if (!Array.isArray(v) || v.length !== 3) throw new Error('bad segment');
	const [hash, bytes, json] = v as unknown[];
	if (typeof hash !== 'string' || !/^[0-9a-f]{40}$/.test(hash) || !Number.isInteger(bytes) || !Number.isInteger(json)) throw new Error('bad segment');
	return {sha1: hash, bytes: bytes as number, json: json as number};
}

function segmentName(hash: string): string {
	return `index-${hash}.seg`;
}

/** One file to write: its tracker's state to encode, or the loaded segment that already holds it. */
export type IndexItem = TrackerSnapshot | {path: string; segment: SegmentRef};

export interface SaveResult {
	/** Bytes written (new segments and the manifest). */
	bytes: number;
	/** Every path written and the segment that now holds it. */
	segments: Map<string, SegmentRef>;
	/** The manifest's SHA-1: the index's digest. */
	digest: string;
}

/**
 * Writes the index: new segments (unique temp + rename to their content's name, 0600), then the
 * manifest the same way, then removes old unreferenced segments.
 */
export function saveIndex(dir: string, items: Iterable<IndexItem>): SaveResult {
	mkdirSync(dir, {recursive: true, mode: 0o700});
	const refs: SegmentRef[] = [];
	const segments = new Map<string, SegmentRef>();
	let bytes = 0;
	const now = new Date();
	for (const item of items) {
		let ref: SegmentRef;
		if ('segment' in item) {
			ref = item.segment;
			// Young again, so a concurrent writer's clean-up leaves it to the manifest that names it.
			try {
				utimesSync(join(dir, segmentName(ref.sha1)), now, now);
			} catch {}
		} else {
			const body = encodeBody([item]);
			ref = {sha1: body.sha1, bytes: body.bytes, json: body.json};
			// Written even when a file of that name exists: it may be the damaged copy a rebuild replaces.
			writeAtomically(dir, join(dir, segmentName(ref.sha1)), body.parts);
			bytes += body.bytes;
		}
		refs.push(ref);
		segments.set(item.path, ref);
	}
	const body = Buffer.from(JSON.stringify({segments: refs.map((r) => [r.sha1, r.bytes, r.json])}));
	const digest = sha1(body);
	const header = Buffer.from(JSON.stringify({magic: MAGIC, version: INDEX_VERSION, bytes: body.length, sha1: digest}) + '\n');
	writeAtomically(dir, join(dir, INDEX_FILE), [header, body]);
	removeUnreferenced(dir, new Set(refs.map((r) => segmentName(r.sha1))));
	return {bytes: bytes + header.length + body.length, segments, digest};
}

function writeAtomically(dir: string, path: string, parts: Buffer[]): void {
	const tmp = join(dir, `${INDEX_FILE}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
	try {
		const fd = openSync(tmp, 'w', 0o600);
		try {
			for (const b of parts) writeAll(fd, b);
		} finally {
			closeSync(fd);
		}
		renameSync(tmp, path);
	} catch (error) {
		try {
			unlinkSync(tmp);
		} catch {}
		throw error;
	}
}

function writeAll(fd: number, b: Buffer): void {
	for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
}

function sha1(buf: Buffer): string {
	return createHash('sha1').update(buf).digest('hex');
}

/**
 * Segments neither this manifest nor the one on disk now names, once older than the grace
 * period, and temp files of writers that died mid-write (older than an hour).
 */
function removeUnreferenced(dir: string, written: Set<string>): void {
	let names: string[];
	try {
		names = readdirSync(dir);
	} catch {
		return;
	}
	const current = currentSegments(dir);
	const now = Date.now();
	for (const name of names) {
		const temp = name.startsWith(`${INDEX_FILE}.`) && name.endsWith('.tmp');
		const segment = name.startsWith('index-') && name.endsWith('.seg') && !written.has(name) && !current.has(name);
		if (!temp && !segment) continue;
		try {
			const p = join(dir, name);
			if (statSync(p).mtimeMs < now - (temp ? 3_600_000 : SEGMENT_GRACE_MS)) unlinkSync(p);
		} catch {}
	}
}

/** The segments the manifest on disk names (another writer's, when it renamed last). */
function currentSegments(dir: string): Set<string> {
	const names = new Set<string>();
	try {
		const raw = readFileSync(join(dir, INDEX_FILE));
		const nl = raw.indexOf(0x0a);
		const manifest = JSON.parse(raw.toString('utf8', nl + 1)) as {segments?: unknown};
		if (Array.isArray(manifest.segments)) for (const s of manifest.segments) if (Array.isArray(s) && typeof s[0] === 'string') names.add(segmentName(s[0]));
	} catch {}
	return names;
}
