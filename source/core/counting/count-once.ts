/**
 * Counting once: the one step between the raw ledger (every record read, deduplicated) and the
 * ledger that counts. `summary`, `backfill` and `watch` all get their ledger from `countOnce`
 * (through the live engine's coalescer, core/counting/coalescer.ts), so they count the same records:
 *
 * 1. the bosun rule (bosun-rule.ts): an attempt covered by transcripts is dropped and only lends
 *    its task id to the transcript records in its window that name no issue;
 * 2. the usage.jsonl rule (usage-rule.ts): a turn covered by transcript calls is replaced by them;
 * 3. filters and prices (the ledger options).
 *
 * The raw ledger is never changed: the engine keeps retracting files from it.
 */
import {Ledger, type LedgerOptions} from '../ledger.js';
import type {UsageRecord} from '../record.js';
import {matchBosunRule, noBosunRuleStats, type BosunRuleStats} from './bosun-rule.js';
import {applyUsageRule, type ReattributionCache, type UsageRuleReport} from './usage-rule.js';

export interface CountOnceOptions extends LedgerOptions {
	/**
	 * The raw ledger already counts with `pricer` (and has no filter): when no rule changes a
	 * record and no filter is asked for, it is returned as is instead of re-counted.
	 */
	rawCounts?: boolean;
	/** Kept by a caller that counts again and again (the live view): re-attributed copies are reused. */
	cache?: CountOnceCache;
}

export interface CountOnceCache {
	usage: ReattributionCache;
	/** bosun's task id lent to a transcript record: the copy, by source record. */
	bosun: WeakMap<UsageRecord, UsageRecord>;
}

export const countOnceCache = (): CountOnceCache => ({usage: new WeakMap(), bosun: new WeakMap()});

/** The ledger that counts and what each rule did. */
export interface Counted {
	ledger: Ledger;
	usage: UsageRuleReport;
	bosun: BosunRuleStats;
}

export function countOnce(raw: Ledger, options: CountOnceOptions = {}): Counted {
	let records: UsageRecord[] = [...raw.records()];
	const bosun = noBosunRuleStats();
	if (records.some((r) => r.source === 'bosun')) {
		const {covered, attribute} = matchBosunRule(records);
		bosun.coveredRuns = covered.size;
		if (covered.size > 0 || attribute.size > 0) {
			const kept: UsageRecord[] = [];
			for (const r of records) {
				if (r.source === 'bosun' && covered.has(r.runId)) {
					bosun.droppedRecords++;
					continue;
				}
				const issue = attribute.get(r.key);
				if (issue === undefined) kept.push(r);
				else {
					bosun.attributedRecords++;
					let copy = options.cache?.bosun.get(r);
					if (!copy || copy.issue !== issue) {
						copy = {...r, issue};
						options.cache?.bosun.set(r, copy);
					}
					kept.push(copy);
				}
			}
			records = kept;
		}
	}
	const {records: counted, report} = applyUsageRule(records, undefined, options.cache?.usage);
	const changed = bosun.droppedRecords > 0 || bosun.attributedRecords > 0 || report.coveredTurns > 0;
	if (!changed && options.rawCounts && !options.accept) return {ledger: raw, usage: report, bosun};
	const ledger = new Ledger({pricer: options.pricer, accept: options.accept});
	ledger.add(counted);
	// Dedup conflicts were found while reading; the ledger that counts keeps them (counts included).
	ledger.conflicts.merge(raw.conflicts);
	return {ledger, usage: report, bosun};
}
