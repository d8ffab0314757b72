/**
 * burn's own state under `$XDG_STATE_HOME/burn/` (default `~/.local/state/burn/`; `BURN_STATE_DIR`
 * overrides): the rate-limit samples Claude Code hands the statusline (`quota.jsonl`), so watch and
 * summary can show Claude's windows, and the statusline's digest of the last full read. Files are
 * mode 0600 in a 0700 directory: they say how much someone uses their plan. Format: docs/quota.md.
 */
import {closeSync, fstatSync, fchmodSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeSync} from 'node:fs';
import {homedir} from 'node:os';
import {join} from 'node:path';
import type {ProviderQuotaSample, QuotaSampleWindow} from '../core/quota.js';
import {writeAtomically} from './atomic-file.js';

export const QUOTA_FILE = 'quota.jsonl';
/** Past this size the samples file is compacted to its last `KEEP_LINES` lines. */
const MAX_BYTES = 512 * 1024;
const KEEP_LINES = 2000;

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
	const own = env.BURN_STATE_DIR?.trim();
	if (own) return own;
	const xdg = env.XDG_STATE_HOME?.trim();
	return join(xdg ? xdg : join(env.HOME || homedir(), '.local', 'state'), 'burn');
}

export function ensureStateDir(dir: string): void {
	mkdirSync(dir, {recursive: true, mode: 0o700});
}

function sampleLine(s: ProviderQuotaSample): string {
	return JSON.stringify({v: 1, provider: s.provider, source: s.source, at: s.at, windows: s.windows}) + '\n';
}

function window(v: unknown): QuotaSampleWindow | null {
	if (typeof v !== 'object' || v === null) return null;
	const w = v as Record<string, unknown>;
	const n = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
	if (typeof w.label !== 'string' || n(w.usedPercent) === null) return null;
	return {label: w.label, windowMinutes: n(w.windowMinutes), usedPercent: n(w.usedPercent)!, resetsAt: n(w.resetsAt)};
}

/** One line of `quota.jsonl`, or null when it is not one (a torn last line, a hand edit). */
export function parseSampleLine(line: string): ProviderQuotaSample | null {
	let v: unknown;
	try {
		v = JSON.parse(line);
	} catch {
		return null;
	}
	if (typeof v !== 'object' || v === null) return null;
	const o = v as Record<string, unknown>;
	if (typeof o.provider !== 'string' || typeof o.source !== 'string' || typeof o.at !== 'number' || !Array.isArray(o.windows)) return null;
	const windows = o.windows.map(window);
	if (windows.some((w) => w === null) || windows.length === 0) return null;
	return {provider: o.provider, source: o.source, at: o.at, windows: windows as QuotaSampleWindow[]};
}

/** The last complete sample line of the file, read from its end (a few KiB, not the whole file). */
export function lastSample(dir: string): ProviderQuotaSample | null {
	let fd: number;
	try {
		fd = openSync(join(dir, QUOTA_FILE), 'r');
	} catch {
		return null;
	}
	try {
		const size = fstatSync(fd).size;
		const len = Math.min(size, 8192);
		const buf = Buffer.alloc(len);
		readSync(fd, buf, 0, len, size - len);
		const lines = buf.toString('utf8').split('\n');
		for (let i = lines.length - 1; i >= 0; i--) {
			const s = lines[i]!.trim() ? parseSampleLine(lines[i]!) : null;
			if (s) return s;
		}
		return null;
	} finally {
		closeSync(fd);
	}
}

/** Appends a sample (the file is created 0600; an existing file is set to 0600). Compacts a big file. */
export function appendSample(dir: string, s: ProviderQuotaSample): void {
	ensureStateDir(dir);
	const path = join(dir, QUOTA_FILE);
	const fd = openSync(path, 'a', 0o600);
	let size: number;
	try {
		fchmodSync(fd, 0o600);
		writeSync(fd, sampleLine(s));
		size = fstatSync(fd).size;
	} finally {
		closeSync(fd);
	}
	if (size > MAX_BYTES) {
		const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
		writeAtomically(path, [lines.slice(-KEEP_LINES).join('\n') + '\n']);
	}
}

/** Every sample in the file (bad lines are skipped and counted). Missing file: none. */
export function readSamples(dir: string): {samples: ProviderQuotaSample[]; bad: number} {
	let text: string;
	try {
		text = readFileSync(join(dir, QUOTA_FILE), 'utf8');
	} catch {
		return {samples: [], bad: 0};
	}
	const samples: ProviderQuotaSample[] = [];
	let bad = 0;
	for (const line of text.split('\n')) {
		if (!line.trim()) continue;
		const s = parseSampleLine(line);
		if (s) samples.push(s);
		else bad++;
	}
	return {samples, bad};
}

/** The samples file's size and mtime: watch re-reads it only when this changes. */
export function samplesStamp(dir: string): string {
	try {
		const st = statSync(join(dir, QUOTA_FILE));
		return `${st.size}:${st.mtimeMs}:${st.ino}`;
	} catch {
		return 'none';
	}
}
