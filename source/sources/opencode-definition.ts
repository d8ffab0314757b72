/**
 * Where OpenCode keeps its data (docs/transcript-formats.md §3.1): `--opencode-dir`, else
 * `OPENCODE_DATA_DIR` (comma list), else `$XDG_DATA_HOME/opencode` (`~/.local/share/opencode`).
 * Each place may be the data dir itself, its `storage/` or `storage/message/` tree, or one `.db` file.
 *
 * Roots are the database files and the legacy `storage/message` tree, not the whole data dir:
 * the data dir also holds `snapshot/` (git object stores per project) that must not be walked.
 */
import {readdirSync} from 'node:fs';
import {basename, join} from 'node:path';
import {opencodeJsonSource} from './opencode.js';
import {opencodeDbSource} from './opencode-sqlite.js';
import {resolvePath, splitList} from './paths.js';
import type {LocateContext, SourceDefinition, SourceRoot} from './types.js';

const DB_FILE = /^opencode(-[^/]+)?\.db$/;

/** `opencode.db` first, then `opencode-<channel>.db` in name order (as ccusage picks them). */
function databasesIn(dir: string): string[] {
	let names: string[];
	try {
		names = readdirSync(dir).filter((n) => DB_FILE.test(n));
	} catch {
		return [];
	}
	return names.sort((a, b) => (a === 'opencode.db' ? -1 : b === 'opencode.db' ? 1 : a.localeCompare(b))).map((n) => join(dir, n));
}

/** The roots of one place the user (or the default) named. */
export function opencodeRootsAt(path: string, ctx: Pick<LocateContext, 'exists'>, explicit: boolean, via: string): SourceRoot[] {
	const root = (p: string): SourceRoot => ({kind: 'opencode', path: p, explicit, via});
	const name = basename(path);
	if (name.endsWith('.db')) return [root(path)];
	if (name === 'message') return [root(path)];
	if (name === 'storage') return [root(join(path, 'message'))];
	const dbs = databasesIn(path);
	const legacy = join(path, 'storage', 'message');
	const out = (dbs.length > 0 ? dbs : [join(path, 'opencode.db')]).map(root);
	if (ctx.exists(legacy)) out.push(root(legacy));
	return out;
}

export const opencodeDefinition: SourceDefinition = {
	kind: 'opencode',
	label: 'OpenCode',
	flagNames: ['opencodeDir'],
	recursive: true,
	statesIssues: false,
	roots(ctx, mode): SourceRoot[] {
		if (mode === 'explicit') {
			return (ctx.flags.opencodeDir ?? []).flatMap((p) => opencodeRootsAt(resolvePath(p, ctx), ctx, true, '--opencode-dir'));
		}
		const env = splitList(ctx.env.OPENCODE_DATA_DIR);
		if (env.length > 0) return env.flatMap((p) => opencodeRootsAt(resolvePath(p, ctx), ctx, true, 'OPENCODE_DATA_DIR'));
		const xdg = ctx.env.XDG_DATA_HOME?.trim();
		const home = xdg ? join(resolvePath(xdg, ctx), 'opencode') : join(ctx.home, '.local', 'share', 'opencode');
		return opencodeRootsAt(home, ctx, false, xdg ? 'default: $XDG_DATA_HOME/opencode' : 'default: ~/.local/share/opencode');
	},
	// Inside a `storage/message` root: `<sessionID>/<messageID>.json`.
	matches: (rel) => /^[^/]+\/[^/]+\.json$/.test(rel),
	readerFor: (path) =>
		path.endsWith('.json') ? {type: 'document', source: opencodeJsonSource} : {type: 'document', source: opencodeDbSource},
};
