/**
 * The contract between the live engine (ingest/engine.ts) and its users (`watch`, `summary`).
 */
import type {Flag} from '../core/flags.js';
import type {Ledger} from '../core/ledger.js';
import type {ActivityEvent, UsageRecord} from '../core/record.js';
import type {RecordFilter} from '../core/record-filter.js';
import type {Pricer} from '../core/totals.js';
import type {LiveStore} from '../core/snapshot.js';
import type {SourceDefinition} from '../sources/types.js';
import type {DiscoveryOptions} from './discover.js';

export interface EngineOptions {
	discovery: DiscoveryOptions;
	pricer?: Pricer;
	/** Persistent index directory; null disables the index (`--no-cache`). */
	cacheDir: string | null;
	/** Extra `--issue-pattern`s, tried after the defaults. */
	issuePatterns?: readonly RegExp[];
	/** Coalescing interval for store notifications (100–250 ms). */
	notifyIntervalMs?: number;
	/** Clock, for tests and replay. */
	now?: () => number;
	/** Keep watching after the first read (default true); false for one-shot reads (`summary --once`). */
	watch?: boolean;
	/** Only records passing these are counted (`--since/--until/--issue`), after the counting-once rules; the index keeps them all. */
	filters?: RecordFilter;
	/**
	 * false: read and index the files but count nothing (no raw ledger, no counting once); the
	 * records stay with their files' trackers (`burn sources` dedups per root). Default true.
	 */
	count?: boolean;
	/** Called for every record read (from a file or the index), after issue attribution: progress lines. */
	onRecord?: (record: UsageRecord) => void;
	/** Anomaly rules (issue 7) hook in here; the snapshot's `flags` are `[]` without it. */
	detectFlags?: (ledger: Ledger, now: number, events: () => ActivityEvent[]) => Flag[];
	/** One-line notices (an index was discarded, …). Without it they go into `doc.warnings`. */
	onNotice?: (message: string) => void;
	/** The sources to read (default: the registry). */
	sources?: readonly SourceDefinition[];
	/** While watching, the count-once re-count (only when a rule can apply) runs at most this often (default 1 s). */
	recountIntervalMs?: number;
	/** During the first read (when watching), the view hears of its progress this often (default 100 ms). */
	progressIntervalMs?: number;
	/** Quiet time after a file event before reading (default 60 ms). */
	debounceMs?: number;
	/** Stat-only polling backstop for file systems that lose events (default 5 s; 0 disables). */
	pollIntervalMs?: number;
	/** Directory listings are refreshed every this many ms as a backstop for missed new files (default 60 s). */
	relistIntervalMs?: number;
	/** While watching, the index is rewritten at most this often after changes (default 5 min: a rewrite serializes every record) and on stop. */
	indexWriteDelayMs?: number;
}

export interface LiveEngine {
	store: LiveStore;
	/** Reads everything once (using the index), then watches for changes until `stop()`. */
	start(): Promise<void>;
	stop(): Promise<void>;
}

