/**
 * `summary --once` over files that did not change since the last run: the document, the flags'
 * inputs and the records' quota windows come from the summary kept at the index's watermark
 * (kept-summary.ts) and the flag fold kept beside it (flags.v8); nothing is decoded or
 * counted. Only what is judged at the wall clock (flags, quota) is computed now, the same way the
 * full path does, so both give the same bytes. A miss of either cache is the full path.
 */
import type {Evaluation} from '../core/anomalies/index.js';
import type {AnomalyParams} from '../core/anomalies/params.js';
import type {ProviderQuotaSample} from '../core/quota.js';
import type {SourceDefinition} from '../sources/types.js';
import {resumedFlags, type FlagStateCache} from './flag-options.js';
import {loadKept, type KeptDocument, type WarmDepends} from './kept-summary.js';

export interface WarmResult {
	doc: KeptDocument;
	/** The kept summary's key (what a report made from it is kept under, commands/report-memo.ts). */
	key: string;
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
	const loaded = loadKept(dir, depends, sources);
	if (!loaded) return null;
	const {payload: kept, doc, key} = loaded;
	const flags = resumedFlags(kept.flags, kept.fold, judge.params, judge.priced, depends.filters, judge.now.getTime(), judge.cache);
	if (!flags) return null;
	return {doc, key, flags, quota: kept.quota};
}
