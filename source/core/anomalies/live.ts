/**
 * The live engine's hook (`EngineOptions.detectFlags`): keeps one FlagMonitor across snapshots
 * and feeds it only what changed (records by ledger revision, events by identity), so a snapshot costs a lookup per record, not a re-fold. The
 * flags it returns are the live ones (warm-up rule): still raised, last evidence < 10 min before
 * `now`. History read at startup builds the baselines silently, exactly as a replay would.
 */
import type {Flag} from '../flags.js';
import type {Ledger} from '../ledger.js';
import type {ActivityEvent} from '../record.js';
import type {ActivityEvent as Event, UsageRecord} from '../record.js';
import {FlagMonitor, liveFlags, type MonitorSnapshot} from './monitor.js';
import {DEFAULT_PARAMS, type AnomalyParams} from './params.js';
import type {DataContext} from './types.js';

export interface FlagHookOptions {
	params?: AnomalyParams;
	/** Source facts for A16 (records/problems per source), when the caller has them. */
	data?: () => DataContext;
	/** All flags raised (history too), not only live ones. */
	all?: boolean;
	/** Fold lines this late (ms) without starting over (default 15 s; see MonitorOptions). */
	lateness?: number;
	/** Monotonic clock for the re-fold throttle only (never for rules); default performance.now. */
	clock?: () => number;
	/**
	 * On the first call: a kept fold of exactly this ledger and these events (`summary`'s
	 * flags.v8, docs/flag-state.md), or of part of them with the rest to add, or null. The
	 * monitor resumes it instead of folding history.
	 */
	resume?: (ledger: Ledger, events: readonly ActivityEvent[]) => KeptFold | null;
}

/** A fold to resume: of exactly the ledger and events given (no `since`), or of `since.before()`, the items in `since` not folded yet. */
export interface KeptFold {
	snapshot: MonitorSnapshot;
	since?: {records: UsageRecord[]; events: ActivityEvent[]; before: () => {records: UsageRecord[]; events: ActivityEvent[]}};
}

export type FlagHook = ((ledger: Ledger, now: number, events: () => ActivityEvent[]) => Flag[]) & {
	/**
	 * When the live view stops: the fold of everything the hook was last given (pending lines
	 * folded too), with that ledger and event count, for `flags.v8`; null when the ledger moved on
	 * since the last call or nothing was folded.
	 */
	finalFold(): {snapshot: MonitorSnapshot; evaluation: MonitorSnapshot | null; ledger: Ledger; events: number} | null;
};

export function createFlagHook(options: FlagHookOptions = {}): FlagHook {
	const params = options.params ?? DEFAULT_PARAMS;
	let ledgerRef: Ledger | null = null;
	const monitorOptions = {params, costOf: (r: UsageRecord) => ledgerRef?.costOf(r.key)?.usd ?? null, lateness: options.lateness ?? 15_000};
	let monitor = new FlagMonitor(monitorOptions);
	let first = true;
	const clock = options.clock ?? (() => performance.now());
	// A full re-fold (lines far out of order, e.g. files read one by one at startup) costs seconds on
	// big histories: after one, the next waits 10× as long, so the UI never spends most of its time here.
	let lastAll: Flag[] = [];
	let refoldAfter = -Infinity;
	let revision = -1;
	let eventCount = 0;
	let eventRevision = -1;
	const seen = new Set<ActivityEvent>();
	const hook = (ledger: Ledger, now: number, events: () => ActivityEvent[]): Flag[] => {
		ledgerRef = ledger;
		if (first) {
			first = false;
			const all = events();
			const kept = options.resume?.(ledger, all) ?? null;
			if (kept) {
				// The history as it is now (the records and events the kept fold saw), loaded only
				// when something needs it; what arrives later is added as usual.
				const records: UsageRecord[] = [...ledger.records()];
				const history: Event[] = all;
				const since = kept.since;
				monitor = FlagMonitor.resume(monitorOptions, kept.snapshot, since ? since.before : () => ({records, events: history}));
				if (since) {
					monitor.addRecords(since.records);
					monitor.addEvents(since.events);
				}
				revision = ledger.revision;
				for (const e of all) seen.add(e);
				eventCount = all.length;
				eventRevision = ledger.revision;
			}
		}
		if (ledger.revision !== revision) {
			revision = ledger.revision;
			monitor.addRecords(ledger.records());
			if (monitor.recordCount > ledger.size) {
				const live = new Set<string>();
				for (const r of ledger.records()) live.add(r.key);
				monitor.removeRecords([...monitor.recordKeys()].filter((k) => !live.has(k)));
			}
		}
		// The engine's list is rebuilt per call (per file, so new events land mid-list): events are
		// matched by identity; any that vanished (a file re-read) make the monitor start over.
		const all = events();
		if (all.length !== eventCount || ledger.revision !== eventRevision) {
			eventRevision = ledger.revision;
			const fresh: ActivityEvent[] = [];
			let kept = 0;
			for (const e of all) {
				if (seen.has(e)) kept++;
				else fresh.push(e);
			}
			if (kept < seen.size) {
				seen.clear();
				for (const e of all) seen.add(e);
				monitor.removeEvents(() => true);
				monitor.addEvents(all);
			} else {
				for (const e of fresh) seen.add(e);
				monitor.addEvents(fresh);
			}
			eventCount = all.length;
		}
		let priced = false;
		for (const r of ledger.records()) {
			priced = ledger.costOf(r.key) !== null;
			break;
		}
		monitor.setData(options.data?.() ?? {sources: [], priced});
		const refold = monitor.needsRefold;
		if (refold && clock() < refoldAfter) return options.all ? lastAll : liveFlags(lastAll, now, params);
		const started = clock();
		lastAll = monitor.evaluate(now).flags;
		if (refold) refoldAfter = clock() + 10 * (clock() - started);
		return options.all ? lastAll : liveFlags(lastAll, now, params);
	};
	const finalFold = () => {
		const ledger = ledgerRef;
		if (!ledger || ledger.revision !== revision || ledger.revision !== eventRevision) return null;
		monitor.flush();
		const snapshot = monitor.snapshot({keys: false, copy: false});
		// `evaluation`: the part judging at a later clock reads (kept with the summary, so a warm start need not load flags.v8).
		return snapshot ? {snapshot, evaluation: monitor.evaluationSnapshot(), ledger, events: eventCount} : null;
	};
	return Object.assign(hook, {finalFold});
}
