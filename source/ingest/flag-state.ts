/**
 * The flag monitor's fold, persisted beside the index (`flags.v8` in the cache dir), so a run
 * over unchanged files evaluates flags without re-folding the history. The file holds a key —
 * what the fold depended on: the index's digest (the records), the anomaly parameters, the
 * prices, the filters — and the monitor snapshot (`v8.serialize`; Maps and typed arrays survive).
 * A different key is a miss; a damaged or foreign file is a miss too, never an error.
 * Format: docs/flag-state.md.
 */
import {closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, unlinkSync} from 'node:fs';
import {join} from 'node:path';
import {deserialize, serialize} from 'node:v8';
import type {FoldContent} from '../core/anomalies/fold-content.js';
import type {MonitorSnapshot} from '../core/anomalies/monitor.js';
import {AtomicFile, removeStaleTemps, writeAtomically} from './atomic-file.js';
import {INDEX_FILE} from './index-store.js';

export const FLAG_STATE_FILE = 'flags.v8';
/** Beside flags.v8: the index a later run left when it extended that fold without writing it again. */
export const FLAG_DELTA_FILE = 'flags-delta.json';
const DELTA_VERSION = 1;
// 2: retry churn keeps an attempt count per group instead of a map of run ids.
// 3: the folded record keys are front-coded (`PackedKeys`), not one string each.
// 4: the key, the base and the index in a head after the serialized fold: a run tells a miss
//    from the head alone, and `summary` writes the fold before it knows the index.
const VERSION = 4;

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

/** A kept content as stored: the fold's keys packed, its index in the head. */
type StoredContent = {fold: Omit<FoldContent, 'keys' | 'index'> & {keys: PackedKeys}};

/** The head after the serialized fold: what a run compares before it reads the fold at all. */
interface Head {
	version: number;
	key: string;
	/** The content's base key (`KeptContent.base`); null without content. */
	base: string | null;
	/** The content's `index` (`FoldContent.index`). */
	index: string | null;
}

/**
 * The kept fold, read once: `exact` when it was kept under `key` (the same records; null: no key
 * can be, only `base` is looked for), else what it folded when it was folded the same way
 * (`base`), for a resume over an append (an exact hit needs no content: its keys are not
 * unpacked). Null: neither (then only the head is read).
 */
export function loadKeptFold(dir: string, key: string | null, base: string | null): {snapshot: MonitorSnapshot; exact: boolean; fold: FoldContent | null; packed: PackedKeys | null; keptKey: string} | null {
	let fd: number;
	try {
		fd = openSync(join(dir, FLAG_STATE_FILE), 'r');
	} catch {
		return null;
	}
	try {
		// Layout: v8.serialize({snapshot, content?}), the head (JSON), the head's length (UInt32 LE).
		const size = fstatSync(fd).size;
		if (size < 4) return null;
		const tail = Buffer.alloc(4);
		if (readSync(fd, tail, 0, 4, size - 4) !== 4) return null;
		const n = tail.readUInt32LE(0);
		if (n > size - 4) return null;
		const headBytes = Buffer.alloc(n);
		if (readSync(fd, headBytes, 0, n, size - 4 - n) !== n) return null;
		const head = JSON.parse(headBytes.toString('utf8')) as Partial<Head>;
		if (head.version !== VERSION || typeof head.key !== 'string') return null;
		const exact = key !== null && head.key === key;
		const byBase = !exact && base !== null && head.base === base;
		if (!exact && !byBase) return null;
		const body = Buffer.allocUnsafe(size - 4 - n);
		for (let at = 0; at < body.length; ) {
			const got = readSync(fd, body, at, body.length - at, at);
			if (got === 0) return null;
			at += got;
		}
		const stored = deserialize(body) as {snapshot?: MonitorSnapshot; content?: StoredContent};
		if (!stored.snapshot) return null;
		const kept = byBase ? (stored.content?.fold ?? null) : null;
		const keys = kept?.keys ? unpackKeys(kept.keys) : null;
		const fold: FoldContent | null = kept && keys ? {...kept, keys, index: typeof head.index === 'string' ? head.index : null} : null;
		// Extended since without being written again: the index that run left holds this fold's records and a few more.
		const delta = fold ? loadFlagDelta(dir, head.key) : null;
		if (fold && delta) fold.index = delta.index;
		return exact || fold ? {snapshot: stored.snapshot, exact, fold, packed: fold ? kept!.keys : null, keptKey: head.key} : null;
	} catch {
		return null;
	} finally {
		closeSync(fd);
	}
}

