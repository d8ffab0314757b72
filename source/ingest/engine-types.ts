/**
 * The contract between the live engine (ingest/engine.ts) and its users (`watch`, `summary`).
 */
import type {Pricer} from '../core/totals.js';
import type {LiveStore} from '../core/snapshot.js';
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
}

export interface LiveEngine {
	store: LiveStore;
	/** Reads everything once (using the index), then watches for changes until `stop()`. */
	start(): Promise<void>;
	stop(): Promise<void>;
}
