/**
 * One Claude Code session's records, read incrementally for the statusline: the transcript and its
 * `<session>/subagents/**` files, each from the offset the last call stopped at, with the records
 * kept (the best copy per key, `chooseVersion`) in a small per-session cache file. So a call after
 * a message reads only the lines that message added, never the whole history (docs/quota.md).
 */
import {createHash} from 'node:crypto';
import {closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync, statSync, unlinkSync} from 'node:fs';
import {basename, dirname, join} from 'node:path';
import {chooseVersion} from '../core/dedup.js';
import type {UsageRecord} from '../core/record.js';
import {claudeSource} from '../sources/claude.js';
import {writeAtomically} from './atomic-file.js';
import {ensureStateDir} from './quota-state.js';

interface FileState {
	ino: number;
	offset: number;
	line: number;
}

interface SessionCache {
	v: 1;
	parser: number;
	files: Record<string, FileState>;
	records: UsageRecord[];
}

/** Session caches not touched for this long are removed (when a new session's cache is made). */
const PRUNE_AFTER_MS = 14 * 86_400_000;

function pruneOld(dir: string, now: number): void {
	try {
		for (const name of readdirSync(dir)) {
			const p = join(dir, name);
			if (name.endsWith('.json') && now - statSync(p).mtimeMs > PRUNE_AFTER_MS) unlinkSync(p);
		}
	} catch {
		// nothing to prune
	}
}

/** Bytes read per call at most (a first call on a huge transcript reads the rest next time). */
const MAX_READ = 64 * 1024 * 1024;

function cachePath(dir: string, transcript: string): string {
	return join(dir, 'sessions', `${createHash('sha1').update(transcript).digest('hex').slice(0, 20)}.json`);
}

function loadCache(path: string): SessionCache | null {
	try {
		const c = JSON.parse(readFileSync(path, 'utf8')) as SessionCache;
		if (c.v !== 1 || c.parser !== claudeSource.parserVersion || typeof c.files !== 'object' || !Array.isArray(c.records)) return null;
		return c;
	} catch {
		return null;
	}
}

/** The transcript and its sub-agent files (`<dir>/<session>/subagents/**.jsonl`). */
function sessionFiles(transcript: string): string[] {
	const files = [transcript];
	const sub = join(dirname(transcript), basename(transcript).replace(/\.jsonl$/, ''), 'subagents');
	try {
		for (const e of readdirSync(sub, {recursive: true, withFileTypes: true})) {
			if (e.isFile() && e.name.endsWith('.jsonl')) files.push(join(e.parentPath ?? (e as unknown as {path: string}).path, e.name));
		}
	} catch {
		// no sub-agents
	}
	return files.sort();
}

export interface SessionRecords {
	records: UsageRecord[];
	/** Whether the cache could be written (a read-only state dir still gives the right answer). */
	saved: boolean;
}

/** The session's records now, reading only what was appended since the last call. */
export function sessionRecords(stateDir: string, transcript: string): SessionRecords | null {
	try {
		statSync(transcript);
	} catch {
		return null;
	}
	const path = cachePath(stateDir, transcript);
	const loaded = loadCache(path);
	if (!loaded) pruneOld(join(stateDir, 'sessions'), Date.now());
	const cache: SessionCache = loaded ?? {v: 1, parser: claudeSource.parserVersion, files: {}, records: []};
	const byKey = new Map<string, UsageRecord>();
	for (const r of cache.records) byKey.set(r.key, r);
	let changed = false;
	const drop = (file: string) => {
		for (const [k, r] of byKey) if (r.origin.path === file) byKey.delete(k);
	};
	for (const file of sessionFiles(transcript)) {
		let fd: number;
		try {
			fd = openSync(file, 'r');
		} catch {
			continue;
		}
		try {
			const st = fstatSync(fd);
			let fs: FileState | undefined = cache.files[file];
			// Replaced or shrunk: re-read from zero and retract what it held.
			if (fs && (fs.ino !== st.ino || st.size < fs.offset)) {
				drop(file);
				fs = undefined;
				changed = true;
			}
			fs ??= {ino: st.ino, offset: 0, line: 1};
			if (st.size > fs.offset) {
				const len = Math.min(st.size - fs.offset, MAX_READ);
				const buf = Buffer.allocUnsafe(len);
				const n = readSync(fd, buf, 0, len, fs.offset);
				const result = claudeSource.parse(buf.subarray(0, n), claudeSource.initialState(file), {path: file, offset: fs.offset, line: fs.line});
				for (const r of result.records) {
					const had = byKey.get(r.key);
					if (!had || chooseVersion(had, r) === 'replace') byKey.set(r.key, r);
				}
				fs = {ino: st.ino, offset: fs.offset + result.consumedBytes, line: fs.line + result.consumedLines};
				changed = true;
			}
			cache.files[file] = fs;
		} finally {
			closeSync(fd);
		}
	}
	const records = [...byKey.values()];
	let saved = true;
	if (changed) {
		try {
			ensureStateDir(join(stateDir, 'sessions'));
			writeAtomically(path, [JSON.stringify({...cache, records})]);
		} catch {
			saved = false;
		}
	}
	return {records, saved};
}
