/**
 * Where pipeline instrumentation lives: `output/runs/<run_id>/` (seed 003).
 * `--instrumentation-dir <repo | output/runs | one run dir>`; `BURN_INSTRUMENTATION_DIR`; by
 * default `./output/runs`.
 */
import {existsSync} from 'node:fs';
import {delimiter, join} from 'node:path';
import {INSTRUMENTATION_CALLS_FILE, INSTRUMENTATION_REPORT_FILE, instrumentationCallsSource, instrumentationReportSource} from './instrumentation.js';
import {resolvePath} from './paths.js';
import type {LocateContext, SourceDefinition, SourceRoot} from './types.js';

/** A repo (with `output/runs`) or the runs directory or one run directory, to the place to walk. */
export function instrumentationRoot(p: string): string {
	const runs = join(p, 'output', 'runs');
	return existsSync(runs) ? runs : p;
}

export const instrumentationDefinition: SourceDefinition = {
	kind: 'instrumentation',
	label: 'pipeline instrumentation',
	flagNames: ['instrumentationDir'],
	recursive: true,
	statesIssues: false,
	roots(ctx: LocateContext, mode): SourceRoot[] {
		if (mode === 'explicit') {
			return (ctx.flags.instrumentationDir ?? []).map((p) => ({
				kind: 'instrumentation',
				path: instrumentationRoot(resolvePath(p, ctx)),
				explicit: true,
				via: '--instrumentation-dir',
			}));
		}
		const env = (ctx.env.BURN_INSTRUMENTATION_DIR ?? '').split(delimiter).filter((s) => s.trim() !== '');
		if (env.length > 0) {
			return env.map((p) => ({kind: 'instrumentation', path: instrumentationRoot(resolvePath(p, ctx)), explicit: true, via: 'BURN_INSTRUMENTATION_DIR'}));
		}
		return [{kind: 'instrumentation', path: join(ctx.cwd, 'output', 'runs'), explicit: false, via: 'default: ./output/runs'}];
	},
	// `<run_id>/<file>` under output/runs, or `<file>` when the root is one run directory.
	matches: (rel) => {
		const parts = rel.split('/');
		const name = parts[parts.length - 1];
		return parts.length <= 2 && (name === INSTRUMENTATION_CALLS_FILE || name === INSTRUMENTATION_REPORT_FILE);
	},
	readerFor: (path) =>
		path.endsWith(INSTRUMENTATION_CALLS_FILE)
			? {type: 'lines', source: instrumentationCallsSource}
			: {type: 'document', source: instrumentationReportSource},
};
