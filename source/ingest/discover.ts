/**
 * Discovery: the roots every registered source reads, and the files under them. The location
 * rules live with each source (`SourceDefinition.roots`); this module adds the file system.
 * Any explicit source flag turns default discovery off for every source.
 */
import {existsSync, readdirSync, statSync} from 'node:fs';
import {join, relative, sep} from 'node:path';
import {SOURCES} from '../sources/registry.js';
import type {LocateContext, SourceDefinition, SourceRoot} from '../sources/types.js';

export interface DiscoveryOptions {
	cwd: string;
	home: string;
	env: NodeJS.ProcessEnv;
	/** Source flag values by flag name (`usage`, `claudeDir`, …). */
	flags: Record<string, string[]>;
}

export interface DiscoveryResult {
	/** Roots that exist, in reading order. */
	roots: SourceRoot[];
	/** Places looked at that do not exist (for "nothing found" and `burn sources`). */
	missing: SourceRoot[];
	/** True when a source flag turned default discovery off. */
	explicit: boolean;
}

export function discoverSources(opts: DiscoveryOptions, sources: readonly SourceDefinition[] = SOURCES): DiscoveryResult {
	const ctx: LocateContext = {...opts, exists: existsSync};
	const explicit = sources.some((s) => s.flagNames.some((f) => (opts.flags[f]?.length ?? 0) > 0));
	const roots: SourceRoot[] = [];
	const missing: SourceRoot[] = [];
	const seen = new Set<string>();
	for (const source of sources) {
		for (const root of source.roots(ctx, explicit ? 'explicit' : 'default')) {
			const key = `${root.kind}\0${root.path}`;
			if (seen.has(key)) continue;
			seen.add(key);
			(existsSync(root.path) ? roots : missing).push(root);
		}
	}
	return {roots, missing, explicit};
}

/** The files of a root that its source reads, sorted so a split stream reads in name order. */
export function listRootFiles(root: SourceRoot, sources: readonly SourceDefinition[] = SOURCES): string[] {
	return rootFiles(root, sources).sort(compareStreamFiles);
}

/**
 * The same files in the order the directories list them: for a caller that only compares sets
 * (a warm hit's check), which then skips the numeric-collation sort (~10 ms on 600 files).
 */
export function rootFiles(root: SourceRoot, sources: readonly SourceDefinition[] = SOURCES): string[] {
	const def = sources.find((s) => s.kind === root.kind);
	if (!def) return [];
	let st;
	try {
		st = statSync(root.path);
	} catch {
		return [];
	}
	if (st.isFile()) return [root.path];
	if (!st.isDirectory()) return [];
	const out: string[] = [];
	const walk = (dir: string, rel: string) => {
		let entries;
		try {
			entries = readdirSync(dir, {withFileTypes: true});
		} catch {
			return;
		}
		for (const e of entries) {
			const relPath = rel ? `${rel}/${e.name}` : e.name;
			const full = join(dir, e.name);
			if (e.isDirectory()) {
				if (def.recursive) walk(full, relPath);
			} else if (e.isFile() && def.matches(relPath)) {
				out.push(full);
			}
		}
	};
	walk(root.path, '');
	return out;
}

/** Would listing `root` find `path` (the root itself, or a matching file below it)? */
export function rootReads(root: SourceRoot, path: string, sources: readonly SourceDefinition[] = SOURCES): boolean {
	if (path === root.path) return true;
	if (!path.startsWith(root.path + sep)) return false;
	const def = sources.find((s) => s.kind === root.kind);
	if (!def) return false;
	const rel = relative(root.path, path).split(sep).join('/');
	if (!def.recursive && rel.includes('/')) return false;
	return def.matches(rel);
}

/** Numbered parts in numeric order (`usage-2` < `usage-10`). */
export function compareStreamFiles(a: string, b: string): number {
	return NUMERIC.compare(a, b);
}

// One collator: `localeCompare` with options builds a new one per call (slow on thousands of files).
const NUMERIC = new Intl.Collator('en', {numeric: true});
