/**
 * Where Gemini CLI keeps chats (docs/transcript-formats.md §4.1): `<gemini>/tmp/<dir>/chats/session-*.json[l]`.
 * `--gemini-dir`, else `GEMINI_CLI_HOME` (it replaces the home directory: `$GEMINI_CLI_HOME/.gemini`),
 * else `~/.gemini`. Each place may be a home holding `.gemini`, the `.gemini` dir, its `tmp/`, one
 * project dir, a `chats/` dir or one chat file.
 */
import {basename, join} from 'node:path';
import {geminiJsonlSource, geminiJsonSource} from './gemini.js';
import {resolvePath} from './paths.js';
import type {LocateContext, SourceDefinition, SourceRoot} from './types.js';

/** The transcript root for a place the user named: the `tmp` dir when there is one. */
export function geminiRootPath(path: string, ctx: Pick<LocateContext, 'exists'>, fallback: 'as-is' | 'home' = 'as-is'): string {
	if (/\.jsonl?$/.test(path)) return path;
	if (ctx.exists(join(path, '.gemini', 'tmp'))) return join(path, '.gemini', 'tmp');
	if (ctx.exists(join(path, 'tmp'))) return join(path, 'tmp');
	if (basename(path) === '.gemini') return join(path, 'tmp');
	return fallback === 'home' ? join(path, '.gemini', 'tmp') : path;
}

export const geminiDefinition: SourceDefinition = {
	kind: 'gemini',
	label: 'Gemini CLI',
	flagNames: ['geminiDir'],
	recursive: true,
	statesIssues: false,
	roots(ctx, mode): SourceRoot[] {
		if (mode === 'explicit') {
			return (ctx.flags.geminiDir ?? []).map((p) => ({
				kind: 'gemini',
				path: geminiRootPath(resolvePath(p, ctx), ctx),
				explicit: true,
				via: '--gemini-dir',
			}));
		}
		const env = ctx.env.GEMINI_CLI_HOME?.trim();
		if (env) return [{kind: 'gemini', path: geminiRootPath(resolvePath(env, ctx), ctx, 'home'), explicit: true, via: 'GEMINI_CLI_HOME'}];
		return [{kind: 'gemini', path: join(ctx.home, '.gemini', 'tmp'), explicit: false, via: 'default: ~/.gemini/tmp'}];
	},
	// `<dir>/chats/<file>` under `tmp/`, `chats/<file>` under a project dir, `session-*` in a chats dir.
	matches: (rel) => /(^|\/)chats\/[^/]+\.jsonl?$/.test(rel) || /^session-[^/]*\.jsonl?$/.test(rel),
	readerFor: (path) =>
		path.endsWith('.jsonl') ? {type: 'lines', source: geminiJsonlSource} : {type: 'document', source: geminiJsonSource},
};
