/**
 * The record filter (`--since`, `--until`, `--issue`): the one type every command and the engine
 * pass around. Filters apply after the counting-once rules (they can change a record's issue).
 */
import type {UsageRecord} from './record.js';

export interface RecordFilter {
	/** Epoch ms, inclusive; null: no lower bound. */
	since: number | null;
	/** Epoch ms, inclusive; null: no upper bound. */
	until: number | null;
	issue: string | null;
}

/** Is `at` inside the filter's time range? */
export function inTimeRange(f: RecordFilter | undefined, at: number): boolean {
	return (f?.since == null || at >= f.since) && (f?.until == null || at <= f.until);
}

/** The ledger's `accept` for a filter; undefined when it lets everything through. */
export function acceptFor(f: RecordFilter | undefined): ((r: UsageRecord) => boolean) | undefined {
	if (!f || (f.since === null && f.until === null && f.issue === null)) return undefined;
	return (r) => inTimeRange(f, r.at) && (f.issue === null || r.issue === f.issue);
}
