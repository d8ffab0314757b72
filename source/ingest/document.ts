/**
 * The one document builder: `summary --once`, `watch` (every snapshot) and `backfill` all turn
 * what the engine read into the `burn.summary/1` document here, from the same parts: the ledger
 * that counts (core/counting), the per-root numbers, one problem log and bosun's alerts.
 */
import type {CountingState} from '../core/counting/coalescer.js';
import type {Flag} from '../core/flags.js';
import type {ProblemLog} from '../core/problems.js';
import type {RecordFilter} from '../core/record-filter.js';
import type {LiveSnapshot, MinutePoint} from '../core/snapshot.js';
import type {SourceNumbers} from '../core/source-numbers.js';
import {buildSummary, type SummaryJson} from '../core/summary.js';
import type {Ledger} from '../core/ledger.js';
import type {SourceRoot} from '../sources/types.js';

/** What the engine holds at one moment, ready to be built into a document. */
export interface DocumentParts {
	/** The ledger that counts and what the counting-once rules did. */
	counting: CountingState;
	/** A counting-once rule could apply (else the ledger is the raw one and nothing was re-counted). */
	rulesApplied: boolean;
	sources: SourceNumbers[];
	missing: readonly SourceRoot[];
	/** Problems of every file read (record files, then bosun's alerts files). */
	problems: ProblemLog;
	/** bosun's own alerts, every one read (`external: 'bosun'`). */
	externalFlags: Flag[];
}

export interface DocumentOptions {
	now: number;
	priced: boolean;
	filters?: RecordFilter;
	warnings: readonly string[];
	/** `full`: per-bucket `sources` (a pass over every record; the one-shot reports). `live`: without. */
	detail: 'full' | 'live';
}

export function buildDocument(parts: DocumentParts, options: DocumentOptions): SummaryJson {
	return buildSummary({
		ledger: parts.counting.ledger,
		sources: parts.sources,
		missing: parts.missing,
		problems: parts.problems,
		filters: options.filters,
		priced: options.priced,
		now: new Date(options.now),
		warnings: options.warnings,
		usageRule: parts.counting.usage,
		bucketSources: options.detail === 'full',
	});
}

const DAY = 24 * 60 * 60_000;

/** The counted ledger's spend per minute over the day before `now`, oldest first (the sparkline's and chart's data). */
export function minutePoints(ledger: Ledger, now: number): MinutePoint[] {
	const minutes: MinutePoint[] = [];
	for (const [minute, b] of ledger.minutes) {
		if (minute >= now - DAY) minutes.push({minute, records: b.records, tokens: b.tokens, usd: b.usd});
	}
	return minutes.sort((a, b) => a.minute - b.minute);
}

/** The snapshot the live store publishes: the document plus per-minute spend and the live flags. */
export function buildLiveSnapshot(parts: DocumentParts, options: Omit<DocumentOptions, 'detail'> & {ready: boolean; flags: Flag[]}): LiveSnapshot {
	const {now} = options;
	const ledger = parts.counting.ledger;
	const doc = buildDocument(parts, {...options, detail: 'live'});
	const minutes = minutePoints(ledger, now);
	const {counting} = parts;
	return {
		revision: ledger.revision,
		now,
		doc,
		minutes,
		flags: options.flags,
		sources: parts.sources,
		ledger,
		ready: options.ready,
		...(parts.rulesApplied ? {counting: {usage: counting.usage, bosun: counting.bosun, stale: counting.dueAt !== null}} : {}),
	};
}
