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
// 2: retry churn keeps an attempt count per group instead of a map of run ids.
const VERSION = 2;

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
}

/**
 * The kept fold, read once: `exact` when it was kept under `key` (the same records), and what it
 * folded when it was folded the same way (`base`), for a resume over an append. Null: neither.
 */
export function loadKeptFold(dir: string, key: string, base: string | null): {snapshot: MonitorSnapshot; exact: boolean; fold: FoldContent | null} | null {
	let bytes: Buffer;
	try {
		bytes = readFileSync(join(dir, FLAG_STATE_FILE));
	} catch {
		return null;
	}
	try {
		const stored = deserialize(bytes) as {version?: unknown; key?: unknown; snapshot?: MonitorSnapshot; content?: KeptContent};
		if (stored.version !== VERSION || !stored.snapshot) return null;
		const exact = stored.key === key;
		const fold = base !== null && stored.content?.base === base && stored.content.fold ? stored.content.fold : null;
		return exact || fold ? {snapshot: stored.snapshot, exact, fold} : null;
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
		writeFileSync(tmp, serialize({version: VERSION, key, snapshot, ...(content ? {content} : {})}), {mode: 0o600});
		renameSync(tmp, join(dir, FLAG_STATE_FILE));
	} catch {
		try {
			unlinkSync(tmp);
		} catch {}
	}
}
