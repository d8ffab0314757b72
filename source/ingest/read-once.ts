/**
 * One full read through the live engine's trackers and persistent index, for the one-shot
 * commands (`summary --once`, `sources`, `backfill`): unchanged files come from the index, changed
 * ones are read from their committed offset. `collectSummary` then builds the document with the
 * same builder the live view uses (ingest/document.ts).
 */
import type {BosunRuleStats} from '../core/counting/bosun-rule.js';
import type {Flag} from '../core/flags.js';
import type {Ledger} from '../core/ledger.js';
import type {ProblemLog} from '../core/problems.js';
import type {ActivityEvent} from '../core/record.js';
import type {RecordFilter} from '../core/record-filter.js';
import type {SourceNumbers} from '../core/source-numbers.js';
import type {SummaryJson} from '../core/summary.js';
import type {DiscoveryOptions, DiscoveryResult} from './discover.js';
import {buildDocument, type DocumentOptions} from './document.js';
import {Engine} from './engine.js';
import type {EngineOptions} from './engine-types.js';

export interface ReadOnceOptions {
	discovery: DiscoveryOptions;
	/** Persistent index directory (`--cache-dir`); null reads everything (`--no-cache`). */
	cacheDir: string | null;
	/** `--issue-pattern`s, tried after the default workspace patterns. */
	issuePatterns?: readonly RegExp[];
	/** One-line notices from the index (discarded and rebuilt, not writable). */
	onNotice?: (message: string) => void;
	sources?: EngineOptions['sources'];
	/** Prices records as they are counted (the raw ledger can then be the one that counts). */
	pricer?: EngineOptions['pricer'];
	/** Applied after the counting-once rules (they can change a record's issue). */
	filters?: RecordFilter;
	onRecord?: EngineOptions['onRecord'];
	count?: EngineOptions['count'];
	/** false: the index is left for the caller to write (`engine.writeIndex()`, after its answer). */
	writeIndex?: boolean;
}

/** Reads everything once (saving the index unless told not to) and returns the stopped engine, its numbers intact. */
export async function readOnce(options: ReadOnceOptions, discovered?: DiscoveryResult): Promise<Engine> {
	const engine = new Engine(
		{
			discovery: options.discovery,
			cacheDir: options.cacheDir,
			issuePatterns: options.issuePatterns,
			onNotice: options.onNotice ?? (() => {}),
			sources: options.sources,
			pricer: options.pricer,
			filters: options.filters,
			onRecord: options.onRecord,
			count: options.count,
			watch: false,
		},
		discovered,
	);
	await engine.start();
	await engine.stop({writeIndex: options.writeIndex !== false});
	return engine;
}

export interface CollectOptions extends Omit<ReadOnceOptions, 'cacheDir'> {
	/** Persistent index directory; null or absent reads everything. */
	cacheDir?: string | null;
	now?: Date;
	/** `full` (default): per-bucket `sources` in the document; `live`: without (cheaper). */
	detail?: DocumentOptions['detail'];
	/** Discovery already done by the caller (so both see the same roots). */
	discovered?: DiscoveryResult;
}

export interface Collected {
	doc: SummaryJson;
	/** The ledger that counts (after the counting-once rules and filters). */
	ledger: Ledger;
	sources: SourceNumbers[];
	/** Problems of the files read (the document adds the ledger's dedup conflicts). */
	problems: ProblemLog;
	events: ActivityEvent[];
	/** bosun's own alerts, as flags with `external: 'bosun'` (not burn's rules), every one read. */
	externalFlags: Flag[];
	/** What the bosun rule did. */
	bosun: BosunRuleStats;
	engine: Engine;
}

/** discover → read (engine and index) → count once → `burn.summary/1` document. */
export async function collectSummary(options: CollectOptions): Promise<Collected> {
	// Priced while reading: when no counting-once rule changes a record and no filter is set, the
	// raw ledger is the one that counts (no second ledger).
	const engine = await readOnce({...options, cacheDir: options.cacheDir ?? null}, options.discovered);
	const parts = engine.parts();
	const doc = buildDocument(parts, {
		now: (options.now ?? new Date()).getTime(),
		priced: options.pricer !== undefined,
		filters: options.filters,
		warnings: [],
		detail: options.detail ?? 'full',
	});
	return {
		doc,
		ledger: parts.counting.ledger,
		sources: parts.sources,
		problems: parts.problems,
		events: engine.events(),
		externalFlags: parts.externalFlags,
		bosun: parts.counting.bosun,
		engine,
	};
}
