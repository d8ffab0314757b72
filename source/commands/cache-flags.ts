/**
 * `--cache-dir` and `--no-cache`: where the persistent index lives (default
 * `$BURN_CACHE_DIR`, else `$XDG_CACHE_HOME/burn`, else `~/.cache/burn`), or none at all.
 * Shared by every command that reads sources through the engine (summary, watch).
 */
import {accessSync, constants, statSync} from 'node:fs';
import {homedir} from 'node:os';
import {join} from 'node:path';
import {defaultCacheDir, INDEX_FILE} from '../ingest/index-store.js';
import {resolvePath} from '../sources/paths.js';
import {makeDirs} from './cli-kit.js';
import {errorLine} from './errors.js';

export const cacheFlags = {
	cache: {type: 'boolean', default: true},
	cacheDir: {type: 'string'},
} as const;

export const cacheFlagsHelp = `
  Index
    --cache-dir <dir>      Where the per-file index lives (BURN_CACHE_DIR; default $XDG_CACHE_HOME/burn)
    --no-cache             Read every file from the start; neither read nor write the index`;

export function cacheDirFrom(flags: {cache?: boolean; cacheDir?: string}, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | null {
	if (flags.cache === false) return null;
	const home = env.HOME || homedir();
	if (flags.cacheDir && flags.cacheDir.trim() !== '') return resolvePath(flags.cacheDir, {cwd, home});
	return resolvePath(defaultCacheDir(env, home), {cwd, home});
}

/** An index larger than this is not read (a runaway or foreign file); real ones are far smaller. */
export const MAX_INDEX_BYTES = 1024 * 1024 * 1024;

/**
 * The cache dir if burn can use it, else null with a notice: burn then reads without the index
 * (it is a cache; an answer never depends on it). Checked before the engine touches it, so an
 * unusable dir (`/proc/nope`) or an index that is a FIFO, a device (a symlink to /dev/zero) or
 * absurdly large fails fast instead of hanging or reading without bound.
 */
export function usableCacheDir(dir: string | null, notice: (message: string) => void): string | null {
	if (dir === null) return null;
	const without = 'reading without the index';
	try {
		makeDirs(dir);
		if (!statSync(dir).isDirectory()) {
			notice(`cache dir ${dir} is not a directory; ${without}`);
			return null;
		}
		accessSync(dir, constants.W_OK);
	} catch (error) {
		notice(`cache dir ${dir} cannot be used (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); ${without}`);
		return null;
	}
	const index = join(dir, INDEX_FILE);
	let st;
	try {
		st = statSync(index);
	} catch {
		return dir; // no index yet (or a dangling link the engine replaces)
	}
	if (!st.isFile()) {
		notice(`index ${index} is not a regular file (${st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'not a file'}); ${without}`);
		return null;
	}
	if (st.size > MAX_INDEX_BYTES) {
		notice(`index ${index} is ${Math.round(st.size / 1024 / 1024)} MiB, more than an index can be; ${without}`);
		return null;
	}
	return dir;
}

/** Index notices (discarded and rebuilt, not writable) as one stderr line each. */
export function noticeToStderr(message: string): void {
	process.stderr.write(`burn: ${errorLine(message)}\n`);
}
