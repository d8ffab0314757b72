/**
 * Wiring for the one-shot commands: discover → scan → ledger → `burn.summary/1` document.
 */
import {Ledger} from '../core/ledger.js';
import {countLedgerOnce} from '../core/count-once.js';
import {annotateSources} from '../core/overlap.js';
import type {UsageRecord} from '../core/record.js';
import {buildSummary, type SummaryJson} from '../core/summary.js';
import type {Pricer} from '../core/totals.js';
import {readBosunExternalFlags} from '../ingest/counted-view.js';
import {discoverSources, type DiscoveryOptions} from '../ingest/discover.js';
import {readOnce} from '../ingest/read-once.js';
import type {ScanResult} from '../ingest/scan.js';
import type {BosunOverlapStats} from '../core/bosun-overlap.js';
import type {Flag} from '../core/flags.js';

export interface Filters {
	since: number | null;
	until: number | null;
	issue: string | null;
}

export interface CollectOptions {
	discovery: DiscoveryOptions;
	filters?: Filters;
	pricer?: Pricer;
	now?: Date;
	/** `--issue-pattern`s, tried after the default workspace patterns. */
	issuePatterns?: readonly RegExp[];
	/** Persistent index directory (`--cache-dir`); null or absent reads everything (`--no-cache`). */
	cacheDir?: string | null;
	/** One-line notices from the index (discarded and rebuilt, not writable). */
	onNotice?: (message: string) => void;
}

/** What bosun adds beyond its records: its own alerts as external flags, and its counting-once stats. */
export interface BosunExtras {
	/** bosun's own alerts, as flags with `external: 'bosun'` (not burn's rules). */
	externalFlags: Flag[];
	overlap: BosunOverlapStats;
}

export interface Collected {
	doc: SummaryJson;
	ledger: Ledger;
	scan: ScanResult;
	/** bosun's alerts (`externalFlags`, `external: 'bosun'`) and its double-count rule's effect. */
	bosun: BosunExtras;
}

export function recordFilter(f: Filters | undefined): ((r: UsageRecord) => boolean) | undefined {
	if (!f || (f.since === null && f.until === null && f.issue === null)) return undefined;
	return (r) =>
		(f.since === null || r.at >= f.since) && (f.until === null || r.at <= f.until) && (f.issue === null || r.issue === f.issue);
}

export async function collectSummary(options: CollectOptions): Promise<Collected> {
	const discovery = discoverSources(options.discovery);
	// Read and dedup everything first: the usage.jsonl/transcript overlap rule needs all records
	// before filters apply, since it can change a record's issue and run (core/overlap.ts).
	// The live engine's trackers and index do the reading: unchanged files come from the index.
	const {ledger: raw, scan} = await readOnce(
		// Priced while reading: when no count-once rule changes a record and no filter is set, this
		// ledger is the one that counts (no second ledger).
		{discovery: options.discovery, cacheDir: options.cacheDir ?? null, issuePatterns: options.issuePatterns, onNotice: options.onNotice, pricer: options.pricer},
		discovery,
	);
	// Counting once (bosun's rule, then usage.jsonl's, then filters and prices): the same step the
	// live engine takes (core/count-once.ts), so watch and summary count the same records.
	const externalFlags = readBosunExternalFlags(discovery.roots, scan.problems);
	const counted = countLedgerOnce(raw, {pricer: options.pricer, accept: recordFilter(options.filters), rawCounts: true});
	const {ledger, overlap} = counted;
	const bosun: BosunExtras = {externalFlags, overlap: counted.bosun};
	const doc = buildSummary({
		ledger,
		sources: scan.sources.map((s) => ({kind: s.kind, path: s.path, files: s.files, records: s.records, problems: s.problems})),
		missing: discovery.missing.map((m) => ({kind: m.kind, path: m.path})),
		problems: scan.problems,
		filters: options.filters,
		priced: options.pricer !== undefined,
		now: options.now,
	});
	annotateSources(doc, ledger, overlap);
	return {doc, ledger, scan, bosun};
}
