/**
 * Where Codex rollouts live (docs/transcript-formats.md §2.1): `$CODEX_HOME` (comma list allowed; default
 * `~/.codex`) → `sessions/` and `archived_sessions/`; `--codex-dir` (repeatable) names a Codex home
 * or a `sessions/` directory. A rollout in both places counts once (its record keys are file-free).
 */
import {basename, join} from 'node:path';
import {codexSource} from './codex.js';
import {resolvePath, splitList} from './paths.js';
import type {LocateContext, SourceDefinition, SourceRoot} from './types.js';

export const CODEX_FILE = /(^|\/)rollout-[^/]*\.jsonl(\.gz)?$/;
const TRANSCRIPT_DIRS = ['sessions', 'archived_sessions'];

/** A Codex home expands to its two transcript dirs; a transcript dir (or any other dir) stands for itself. */
function homeRoots(path: string, ctx: LocateContext, explicit: boolean, via: string): SourceRoot[] {
	const asRoot = (p: string): SourceRoot => ({kind: 'codex', path: p, explicit, via});
	if (TRANSCRIPT_DIRS.includes(basename(path))) return [asRoot(path)];
	const children = TRANSCRIPT_DIRS.map((d) => join(path, d));
	if (!ctx.exists(path)) return explicit ? [asRoot(path)] : children.map(asRoot);
	if (children.some((c) => ctx.exists(c))) return children.map(asRoot);
	return [asRoot(path)];
}

export const codexDefinition: SourceDefinition = {
	kind: 'codex',
	label: 'Codex rollouts',
	flagNames: ['codexDir'],
	recursive: true,
	statesIssues: false,
	roots(ctx, mode): SourceRoot[] {
		if (mode === 'explicit') return (ctx.flags.codexDir ?? []).flatMap((p) => homeRoots(resolvePath(p, ctx), ctx, true, '--codex-dir'));
		const env = splitList(ctx.env.CODEX_HOME, /,/);
		if (env.length > 0) return env.flatMap((p) => homeRoots(resolvePath(p, ctx), ctx, true, 'CODEX_HOME'));
		return homeRoots(join(ctx.home, '.codex'), ctx, false, 'default');
	},
	matches: (rel) => CODEX_FILE.test(rel),
	readerFor: () => ({type: 'lines', source: codexSource}),
};
