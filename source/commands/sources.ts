/**
 * `burn sources`: what was found where. Each root is read once into its own ledger, so the
 * numbers are per root (records read, records after dedup, fidelity, time range); the summary
 * dedups across roots. Takes the shared source flags. (No JSX, so `.ts`.)
 */
import {existsSync} from 'node:fs';
import meow from 'meow';
import {Ledger} from '../core/ledger.js';
import {SOURCES_SCHEMA, sourcesLines, type SourceRootJson, type SourcesJson} from '../core/sources-report.js';
import {discoverSources, rootReads} from '../ingest/discover.js';
import {loadIndex, type IndexedFile} from '../ingest/index-store.js';
import {scanOnce} from '../ingest/scan.js';
import {sourceDefinition} from '../sources/registry.js';
import type {SourceRoot} from '../sources/types.js';
import {cacheDirFrom, cacheFlags, cacheFlagsHelp, noticeToStderr} from './cache-flags.js';
import {UsageError} from './errors.js';
import {discoveryOptions, issuePatterns, sourceFlags, sourceFlagsHelp} from './source-flags.js';

export const sourcesHelp = `
  Usage
    $ burn sources [options]

  Where burn looked and what it found: per source and root, the files, records, problems,
  fidelity and time range; the files burn's index still counts that are gone from disk
  (burn forget --gone drops them); and the default locations that do not exist.

  Output
    --json                 The burn.sources/1 JSON document on stdout
    --width <columns>      Width of the text (default: the terminal's, or 100 in a pipe)
${sourceFlagsHelp}
${cacheFlagsHelp}

  Examples
    $ burn sources
    $ burn sources --claude-dir ~/.claude --json
`;

export interface SourcesArgs {
	argv: string[];
	env?: NodeJS.ProcessEnv;
	cwd?: string;
	stdout?: NodeJS.WritableStream & {columns?: number; isTTY?: boolean};
	now?: Date;
}

const SAMPLE_PROBLEMS = 3;

export async function collectSources(options: {
	discovery: ReturnType<typeof discoveryOptions>;
	issuePatterns?: RegExp[];
	now?: Date;
	/** The index to list gone files from (read only, never written); null: none. */
	cacheDir?: string | null;
	onNotice?: (message: string) => void;
}): Promise<SourcesJson> {
	const discovery = discoverSources(options.discovery);
	// Indexed files gone from disk (the engine keeps counting them), per root below.
	const gone: IndexedFile[] = [];
	if (options.cacheDir) {
		const loaded = loadIndex(options.cacheDir);
		if (loaded.notice) options.onNotice?.(loaded.notice);
		for (const f of loaded.index?.files() ?? []) if (!existsSync(f.path)) gone.push(f);
	}
	const label = (kind: SourceRootJson['kind']) => sourceDefinition(kind)?.label ?? kind;
	const roots: SourceRootJson[] = [];
	for (const root of discovery.roots) {
		const ledger = new Ledger();
		const scan = await scanOnce({roots: [root], missing: [], explicit: discovery.explicit}, ledger, {issuePatterns: options.issuePatterns});
		const stats = scan.sources[0]!;
		const t = ledger.totals;
		roots.push({
			kind: root.kind,
			label: label(root.kind),
			path: root.path,
			via: root.via,
			explicit: root.explicit,
			files: stats.files,
			bytes: stats.bytes,
			recordsRead: stats.records,
			records: t.records,
			problems: stats.problems + ledger.conflicts.count,
			gone: goneUnder(root, gone),
			fidelity: {byClass: {...t.byClass}, byGranularity: {...t.byGranularity}},
			range: {from: t.firstAt === null ? null : new Date(t.firstAt).toISOString(), to: t.lastAt === null ? null : new Date(t.lastAt).toISOString()},
			sampleProblems: [...scan.problems.items, ...ledger.conflicts.items].slice(0, SAMPLE_PROBLEMS),
		});
	}
	return {
		schema: SOURCES_SCHEMA,
		generatedAt: (options.now ?? new Date()).toISOString(),
		explicit: discovery.explicit,
		roots,
		missing: discovery.missing.map((m) => ({kind: m.kind, label: label(m.kind), path: m.path, via: m.via})),
	};
}

function goneUnder(root: SourceRoot, files: readonly IndexedFile[]): {files: number; records: number} {
	const out = {files: 0, records: 0};
	for (const f of files) {
		if (!rootReads(root, f.path)) continue;
		out.files++;
		out.records += f.records;
	}
	return out;
}

export async function runSources({argv, env = process.env, cwd = process.cwd(), stdout = process.stdout, now = new Date()}: SourcesArgs): Promise<number> {
	const cli = meow(sourcesHelp, {
		importMeta: import.meta,
		description: false,
		argv,
		allowUnknownFlags: false,
		flags: {
			json: {type: 'boolean', default: false},
			width: {type: 'number'},
			...sourceFlags,
			...cacheFlags,
		},
	});
	const flags = cli.flags;
	if (flags.width !== undefined && (!Number.isFinite(flags.width) || flags.width < 20)) {
		throw new UsageError(`--width ${flags.width} is too narrow`, 'use 20 columns or more');
	}
	const doc = await collectSources({discovery: discoveryOptions(flags, env, cwd), issuePatterns: issuePatterns(flags), now, cacheDir: cacheDirFrom(flags, env, cwd), onNotice: noticeToStderr});
	if (flags.json) {
		stdout.write(JSON.stringify(doc, null, 2) + '\n');
		return 0;
	}
	const width = flags.width ?? (stdout.isTTY && stdout.columns ? stdout.columns : 100);
	stdout.write(sourcesLines(doc, width).join('\n') + '\n');
	return 0;
}
