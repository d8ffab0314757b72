/**
 * Agent homes vs transcript directories: `--claude-dir ~/.claude` and `--claude-dir
 * ~/.claude/projects` mean the same thing, as do the env vars (docs/transcript-formats.md §1.1, §2.1).
 */
import {basename, join} from 'node:path';
import type {LocateContext} from './types.js';

/**
 * The transcript directory for a user-named path: its `<sub>/` child when that exists, else the
 * path itself (a missing path is reported as the user typed it).
 */
export function transcriptDir(path: string, sub: string, ctx: Pick<LocateContext, 'exists'>): string {
	if (basename(path) === sub) return path;
	const child = join(path, sub);
	return ctx.exists(child) ? child : path;
}
