/**
 * The persistent index: per file its identity, committed offset, resume state, parser version
 * and compact records, so the next start re-parses only bytes it has not seen.
 *
 * Layout (version 6): `index.json` is a small manifest, one header line
 * `{"magic","version","bytes","sha1"}` then `{"segments":[ref, …]}`; each segment holds one
 * file's entry and records (index-segment.ts). A write encodes only the files that changed since
 * they were restored (an append re-encodes one file, not the whole history) and puts every segment
 * it encoded into one segment file `index-<sha1>.seg`, named after its content (temp + rename; a cold
 * read of 600 files creates one file, not 600), then renames the manifest over the old one: a
 * reader sees the whole new index or the previous one. A ref names its segment's SHA-1, length and
 * JSON part, and, when the segment shares its file, the file's SHA-1, where in it the segment
 * starts and the file's length. A file whose named segments are less than half its bytes (the
 * rest superseded by later writes) has them moved, bytes as they are, into the next write's file.
 * Segment files no manifest names are removed once they are a minute old (a concurrent writer's
 * new or reused ones are young; reused ones are touched), and a reader that finds one gone
 * re-reads the manifest once. Two burn processes never interleave: the last writer wins.
 * Anything unexpected (bad header, wrong version, short body, checksum mismatch, a segment
 * missing or damaged, malformed entry) means "discard and rebuild", reported in one line, never a
 * crash. For files on disk the index is a cache: it never changes an answer. For files gone from
 * disk (agents delete old transcripts) it is the history: their entries are kept, marked `gone`,
 * and their records still count until `burn forget --gone` drops them (docs/history.md).
 */
import {createHash} from 'node:crypto';
import {closeSync, constants, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync, unlinkSync, utimesSync} from 'node:fs';
import {homedir} from 'node:os';
import {join} from 'node:path';
import {AtomicFile, removeStaleTemps, writeAtomically} from './atomic-file.js';
import type {TrackerSnapshot} from './file-tracker.js';
import {decodeBody, decodeEntry, encodeBody, type FileEntryJson} from './index-segment.js';
import type {ColumnReader} from './record-reader.js';

/**
 * 6: a write's segments share one file (a ref may name the file and the segment's place in it);
 * 5: one file per segment, columns each in the smallest form their values allow, keys as suffixes;
 * 4: the same manifest and segments with every column at full width; 3: one file, read as one
 * segment. 3 to 5 still load (5's segments are kept as they are; 3 and 4 are rewritten by the next write).
 */
export const INDEX_VERSION = 6;
export const INDEX_FILE = 'index.json';
const MAGIC = 'burn-index';
/** Unreferenced segments younger than this may belong to a concurrent writer's manifest. */
const SEGMENT_GRACE_MS = 60_000;

/**
 * A segment as the manifest names it: its content's SHA-1, its length, its JSON part's length, and
 * the segment file that holds it (named by that file's SHA-1), where in it the segment starts
 * (8-aligned, for the typed-array columns) and the file's length. A segment alone in its file:
 * `file` is its own SHA-1, `at` 0, `fileBytes` its length.
 */
export interface SegmentRef {
	sha1: string;
	bytes: number;
	json: number;
	file: string;
	at: number;
	fileBytes: number;
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
	 * After the first read: every entry's columns go but those of `keep` (entries to encode again
	 * from their records). A write's segments share one buffer, so one entry left untaken (a file
	 * of another run's roots) would otherwise hold all of them for as long as a `watch` runs.
	 */
	release(keep: ReadonlySet<string>): void {
		for (const [path, l] of this.byPath) if (!keep.has(path)) l.columns = null;
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
	if (header.version !== INDEX_VERSION && header.version !== 5 && header.version !== 4 && header.version !== 3) return discard(`is version ${String(header.version)}, this burn writes ${INDEX_VERSION}`);
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
		const refs = (manifest.segments as unknown[]).map(segmentRef);
		const legacy = header.version === 4;
		const located: Located[] = [];
		// Each segment file is read once, however many of the segments it holds the manifest names.
		const files = new Map<string, Buffer>();
		for (const ref of refs) {
			let file = files.get(ref.file);
			if (file === undefined) {
				let read: Buffer | null;
				try {
					read = readSegmentFile(join(dir, segmentName(ref.file)), ref.fileBytes);
				} catch (error) {
					if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {result: {index: null, notice: null}, missingSegment: segmentName(ref.file)};
					throw error;
				}
				if (read === null) return discard(`has a truncated segment ${segmentName(ref.file)}`);
				files.set(ref.file, (file = read));
			}
			const seg = file.subarray(ref.at, ref.at + ref.bytes);
			if (sha1(seg) !== ref.sha1) return discard(`has a segment that failed its checksum (${segmentName(ref.file)})`);
			const decoded = decodeBody(seg, ref.json, legacy);
			// A version-4 segment is not kept as it is: the next write encodes its file again.
			for (const {f, first} of decoded.files) located.push({f, first, columns: decoded.columns, segment: decoded.files.length === 1 && !legacy ? ref : null});
		}
		return done({index: new LoadedIndex(located, header.sha1), notice: null});
	} catch {
		return discard('is malformed');
	}
}

