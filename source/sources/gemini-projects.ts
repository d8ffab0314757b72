/**
 * Which project a Gemini CLI chat belongs to (docs/transcript-formats.md §4.1). A chat lives at
 * `<gemini>/tmp/<dir>/chats/<file>`, where `<dir>` is either a short name mapped in
 * `<gemini>/projects.json` (`{"projects":{"/abs/path":"short-name"}}`) or the SHA-256 hex of the
 * absolute project path. Candidate paths come from `projects.json` and `trustedFolders.json`;
 * hashing them resolves the hash form. Unresolvable: null (the record still counts).
 *
 * These two small JSON files are read synchronously (a LineSource's initial state is synchronous)
 * and cached until their mtimes change.
 */
import {createHash} from 'node:crypto';
import {readFileSync, statSync} from 'node:fs';
import {basename, dirname, join} from 'node:path';

interface CachedMap {
	stamp: string;
	map: Map<string, string>;
}

const cache = new Map<string, CachedMap>();

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function mtimeOf(path: string): string {
	try {
		return String(statSync(path).mtimeMs);
	} catch {
		return '-';
	}
}

function readJson(path: string): unknown {
	try {
		return JSON.parse(readFileSync(path, 'utf8'));
	} catch {
		return null;
	}
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Short name or hash → absolute project path, for one `.gemini` directory. */
export function geminiProjectMap(geminiHome: string): Map<string, string> {
	const projectsFile = join(geminiHome, 'projects.json');
	const trustedFile = join(geminiHome, 'trustedFolders.json');
	const stamp = `${mtimeOf(projectsFile)}|${mtimeOf(trustedFile)}`;
	const hit = cache.get(geminiHome);
	if (hit && hit.stamp === stamp) return hit.map;
	const map = new Map<string, string>();
	const candidates = new Set<string>();
	const projects = readJson(projectsFile);
	const entries = isRecord(projects) && isRecord(projects.projects) ? projects.projects : isRecord(projects) ? projects : {};
	for (const [path, short] of Object.entries(entries)) {
		if (!path.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(path)) continue;
		candidates.add(path);
		if (typeof short === 'string' && short !== '') map.set(short, path);
	}
	const trusted = readJson(trustedFile);
	if (isRecord(trusted)) for (const path of Object.keys(trusted)) candidates.add(path);
	for (const path of candidates) if (!map.has(sha256(path))) map.set(sha256(path), path);
	cache.set(geminiHome, {stamp, map});
	return map;
}

/** The project path of a chat file, from its `<dir>` or its header's `projectHash`; else null. */
export function geminiWorkspace(chatFile: string, projectHash: string | null): string | null {
	const chats = dirname(chatFile);
	const projectDir = dirname(chats);
	const tmp = dirname(projectDir);
	if (basename(chats) !== 'chats' || basename(tmp) !== 'tmp') return null;
	const map = geminiProjectMap(dirname(tmp));
	return map.get(basename(projectDir)) ?? (projectHash ? map.get(projectHash) : undefined) ?? null;
}
