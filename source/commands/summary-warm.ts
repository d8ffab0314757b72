/**
 * `summary --once` over files that did not change since the last run: the document, the flags'
 * inputs and the records' quota windows come from the summary kept at the index's watermark
 * (ingest/summary-cache.ts) and the flag fold kept beside it (flags.v8); nothing is decoded or
 * counted. Only what is judged at the wall clock (flags, quota) is computed now, the same way the
 * full path does, so both give the same bytes. A miss of either cache is the full path.
 */
import type {Evaluation} from '../core/anomalies/index.js';
import type {AnomalyParams} from '../core/anomalies/params.js';
import type {ProviderQuotaSample} from '../core/quota.js';
import type {RecordFilter} from '../core/record-filter.js';
import type {SummaryJson} from '../core/summary.js';
import type {DiscoveryResult} from '../ingest/discover.js';
import {indexDigest} from '../ingest/flag-state.js';
import {BUILD_ID, loadSummaryCache, saveSummaryCache, type Manifest} from '../ingest/summary-cache.js';
import type {SourceDefinition} from '../sources/types.js';
import {resumedFlags, type FlagInputs, type FlagStateCache, type KeptEvaluation} from './flag-options.js';

/** What a warm run needs besides the files' manifest. */
export interface WarmPayload {
	/** The document as `buildSummary` built it (before pricing, flags and quota), as JSON. */
	doc: string;
	flags: FlagInputs;
	/** The fold's evaluation state under the fold's key (else flags.v8 is resumed). */
	fold: KeptEvaluation | null;
	/** The counted records' newest quota windows (`recordQuotaSamples`). */
	quota: ProviderQuotaSample[];
}

/** Everything besides the files that the kept summary depended on. */
export interface WarmDepends {
	discovery: DiscoveryResult;
	filters: RecordFilter;
	patterns: readonly RegExp[];
	/** The prices: whether priced, the sheets' paths and contents, the embedded table's date. */
	pricing: {priced: boolean; fingerprint: string; asOf: string; sheets: readonly string[]};
}

/** The kept summary's key, or null without an index (the key names the index's digest). */
export function summaryKey(dir: string, depends: WarmDepends): string | null {
	const index = indexDigest(dir);
	if (index === null) return null;
	const {discovery, filters, patterns, pricing} = depends;
	return JSON.stringify({
		build: BUILD_ID,
		index,
		roots: discovery.roots.map((r) => [r.kind, r.path, r.via, r.explicit]),
		missing: discovery.missing.map((r) => [r.kind, r.path, r.via, r.explicit]),
		explicit: discovery.explicit,
		filters: [filters.since ?? null, filters.until ?? null, filters.issue ?? null],
		patterns: patterns.map(String),
		pricing,
	});
}

export interface WarmResult {
	doc: SummaryJson;
	flags: Evaluation;
	quota: ProviderQuotaSample[];
}

/** The warm answer, or null (a miss: take the full path). */
export function warmSummary(
	dir: string,
	depends: WarmDepends,
	sources: readonly SourceDefinition[],
	judge: {params: AnomalyParams; priced: boolean; now: Date; cache: FlagStateCache},
): WarmResult | null {
	const key = summaryKey(dir, depends);
	if (key === null) return null;
	const kept = loadSummaryCache<WarmPayload>(dir, key, depends.discovery, sources);
	if (!kept) return null;
	const flags = resumedFlags(kept.flags, kept.fold, judge.params, judge.priced, depends.filters, judge.now.getTime(), judge.cache);
	if (!flags) return null;
	const doc = JSON.parse(kept.doc) as SummaryJson;
	doc.generatedAt = judge.now.toISOString();
	return {doc, flags, quota: kept.quota};
}

/** Keeps what this full run counted for the next run (after the index is written). */
export function keepSummary(dir: string, depends: WarmDepends, manifest: Manifest | null, payload: WarmPayload): void {
	if (manifest === null) return;
	const key = summaryKey(dir, depends);
	if (key !== null) saveSummaryCache(dir, key, manifest, payload);
}
