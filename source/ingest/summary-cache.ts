/**
 * The counted result at the index's watermark, kept beside the index (`summary.v8` in the cache
 * dir), so `summary --once` over unchanged files builds its document without decoding or
 * re-counting a single record (docs/index.md, "The summary kept at the watermark").
 *
 * The file holds a key — everything besides the files that can change the answer: burn's build,
 * the index's digest, the roots, the filters, the issue patterns, the prices — a manifest of the
 * files as the run that wrote it left them (path and identity of every tracked file and bosun
 * alerts file, gone ones marked), and the payload the caller needs (the document as built, and
 * what the flags and quota are judged from at the wall clock). A hit needs the same key and every
 * file on disk exactly as the manifest says (the same stat identity `FileTracker.sync` compares,
 * so a hit is exactly the case where a full read would have read nothing). Anything else is a
 * miss and the caller takes the full path, which gives the same bytes. Only a cache: a missing,
 * damaged or foreign file is a miss, never an error.
 */
import {createHash} from 'node:crypto';
import {existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {deserialize, serialize} from 'node:v8';
import type {SourceDefinition} from '../sources/types.js';
import {removeStaleTemps, writeAtomically} from './atomic-file.js';
import type {DiscoveryResult} from './discover.js';
import {rootFiles} from './discover.js';
import {diskIdentity, sameIdentity, type FileIdentity} from './file-tracker.js';

export const SUMMARY_CACHE_FILE = 'summary.v8';
/** 2: the raw bytes after the serialized part (1: everything serialized, the document copied twice on the way). */
const VERSION = 2;

/** One tracked file as the run that wrote the cache left it. */
export interface ManifestFile {
	path: string;
	/** Identity at the last read; null for a bosun alerts file that did not exist. */
	identity: FileIdentity | null;
	/** Gone from disk (its records still count, from the index). */
	gone: boolean;
	/** Read as a whole document (its identity includes a SQLite `-wal`). */
	document: boolean;
}

export interface Manifest {
	/** Record files (index entries), in tracking order. */
	files: ManifestFile[];
	/** bosun's alerts files (not in the index: their flags are in the payload). */
	alerts: ManifestFile[];
}

interface Stored<P> {
	version: number;
	key: string;
	manifest: Manifest;
	payload: P;
}

/**
 * burn's own code as it is on disk: the package version and the size and mtime of every module
 * beside this one (a rebuilt burn, or another version, never reads a payload an older one built).
 */
let buildIdMemo: string | undefined;

/** Set by the bundler (scripts/bundle.mjs) to the digest of the bundle's bytes; undefined in tsc's build. */
declare const BURN_BUILD_ID: string | undefined;

/** Computed on first use: `watch` needs it only after its first frame is out. */
export function buildId(): string {
	return (buildIdMemo ??= typeof BURN_BUILD_ID === 'string' ? BURN_BUILD_ID : computeBuildId());
}

function computeBuildId(): string {
	const hash = createHash('sha1');
	try {
		hash.update(readFileSync(new URL('../../package.json', import.meta.url)));
	} catch {}
	const root = fileURLToPath(new URL('..', import.meta.url));
	const walk = (dir: string) => {
		let names;
		try {
			names = readdirSync(dir, {withFileTypes: true});
		} catch {
			return;
		}
		for (const e of names.sort((a, b) => (a.name < b.name ? -1 : 1))) {
			const p = join(dir, e.name);
			if (e.isDirectory()) walk(p);
			else if (/\.(js|ts|tsx|json)$/.test(e.name)) {
				try {
					const st = statSync(p);
					hash.update(`${p}\0${st.size}\0${st.mtimeMs}\n`);
				} catch {}
			}
		}
	};
	walk(root);
	return hash.digest('hex');
}

/**
 * The payload kept under `key` and the raw bytes kept with it, when every file on disk is as the
 * manifest says; else null. `discovery` and `sources` are the ones this run reads with (the key
 * must name its roots). The raw bytes are a view of the file as read (no copy).
 */
export function loadSummaryCache<P>(dir: string, key: string, discovery: DiscoveryResult, sources: readonly SourceDefinition[]): {payload: P; raw: Buffer} | null {
	let stored: Stored<P>;
	let raw: Buffer;
	try {
		// Layout: the serialized part's length (UInt32 LE), the serialized part, the raw bytes.
		const file = readFileSync(join(dir, SUMMARY_CACHE_FILE));
		const head = file.readUInt32LE(0);
		if (head > file.length - 4) return null;
		stored = deserialize(file.subarray(4, 4 + head)) as Stored<P>;
		raw = file.subarray(4 + head);
	} catch {
		return null;
	}
	if (stored?.version !== VERSION || stored.key !== key || !stored.manifest || stored.payload === undefined) return null;
	try {
		return unchanged(stored.manifest, discovery, sources) ? {payload: stored.payload, raw} : null;
	} catch {
		return null;
	}
}

/** Are the files on disk exactly the manifest's (no file new, grown, replaced, gone or back)? */
function unchanged(manifest: Manifest, discovery: DiscoveryResult, sources: readonly SourceDefinition[]): boolean {
	const live = new Map<string, ManifestFile>();
	let gone = 0;
	for (const f of manifest.files) {
		if (f.gone) {
			// A gone file that came back would be read again.
			if (existsSync(f.path)) return false;
			gone++;
		} else live.set(f.path, f);
	}
	if (live.size + gone !== manifest.files.length) return false;
	const seen = new Set<string>();
	for (const root of discovery.roots) {
		for (const path of rootFiles(root, sources)) {
			if (seen.has(path)) continue;
			seen.add(path);
			const f = live.get(path);
			if (!f || f.identity === null) return false;
			const now = diskIdentity(path, f.document);
			if (now === null || !sameIdentity(f.identity, now)) return false;
		}
	}
	// Every live entry was listed again (none deleted or moved out of its root).
	if (seen.size !== live.size) return false;
	for (const a of manifest.alerts) {
		const now = diskIdentity(a.path, false);
		if (now === null ? a.identity !== null : a.identity === null || !sameIdentity(a.identity, now)) return false;
	}
	return true;
}

/**
 * Writes the cache atomically (temp + rename, 0600); a cache that cannot be written is skipped.
 * `raw` (the kept document) is written as it is after the serialized part: serializing it would
 * copy it into the serializer's growing buffer at the moment the process holds the most.
 */
export function saveSummaryCache<P>(dir: string, key: string, manifest: Manifest, payload: P, raw: Uint8Array): void {
	try {
		mkdirSync(dir, {recursive: true, mode: 0o700});
		removeStaleTemps(dir, [SUMMARY_CACHE_FILE]);
		const body = serialize({version: VERSION, key, manifest, payload} satisfies Stored<P>);
		const head = Buffer.alloc(4);
		head.writeUInt32LE(body.length, 0);
		writeAtomically(join(dir, SUMMARY_CACHE_FILE), [head, body, raw]);
	} catch {}
}

/** Drops the kept summary: a run whose answer the index does not hold must not leave an older one to be checked. */
export function dropSummaryCache(dir: string): void {
	try {
		unlinkSync(join(dir, SUMMARY_CACHE_FILE));
	} catch {}
}
