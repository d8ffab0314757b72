/**
 * `burn sources`: what was found where. Read through the engine and its index like every other
 * command; each root's records are then deduplicated on their own, so the numbers are per root
 * (records read, records after dedup, fidelity, time range); the summary dedups across roots.
 * Takes the shared source and index flags. (No JSX, so `.ts`.)
 */
import {countedVersions} from '../core/dedup.js';
import {recordFidelity} from '../core/fidelity.js';
import {ProblemLog} from '../core/problems.js';
import type {UsageRecord} from '../core/record.js';
import {SOURCES_SCHEMA, sourcesLines, type SourceRootJson, type SourcesJson} from '../core/sources-report.js';
import {emptyTotals} from '../core/totals.js';
import type {EngineStats} from '../ingest/engine.js';
import type {FileTracker} from '../ingest/file-tracker.js';
import {readOnce} from '../ingest/read-once.js';
import {sourceDefinition} from '../sources/registry.js';
import {cacheDirFrom, cacheFlags, cacheFlagsHelp, noticeToStderr, usableCacheDir} from './cache-flags.js';
import {parseCommand} from './cli-kit.js';
import {EXIT, UsageError} from './errors.js';
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

export interface SourcesOptions {
	discovery: ReturnType<typeof discoveryOptions>;
	issuePatterns?: RegExp[];
	now?: Date;
	/** Persistent index directory; null or absent reads everything. */
	cacheDir?: string | null;
	onNotice?: (message: string) => void;
}

/** The `burn.sources/1` document, and what the read cost (`read.bytesRead` is 0 when the index had everything). */
export async function collectSources(options: SourcesOptions): Promise<{doc: SourcesJson; read: EngineStats}> {
	// The engine's ledger would dedup across roots: each root gets its own below instead.
	const engine = await readOnce({discovery: options.discovery, cacheDir: options.cacheDir ?? null, issuePatterns: options.issuePatterns, onNotice: options.onNotice, count: false});
	const label = (kind: SourceRootJson['kind']) => sourceDefinition(kind)?.label ?? kind;
	const {sources} = engine.tally();
	const roots: SourceRootJson[] = engine.rootList().map((root, i) => {
		const numbers = sources[i]!;
		// Dedup within the root only (the ledger's rule, without its totals), then fidelity of what counts.
		const conflicts = new ProblemLog();
		const counted = countedVersions(recordsOf(engine.filesOf(root)), conflicts);
		const t = emptyTotals();
		for (const r of counted.values()) {
			t.byClass[recordFidelity(r)]++;
			t.byGranularity[r.granularity]++;
			t.usageSource[r.usageSource]++;
		}
		// The range spans every record read, superseded versions included (the index keeps each file's span).
		let from: number | null = null;
		let to: number | null = null;
		for (const tracker of engine.filesOf(root)) {
			const span = tracker.span;
			if (span === null) continue;
			if (from === null || span.from < from) from = span.from;
			if (to === null || span.to > to) to = span.to;
		}
		const problems = engine.problemsOf(root);
		problems.merge(conflicts);
		// Files gone from disk whose records the index keeps counting (docs/history.md).
		const gone = {files: 0, records: 0};
		for (const tracker of engine.filesOf(root)) {
			if (!tracker.deleted) continue;
			gone.files++;
			gone.records += tracker.records.length;
		}
		return {
			kind: root.kind,
			label: label(root.kind),
			path: root.path,
			via: root.via,
			explicit: root.explicit,
			files: numbers.files,
			bytes: numbers.bytes,
			recordsRead: numbers.records,
			records: counted.size,
			problems: numbers.problems + conflicts.count,
			gone,
			fidelity: {byClass: {...t.byClass}, byGranularity: {...t.byGranularity}, usageSource: {...t.usageSource}},
			range: {from: from === null ? null : new Date(from).toISOString(), to: to === null ? null : new Date(to).toISOString()},
			sampleProblems: problems.items.slice(0, SAMPLE_PROBLEMS),
		};
	});
	const doc: SourcesJson = {
		schema: SOURCES_SCHEMA,
		generatedAt: (options.now ?? new Date()).toISOString(),
		explicit: engine.discovery.explicit,
		roots,
		missing: engine.discovery.missing.map((m) => ({kind: m.kind, label: label(m.kind), path: m.path, via: m.via})),
	};
	return {doc, read: engine.stats};
}

function* recordsOf(trackers: Iterable<FileTracker>): IterableIterator<UsageRecord> {
	for (const t of trackers) yield* t.records;
}

export async function runSources({argv, env = process.env, cwd = process.cwd(), stdout = process.stdout, now = new Date()}: SourcesArgs): Promise<number> {
	const cli = parseCommand(
		{name: 'sources', help: sourcesHelp, importMeta: import.meta, flags: {json: {type: 'boolean', default: false}, width: {type: 'number'}, ...sourceFlags, ...cacheFlags}},
		argv,
		env,
		cwd,
	);
	const flags = cli.flags;
	if (flags.width !== undefined && (!Number.isFinite(flags.width) || flags.width < 20)) {
		throw new UsageError(`--width ${flags.width} is too narrow`, 'use 20 columns or more');
	}
	const {doc} = await collectSources({
		discovery: discoveryOptions(flags, env, cwd),
		issuePatterns: issuePatterns(flags),
		now,
		cacheDir: usableCacheDir(cacheDirFrom(flags, env, cwd), noticeToStderr),
		onNotice: noticeToStderr,
	});
	if (flags.json) {
		stdout.write(JSON.stringify(doc, null, 2) + '\n');
		return EXIT.ok;
	}
	const width = flags.width ?? (stdout.isTTY && stdout.columns ? stdout.columns : 100);
	stdout.write(sourcesLines(doc, width).join('\n') + '\n');
	return EXIT.ok;
}
