/**
 * Where Symphony usage.jsonl lives: `.symphony/telemetry/` under the current directory and each
 * parent up to the first one holding WORKFLOW.md (§4.1); `--usage <file|dir>`; `BURN_USAGE`.
 */
import {delimiter, dirname, join, resolve} from 'node:path';
import {resolvePath} from './paths.js';
import {SYMPHONY_FILE, symphonySource} from './symphony.js';
import type {LocateContext, SourceDefinition, SourceRoot} from './types.js';

export function symphonyDefaultDirs(ctx: LocateContext): string[] {
	const out: string[] = [];
	let dir = resolve(ctx.cwd);
	for (;;) {
		out.push(join(dir, '.symphony', 'telemetry'));
		if (ctx.exists(join(dir, 'WORKFLOW.md'))) break;
		const parent = dirname(dir);
		if (parent === dir) break;
		dir = parent;
	}
	return out;
}

export const symphonyDefinition: SourceDefinition = {
	kind: 'symphony',
	label: 'Symphony usage.jsonl',
	flagNames: ['usage'],
	recursive: false,
	statesIssues: true,
	roots(ctx, mode): SourceRoot[] {
		if (mode === 'explicit') {
			return (ctx.flags.usage ?? []).map((p) => ({kind: 'symphony', path: resolvePath(p, ctx), explicit: true, via: '--usage'}));
		}
		const env = (ctx.env.BURN_USAGE ?? '').split(delimiter).filter((s) => s.trim() !== '');
		if (env.length > 0) return env.map((p) => ({kind: 'symphony', path: resolvePath(p, ctx), explicit: true, via: 'BURN_USAGE'}));
		return symphonyDefaultDirs(ctx).map((p) => ({kind: 'symphony', path: p, explicit: false, via: 'default: .symphony/telemetry up to WORKFLOW.md'}));
	},
	matches: (rel) => !rel.includes('/') && SYMPHONY_FILE.test(rel),
	readerFor: () => ({type: 'lines', source: symphonySource}),
};
