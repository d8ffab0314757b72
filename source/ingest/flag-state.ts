/**
 * The flag monitor's fold, persisted beside the index (`flags.v8` in the cache dir), so a run
 * over unchanged files evaluates flags without re-folding the history. The file holds a key —
 * what the fold depended on: the index's digest (the records), the anomaly parameters, the
 * prices, the filters — and the monitor snapshot (`v8.serialize`; Maps and typed arrays survive).
 * A different key is a miss; a damaged or foreign file is a miss too, never an error.
 * Format: docs/flag-state.md.
 */
import {closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, unlinkSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {deserialize, serialize} from 'node:v8';
import type {FoldContent} from '../core/anomalies/fold-content.js';
import type {MonitorSnapshot} from '../core/anomalies/monitor.js';
import {INDEX_FILE} from './index-store.js';

export const FLAG_STATE_FILE = 'flags.v8';
/** Beside flags.v8: the index a later run left when it extended that fold without writing it again. */
export const FLAG_DELTA_FILE = 'flags-delta.json';
const DELTA_VERSION = 1;
// 2: retry churn keeps an attempt count per group instead of a map of run ids.
// 3: the folded record keys are front-coded (`PackedKeys`), not one string each.
const VERSION = 3;

/** The index's content digest (the SHA-1 its header states), or null when there is no index. */
export function indexDigest(dir: string): string | null {
	let fd: number;
	try {
		fd = openSync(join(dir, INDEX_FILE), 'r');
	} catch {
		return null;
	}
	try {
		const head = Buffer.alloc(512);
		const n = readSync(fd, head, 0, head.length, 0);
		const nl = head.indexOf(0x0a);
		if (nl < 0 || nl >= n) return null;
		const parsed = JSON.parse(head.toString('utf8', 0, nl)) as {sha1?: unknown};
		return typeof parsed.sha1 === 'string' ? parsed.sha1 : null;
	} catch {
		return null;
	} finally {
		closeSync(fd);
	}
}

/** What the kept fold folded (fingerprints), under the key of everything else it depended on. */
export interface KeptContent {
	base: string;
	fold: FoldContent;
	/**
	 * The kept fold's keys as stored, when `fold.keys` are those in their order with new ones
	 * between (`newKeys`, `foldAppend`'s): only the new keys and their neighbours are packed again.
	 */
	packed?: {keys: PackedKeys; newKeys: Uint8Array};
}

/**
 * Record keys as stored: each key is the previous one's first `prefix[i]` characters (at most
 * 255) and then `suffixLength[i]` characters of `suffixes`. Neighbouring keys mostly share a
 * long prefix (`symphony:<run id>:<turn>`), so the file keeps a few characters per record
 * instead of a whole string (usage-200k: 9.9 of 26.7 MB were keys).
 */
export interface PackedKeys {
	prefix: Uint8Array;
	suffixLength: Uint32Array;
	suffixes: string;
}

/** How many characters of `prev` a key packed after it takes (at most 255). */
function sharedPrefix(prev: string, k: string): number {
	const max = Math.min(255, prev.length, k.length);
	let p = 0;
	while (p < max && prev.charCodeAt(p) === k.charCodeAt(p)) p++;
	// Never split a surrogate pair: the suffix must be a well-formed string of its own.
	if (p > 0 && p < k.length && (k.charCodeAt(p) & 0xfc00) === 0xdc00) p--;
	return p;
}

export function packKeys(keys: readonly string[]): PackedKeys {
	const prefix = new Uint8Array(keys.length);
	const suffixLength = new Uint32Array(keys.length);
	const parts: string[] = [];
	let prev = '';
	for (let i = 0; i < keys.length; i++) {
		const k = keys[i]!;
		const p = sharedPrefix(prev, k);
		prefix[i] = p;
		suffixLength[i] = k.length - p;
		parts.push(p === 0 ? k : k.slice(p));
		prev = k;
	}
	return {prefix, suffixLength, suffixes: parts.join('')};
}

/**
 * `packKeys(keys)`, given `packed` = `packKeys` of the keys not marked new (`isNew[i] === 1`), in
 * the same order: a folded key after a folded key keeps its packed entry, only the new keys and
 * those right after one are packed again (an append inserts a few keys among 100k). The same bytes.
 */
export function packSpliced(packed: PackedKeys, keys: readonly string[], isNew: Uint8Array): PackedKeys {
	if (isNew.length !== keys.length) throw new Error('packSpliced: one mark per key');
	const prefix = new Uint8Array(keys.length);
	const suffixLength = new Uint32Array(keys.length);
	const parts: string[] = [];
	let j = 0; // the next packed entry
	let at = 0; // where its suffix starts
	let runFrom = 0; // the start of the packed suffixes copied as they are, up to `at`
	for (let i = 0; i < keys.length; i++) {
		if (isNew[i] === 0 && (i === 0 ? j === 0 : isNew[i - 1] === 0)) {
			// After the same key as when packed: the same entry.
			prefix[i] = packed.prefix[j]!;
			suffixLength[i] = packed.suffixLength[j]!;
			at += packed.suffixLength[j++]!;
			continue;
		}
		if (runFrom < at) parts.push(packed.suffixes.slice(runFrom, at));
		if (isNew[i] === 0) at += packed.suffixLength[j++]!;
		runFrom = at;
		const k = keys[i]!;
		const p = sharedPrefix(i > 0 ? keys[i - 1]! : '', k);
		prefix[i] = p;
		suffixLength[i] = k.length - p;
		parts.push(p === 0 ? k : k.slice(p));
	}
	if (j !== packed.prefix.length) throw new Error('packSpliced: the packed keys are not the unmarked ones');
	if (runFrom < at) parts.push(packed.suffixes.slice(runFrom, at));
	return {prefix, suffixLength, suffixes: parts.join('')};
}

/** The keys `packKeys` packed; null when the parts do not fit together (a damaged file). */
export function unpackKeys(packed: PackedKeys): string[] | null {
	const {prefix, suffixLength, suffixes} = packed;
	if (!(prefix instanceof Uint8Array) || !(suffixLength instanceof Uint32Array) || typeof suffixes !== 'string' || prefix.length !== suffixLength.length) return null;
	const keys = new Array<string>(prefix.length);
	let prev = '';
	let at = 0;
	for (let i = 0; i < prefix.length; i++) {
		const p = prefix[i]!;
		const end = at + suffixLength[i]!;
		if (p > prev.length || end > suffixes.length) return null;
		prev = keys[i] = p === 0 ? suffixes.slice(at, end) : prev.slice(0, p) + suffixes.slice(at, end);
		at = end;
	}
	return at === suffixes.length ? keys : null;
}

/** A kept content as stored: the fold's keys packed. */
type StoredContent = {base: string; fold: Omit<FoldContent, 'keys'> & {keys: PackedKeys}};

/**
 * The kept fold, read once: `exact` when it was kept under `key` (the same records), else what it
 * folded when it was folded the same way (`base`), for a resume over an append (an exact hit
 * needs no content: its keys are not unpacked). Null: neither.
 */
export function loadKeptFold(dir: string, key: string, base: string | null): {snapshot: MonitorSnapshot; exact: boolean; fold: FoldContent | null; packed: PackedKeys | null; keptKey: string} | null {
	let bytes: Buffer;
	try {
		bytes = readFileSync(join(dir, FLAG_STATE_FILE));
	} catch {
		return null;
	}
	try {
		const stored = deserialize(bytes) as {version?: unknown; key?: unknown; snapshot?: MonitorSnapshot; content?: StoredContent};
		if (stored.version !== VERSION || !stored.snapshot) return null;
		if (typeof stored.key !== 'string') return null;
		const exact = stored.key === key;
		const kept = !exact && base !== null && stored.content?.base === base ? stored.content.fold : null;
		const keys = kept?.keys ? unpackKeys(kept.keys) : null;
		const fold = kept && keys ? {...kept, keys} : null;
		// Extended since without being written again: the index that run left holds this fold's records and a few more.
		const delta = fold ? loadFlagDelta(dir, stored.key) : null;
		if (fold && delta) fold.index = delta.index;
		return exact || fold ? {snapshot: stored.snapshot, exact, fold, packed: fold ? kept!.keys : null, keptKey: stored.key} : null;
	} catch {
		return null;
	}
}

/** The kept fold when it was kept under exactly `key`; null otherwise. */
export function loadFlagState(dir: string, key: string): MonitorSnapshot | null {
	const kept = loadKeptFold(dir, key, null);
	return kept?.exact ? kept.snapshot : null;
}

/** Atomically (temp + rename, 0600); a cache that cannot be written is skipped silently. */
export function saveFlagState(dir: string, key: string, snapshot: MonitorSnapshot, content?: KeptContent): void {
	const tmp = join(dir, `${FLAG_STATE_FILE}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
	try {
		mkdirSync(dir, {recursive: true, mode: 0o700});
		const keys = content ? (content.packed ? packSpliced(content.packed.keys, content.fold.keys, content.packed.newKeys) : packKeys(content.fold.keys)) : null;
		const stored: StoredContent | undefined = content && keys ? {base: content.base, fold: {...content.fold, keys}} : undefined;
		writeFileSync(tmp, serialize({version: VERSION, key, snapshot, ...(stored ? {content: stored} : {})}), {mode: 0o600});
		renameSync(tmp, join(dir, FLAG_STATE_FILE));
		// A delta names the fold it extends by key: it is void now (and a fold kept under the same key folded the same records).
		try {
			unlinkSync(join(dir, FLAG_DELTA_FILE));
		} catch {}
	} catch {
		try {
			unlinkSync(tmp);
		} catch {}
	}
}

/**
 * A run that resumed the kept fold (key `keptKey`) and took only a few new items leaves flags.v8
 * as it is and writes this instead: `index`, the digest of the index it left when that index holds
 * exactly the records it counted (the engine's `appendLineage().written`), else null. The next run
 * folds those items again from the kept fold (they are new to it), and over that index may match
 * the kept fold's records by key only, as over the kept fold's own index (docs/flag-state.md).
 */
export function saveFlagDelta(dir: string, keptKey: string, index: string | null): void {
	const tmp = join(dir, `${FLAG_DELTA_FILE}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
	try {
		writeFileSync(tmp, JSON.stringify({version: DELTA_VERSION, kept: keptKey, index}), {mode: 0o600});
		renameSync(tmp, join(dir, FLAG_DELTA_FILE));
	} catch {
		try {
			unlinkSync(tmp);
		} catch {}
	}
}

/** The delta over the fold kept under `keptKey`; null when there is none for it (or it is damaged). */
function loadFlagDelta(dir: string, keptKey: string): {index: string | null} | null {
	try {
		const d = JSON.parse(readFileSync(join(dir, FLAG_DELTA_FILE), 'utf8')) as {version?: unknown; kept?: unknown; index?: unknown};
		if (d.version !== DELTA_VERSION || d.kept !== keptKey || (d.index !== null && typeof d.index !== 'string')) return null;
		return {index: d.index};
	} catch {
		return null;
	}
}
