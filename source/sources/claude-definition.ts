/**
 * Where Claude Code transcripts live (docs/transcript-formats.md §1.1): `~/.claude/projects` and
 * `$XDG_CONFIG_HOME/claude/projects` (default `~/.config/claude/projects`), both read and merged;
 * `CLAUDE_CONFIG_DIR` (comma list) or `CLAUDE_CONFIG_DIRS` (path list) replace them; `--claude-dir`
 * (repeatable) names roots explicitly. Each may be a config dir or its `projects/`.
 */
import {delimiter, join} from 'node:path';
import {transcriptDir} from './agent-roots.js';
import {claudeSource} from './claude.js';
import {resolvePath, splitList} from './paths.js';
import type {LocateContext, SourceDefinition, SourceRoot} from './types.js';

export const CLAUDE_FILE = /\.jsonl(\.gz)?$/;

function root(path: string, explicit: boolean, via: string): SourceRoot {
	return {kind: 'claude', path, explicit, via};
}

export function claudeDefaultDirs(ctx: LocateContext): string[] {
	const xdg = ctx.env.XDG_CONFIG_HOME?.trim() ? resolvePath(ctx.env.XDG_CONFIG_HOME, ctx) : join(ctx.home, '.config');
	return [join(ctx.home, '.claude', 'projects'), join(xdg, 'claude', 'projects')];
}

export const claudeDefinition: SourceDefinition = {
	kind: 'claude',
	label: 'Claude Code transcripts',
	flagNames: ['claudeDir'],
	recursive: true,
	statesIssues: false,
	roots(ctx, mode): SourceRoot[] {
		const dir = (p: string) => transcriptDir(resolvePath(p, ctx), 'projects', ctx);
		if (mode === 'explicit') return (ctx.flags.claudeDir ?? []).map((p) => root(dir(p), true, '--claude-dir'));
		const env = splitList(ctx.env.CLAUDE_CONFIG_DIR, /,/);
		if (env.length > 0) return env.map((p) => root(dir(p), true, 'CLAUDE_CONFIG_DIR'));
		const envs = splitList(ctx.env.CLAUDE_CONFIG_DIRS, new RegExp(`[${delimiter === ';' ? ';' : ':'}]`));
		if (envs.length > 0) return envs.map((p) => root(dir(p), true, 'CLAUDE_CONFIG_DIRS'));
		return claudeDefaultDirs(ctx).map((p) => root(p, false, 'default'));
	},
	// Main sessions, subagents/** (workflows included) and legacy top-level agent-*.jsonl.
	matches: (rel) => CLAUDE_FILE.test(rel),
	readerFor: () => ({type: 'lines', source: claudeSource}),
};
