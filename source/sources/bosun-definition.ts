/**
 * Where bosun telemetry lives: `<repo root>/.cache/agent-work-logs/` (docs/transcript-formats.md §6.1).
 * `--bosun-dir <repo root | agent-work-logs dir>`; `BURN_BOSUN_DIR`; by default the current
 * directory's `.cache/agent-work-logs`.
 */
import {existsSync} from 'node:fs';
import {basename, delimiter, join} from 'node:path';
import {BOSUN_LOG_DIR, BOSUN_STREAM_FILE, bosunSource} from './bosun.js';
import {resolvePath} from './paths.js';
import type {LocateContext, SourceDefinition, SourceRoot} from './types.js';

/** A repo root or the log directory itself, as the user named it, to the log directory. */
export function bosunLogDir(p: string): string {
	if (basename(p) === BOSUN_LOG_DIR[1]) return p;
	const logs = join(p, ...BOSUN_LOG_DIR);
	return existsSync(logs) || !existsSync(p) ? logs : p;
}

export const bosunDefinition: SourceDefinition = {
	kind: 'bosun',
	label: 'bosun telemetry',
	flagNames: ['bosunDir'],
	recursive: false,
	statesIssues: true,
	roots(ctx: LocateContext, mode): SourceRoot[] {
		if (mode === 'explicit') {
			return (ctx.flags.bosunDir ?? []).map((p) => ({kind: 'bosun', path: bosunLogDir(resolvePath(p, ctx)), explicit: true, via: '--bosun-dir'}));
		}
		const env = (ctx.env.BURN_BOSUN_DIR ?? '').split(delimiter).filter((s) => s.trim() !== '');
		if (env.length > 0) return env.map((p) => ({kind: 'bosun', path: bosunLogDir(resolvePath(p, ctx)), explicit: true, via: 'BURN_BOSUN_DIR'}));
		return [{kind: 'bosun', path: join(ctx.cwd, ...BOSUN_LOG_DIR), explicit: false, via: 'default: ./.cache/agent-work-logs'}];
	},
	matches: (rel) => !rel.includes('/') && BOSUN_STREAM_FILE.test(rel),
	readerFor: () => ({type: 'whole-lines', source: bosunSource}),
};