/**
 * `bytes` bytes at `at` of a segment file (all of it by default), or null when it is not a regular
 * file of the size the manifest names: a FIFO or a link to a device must not hang or fill memory
 * (the cache dir's own check covers `index.json` only).
 */
function readSegmentFile(path: string, fileBytes: number, at = 0, bytes = fileBytes): Buffer | null {
	// Non-blocking: opening a FIFO to read would otherwise wait for a writer.
	const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
	try {
		const st = fstatSync(fd);
		if (!st.isFile() || st.size !== fileBytes) return null;
		const buf = Buffer.allocUnsafe(bytes);
		let got = 0;
		while (got < bytes) {
			const n = readSync(fd, buf, got, bytes - got, at + got);
			if (n === 0) return null;
			got += n;
		}
		return buf;
	} finally {
		closeSync(fd);
	}
}

const SHA1 = /^[0-9a-f]{40}$/;

/** A manifest's ref: `[sha1, bytes, json]` (a segment alone in its file) or `[sha1, bytes, json, file, at, fileBytes]`. */
function segmentRef(v: unknown): SegmentRef {
	if (!Array.isArray(v) || (v.length !== 3 && v.length !== 6)) throw new Error('bad segment');
	const [hash, bytes, json, file = hash, at = 0, fileBytes = bytes] = v as unknown[];
	const count = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0;
	if (typeof hash !== 'string' || !SHA1.test(hash) || typeof file !== 'string' || !SHA1.test(file)) throw new Error('bad segment');
	if (!count(bytes) || !count(json) || !count(at) || !count(fileBytes) || at + bytes > fileBytes) throw new Error('bad segment');
	return {sha1: hash, bytes, json, file, at, fileBytes};
}

