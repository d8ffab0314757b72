/**
 * What the live engine publishes to the UI: an immutable snapshot, replaced (never mutated)
 * at most every 100–250 ms. `getSnapshot` returns the same object until something changed.
 */
import type {BosunRuleStats} from './counting/bosun-rule.js';
import type {UsageRuleReport} from './counting/usage-rule.js';
import type {Flag} from './flags.js';
import type {ProviderQuotaSample} from './quota.js';
import type {Ledger, MinuteBucket} from './ledger.js';
import type {SourceNumbers} from './source-numbers.js';
import type {SummaryJson} from './summary.js';

export interface MinutePoint extends MinuteBucket {
	/** Epoch ms of the minute's start. */
	minute: number;
}

export interface LiveSnapshot {
	/** Ledger revision the snapshot was built from. */
	revision: number;
	/** Epoch ms when built (the clock the view uses for "recent" rates). */
	now: number;
	/** Totals by dimension, the same document `summary --json` prints. */
	doc: SummaryJson;
	/** Per-minute spend for the last 24 hours, oldest first, gaps omitted. */
	minutes: MinutePoint[];
	/** burn's live flags, then external ones (bosun's alerts, `external: 'bosun'`). */
	flags: Flag[];
	sources: SourceNumbers[];
	/**
	 * The ledger that counts (after the count-once rules and filters), for drill-down queries
	 * (`runRecords`). Read-only: the UI never mutates it.
	 * Records themselves are immutable.
	 */
	ledger: Ledger;
	/** The engine finished its first full read. */
	ready: boolean;
	/**
	 * Drawn from the summary kept at the index's watermark (commands/watch-kept.ts) while the
	 * engine reads, over files the kept manifest says are unchanged: the document, per-minute
	 * spend, per-root numbers and flags are the kept ones; the ledger is empty (no record is
	 * decoded yet), so recent rates and a run's turns are not known until the read is done.
	 * `quota`: the counted records' quota windows, kept with it.
	 */
	kept?: {quota: ProviderQuotaSample[]};
	/** During the first read: files read so far of those found (the data shown is not in yet). */
	progress?: {filesDone: number; filesTotal: number};
	/**
	 * What counting once did (core/counting/count-once.ts): the usage.jsonl rule's report and the
	 * bosun rule's. Absent while no rule can apply (the ledger is the raw one). `stale`: files
	 * changed since this count; a re-count is due within a second or two.
	 */
	counting?: {usage: UsageRuleReport | null; bosun: BosunRuleStats; stale: boolean};
}

export interface LiveStore {
	subscribe(listener: () => void): () => void;
	getSnapshot(): LiveSnapshot;
}
