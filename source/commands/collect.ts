/**
 * Wiring for the one-shot commands: discover → scan → ledger → `burn.summary/1` document.
 */
import {Ledger} from '../core/ledger.js';
import {annotateSources, countOnce} from '../core/overlap.js';
import type {UsageRecord} from '../core/record.js';
import {buildSummary, type SummaryJson} from '../core/summary.js';
import type {Pricer} from '../core/totals.js';
import {applyBosunExtras, type BosunExtras} from '../ingest/bosun-extras.js';
import {discoverSources, type DiscoveryOptions} from '../ingest/discover.js';
import {scanOnce, type ScanResult} from '../ingest/scan.js';

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
	const raw = new Ledger();
	const scan = await scanOnce(discovery, raw, {issuePatterns: options.issuePatterns});
	// bosun's double-count rule can also change a transcript record's issue: before filters too.
	const bosun = applyBosunExtras(discovery, raw, scan.problems);
	const {ledger, report: overlap} = countOnce(raw, {pricer: options.pricer, accept: recordFilter(options.filters)});
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