function refJson(r: SegmentRef): unknown[] {
	return r.file === r.sha1 && r.at === 0 && r.fileBytes === r.bytes ? [r.sha1, r.bytes, r.json] : [r.sha1, r.bytes, r.json, r.file, r.at, r.fileBytes];
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
 * Writes the index: the new segments in one segment file (unique temp + rename to its content's
 * name, 0600), then the manifest the same way, then removes old unreferenced segment files.
 */
export function saveIndex(dir: string, items: Iterable<IndexItem>): SaveResult {
	mkdirSync(dir, {recursive: true, mode: 0o700});
	const list = [...items];
	const kept = list.flatMap((item) => ('segment' in item ? [item.segment] : []));
	const moving = mostlySuperseded(kept);
	// This write's segment file: the segments encoded now and those moving out of mostly superseded files.
	const pack = new SegmentPack(dir);
	const refs: SegmentRef[] = [];
	const reused = new Set<string>();
	let file: {name: string; bytes: number};
	try {
		for (const item of list) {
			if ('segment' in item) {
				const moved = moving.has(item.segment.file) ? moveSegment(dir, item.segment, pack) : null;
				if (moved === null) reused.add(item.segment.file);
				refs.push(moved ?? item.segment);
			} else {
				const body = encodeBody([item]);
				refs.push(pack.add(body.parts, body.bytes, body.json, body.sha1));
			}
		}
		file = pack.finish();
	} catch (error) {
		pack.abandon();
		throw error;
	}
	const final = refs.map((r) => (r.file === PENDING ? {...r, file: file.name, fileBytes: file.bytes} : r));
	const segments = new Map<string, SegmentRef>();
	list.forEach((item, i) => segments.set(item.path, final[i]!));
	// Young again, so a concurrent writer's clean-up leaves them to the manifest that names them.
	const now = new Date();
	for (const name of reused) {
		try {
			utimesSync(join(dir, segmentName(name)), now, now);
		} catch {}
	}
	const body = Buffer.from(JSON.stringify({segments: final.map(refJson)}));
	const digest = sha1(body);
	const header = Buffer.from(JSON.stringify({magic: MAGIC, version: INDEX_VERSION, bytes: body.length, sha1: digest}) + '\n');
	writeAtomically(join(dir, INDEX_FILE), [header, body]);
	removeUnreferenced(dir, new Set(final.map((r) => segmentName(r.file))));
	return {bytes: file.bytes + header.length + body.length, segments, digest};
}

/** A ref's `file` until the segment file it is in is written (`SegmentPack.finish` says which). */
const PENDING = '';

/**
 * The segments one write puts into its one segment file, each 8-aligned, written to a temp file
 * as they come (a cold read's hundreds are not held until the end) and renamed by `finish` to a
 * name its content fixes without hashing it again: one segment at 0 is named by its own SHA-1 (as
 * a version-5 segment was), several by the SHA-1 of their SHA-1s and places (the padding between
 * them is zeros, so those fix every byte).
 */
class SegmentPack {
	private file: AtomicFile | null = null;
	private readonly placed: string[] = [];

	constructor(private readonly dir: string) {}

	/** Adds a segment; its ref names no file until `finish`. */
	add(parts: Buffer[], bytes: number, json: number, sha: string): SegmentRef {
		// Named after the manifest until it is whole (the temp files `removeUnreferenced` sweeps).
		this.file ??= AtomicFile.beside(join(this.dir, INDEX_FILE));
		const pad = (8 - (this.file.length % 8)) % 8;
		if (pad > 0) this.file.write(Buffer.alloc(pad));
		const at = this.file.length;
		for (const b of parts) this.file.write(b);
		this.placed.push(`${sha}@${at}`);
		return {sha1: sha, bytes, json, file: PENDING, at, fileBytes: 0};
	}

	/** Renames the file to its name (nothing when empty): the name and length, which the refs added lack. */
	finish(): {name: string; bytes: number} {
		if (this.file === null) return {name: PENDING, bytes: 0};
		const only = this.placed.length === 1 ? this.placed[0]! : null;
		const name = only !== null && only.endsWith('@0') ? only.slice(0, -2) : createHash('sha1').update(this.placed.join('\n')).digest('hex');
		// Renamed over a file of that name too: it may be the damaged copy a rebuild replaces.
		this.file.keep(join(this.dir, segmentName(name)));
		return {name, bytes: this.file.length};
	}

	/** A write failed: the temp file goes. */
	abandon(): void {
		this.file?.drop();
	}
}

/**
 * Segment files of which the manifest would name less than half the bytes: the rest are segments
 * later writes superseded (an active transcript's, after a cold read packed it with the history).
 * Their named segments move into this write's file, so dead bytes stay under the live ones.
 */
function mostlySuperseded(kept: readonly SegmentRef[]): Set<string> {
	const live = new Map<string, {named: number; size: number}>();
	for (const r of kept) {
		const f = live.get(r.file);
		if (f) f.named += r.bytes;
		else live.set(r.file, {named: r.bytes, size: r.fileBytes});
	}
	const out = new Set<string>();
	for (const [file, {named, size}] of live) if (named * 2 < size) out.add(file);
	return out;
}

/** Copies a kept segment's bytes into `pack` (checked against its SHA-1); null if they cannot be read: it stays where it is. */
function moveSegment(dir: string, ref: SegmentRef, pack: SegmentPack): SegmentRef | null {
	let buf: Buffer | null;
	try {
		buf = readSegmentFile(join(dir, segmentName(ref.file)), ref.fileBytes, ref.at, ref.bytes);
	} catch {
		return null;
	}
	return buf !== null && sha1(buf) === ref.sha1 ? pack.add([buf], ref.bytes, ref.json, ref.sha1) : null;
}

function sha1(buf: Buffer): string {
	return createHash('sha1').update(buf).digest('hex');
}

/**
 * Segment files neither this manifest nor the one on disk now names, once older than the grace
 * period, and temp files of writers that died mid-write (older than an hour).
 */
function removeUnreferenced(dir: string, written: Set<string>): void {
	let names: string[];
	try {
		names = readdirSync(dir);
	} catch {
		return;
	}
	removeStaleTemps(dir, [INDEX_FILE], names);
	const current = currentSegments(dir);
	const old = Date.now() - SEGMENT_GRACE_MS;
	for (const name of names) {
		if (!name.startsWith('index-') || !name.endsWith('.seg') || written.has(name) || current.has(name)) continue;
		try {
			const p = join(dir, name);
			if (statSync(p).mtimeMs < old) unlinkSync(p);
		} catch {}
	}
}

/** The segment files the manifest on disk names (another writer's, when it renamed last). */
function currentSegments(dir: string): Set<string> {
	const names = new Set<string>();
	try {
		const raw = readFileSync(join(dir, INDEX_FILE));
		const nl = raw.indexOf(0x0a);
		const manifest = JSON.parse(raw.toString('utf8', nl + 1)) as {segments?: unknown};
		if (Array.isArray(manifest.segments)) {
			for (const s of manifest.segments) {
				try {
					names.add(segmentName(segmentRef(s).file));
				} catch {}
			}
		}
	} catch {}
	return names;
}
