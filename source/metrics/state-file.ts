/**
 * The retraction guard's state on disk (metrics/retraction.ts): one small JSON file per set of
 * sources and labels in the cache directory, written atomically (temp file + rename).
 */
import {createHash} from 'node:crypto';
import {mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import type {SavedRetractionState} from './retraction.js';

/** The file for one configuration: what is read (source flags, cwd) and which labels are kept. */
export function stateFilePath(cacheDir: string, identity: unknown): string {
	const hash = createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 16);
	return join(cacheDir, `metrics-${hash}.json`);
}

export function loadState(path: string): {state: SavedRetractionState | null; notice: string | null} {
	let text: string;
	try {
		text = readFileSync(path, 'utf8');
	} catch {
		return {state: null, notice: null};
	}
	try {
		const parsed = JSON.parse(text) as SavedRetractionState;
		if (parsed?.version === 1 && Array.isArray(parsed.series)) return {state: parsed, notice: null};
	} catch {
		// Fall through: a damaged file is replaced on the next save.
	}
	return {state: null, notice: `metrics state ${path} is not readable: counters start from the current totals`};
}

export function saveState(path: string, state: SavedRetractionState): void {
	mkdirSync(join(path, '..'), {recursive: true});
	const tmp = `${path}.${process.pid}.tmp`;
	writeFileSync(tmp, JSON.stringify(state));
	renameSync(tmp, path);
}
