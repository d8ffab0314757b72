/**
 * `--cache-dir` and `--no-cache`: where the persistent index lives (default
 * `$BURN_CACHE_DIR`, else `$XDG_CACHE_HOME/burn`, else `~/.cache/burn`), or none at all.
 * Shared by every command that reads sources through the engine (summary, watch).
 */
import {homedir} from 'node:os';
import {defaultCacheDir} from '../ingest/index-store.js';
import {resolvePath} from '../sources/paths.js';
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

/** Index notices (discarded and rebuilt, not writable) as one stderr line each. */
export function noticeToStderr(message: string): void {
	process.stderr.write(`burn: ${errorLine(message)}\n`);
}