/** The kept fold when it was kept under exactly `key`; null otherwise. */
export function loadFlagState(dir: string, key: string): MonitorSnapshot | null {
	const kept = loadKeptFold(dir, key, null);
	return kept?.exact ? kept.snapshot : null;
}

/** A fold written to a temp file, waiting for its key (`commitFlagState`). */
export interface PendingFlagState {
	dir: string;
	file: AtomicFile;
	base: string | null;
}

/**
 * Serializes the fold and writes it to a temp file now (its state and the serializer's buffer can
 * then go), to be kept under a key known later: `summary` writes the index after its answer, and
 * the key names the index (so does `content.fold.index`, given to `commitFlagState`). Null when
 * it cannot be written (a cache is skipped silently).
 */
export function prepareFlagState(dir: string, snapshot: MonitorSnapshot, content?: Omit<KeptContent, 'fold'> & {fold: Omit<FoldContent, 'index'>}): PendingFlagState | null {
	let file: AtomicFile | null = null;
	try {
		mkdirSync(dir, {recursive: true, mode: 0o700});
		// A run stopped between this and the commit (a `summary` killed after its answer, while it wrote the index) leaves its temp file.
		removeStaleTemps(dir, [FLAG_STATE_FILE, FLAG_DELTA_FILE]);
		const keys = content ? (content.packed ? packSpliced(content.packed.keys, content.fold.keys, content.packed.newKeys) : packKeys(content.fold.keys)) : null;
		const stored: StoredContent | undefined = content && keys ? {fold: {records: content.fold.records, events: content.fold.events, keys}} : undefined;
		file = AtomicFile.beside(join(dir, FLAG_STATE_FILE));
		file.write(serialize({snapshot, ...(stored ? {content: stored} : {})}));
		return {dir, file, base: stored ? content!.base : null};
	} catch {
		file?.drop();
		return null;
	}
}

/** Keeps a prepared fold under `key` (atomically: the head, then the rename); null `key`: drops it. */
export function commitFlagState(pending: PendingFlagState, key: string | null, index: string | null): void {
	const {dir, file} = pending;
	try {
		if (key === null) throw new Error('no key');
		const head = Buffer.from(JSON.stringify({version: VERSION, key, base: pending.base, index} satisfies Head));
		const length = Buffer.alloc(4);
		length.writeUInt32LE(head.length, 0);
		file.write(head);
		file.write(length);
		file.keep(join(dir, FLAG_STATE_FILE));
		// A delta names the fold it extends by key: it is void now (and a fold kept under the same key folded the same records).
		try {
			unlinkSync(join(dir, FLAG_DELTA_FILE));
		} catch {}
	} catch {
		file.drop();
	}
}

/** `prepareFlagState` and `commitFlagState` at once, when the key is known. */
export function saveFlagState(dir: string, key: string, snapshot: MonitorSnapshot, content?: KeptContent): void {
	const pending = prepareFlagState(dir, snapshot, content);
	if (pending) commitFlagState(pending, key, content?.fold.index ?? null);
}

/**
 * A run that resumed the kept fold (key `keptKey`) and took only a few new items leaves flags.v8
 * as it is and writes this instead: `index`, the digest of the index it left when that index holds
 * exactly the records it counted (the engine's `appendLineage().written`), else null. The next run
 * folds those items again from the kept fold (they are new to it), and over that index may match
 * the kept fold's records by key only, as over the kept fold's own index (docs/flag-state.md).
 */
export function saveFlagDelta(dir: string, keptKey: string, index: string | null): void {
	try {
		writeAtomically(join(dir, FLAG_DELTA_FILE), [JSON.stringify({version: DELTA_VERSION, kept: keptKey, index})]);
	} catch {}
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
