/**
 * The one code path for flags, batch or live: records and events are folded in event-time order
 * through every detector; `evaluate(now)` adds the liveness rules. New items later than everything
 * folded so far are folded incrementally; an item that lands in the past (another file's older
 * lines, a replaced record) makes the next evaluation re-fold from the start. So feeding history
 * in any pieces gives the same flags as one batch: the fold only ever sees one sorted sequence.
 *
 * Resumable: `snapshot()` copies the fold's state (every detector's, the lifecycle's, the position
 * in the sorted sequence); `FlagMonitor.resume` continues from it, folding only what is added
 * after. Anything that would need the history (an item before the position, a folded record
 * replaced or removed, events dropped) loads it once through the `history` callback and re-folds
 * from the start, so a resumed monitor always gives what the batch fold of everything gives.
 */
import {chooseVersion} from '../dedup.js';
import {SEVERITY_RANK, type Flag, type FlagNote} from '../flags.js';
import type {ActivityEvent, UsageRecord} from '../record.js';
import {contextPressure, cacheMissStorm} from './context.js';
import {retryChurn} from './churn.js';
import {dataQuality} from './data-quality.js';
import {Lifecycle} from './lifecycle.js';
import {minutes, type AnomalyParams} from './params.js';
import {rateLimitProximity} from './quota.js';
import {budgetBurn, runCostOutlier, spendSpike} from './spend.js';
import {stall} from './stall.js';
import {errorLoop, loopRepetition, toolFailureStreak} from './tools.js';
import type {DataContext, Detector, FoldContext} from './types.js';

/**
 * The fold's order: by time, then records before events, then by key (a record's own, an event's
 * `eventKey`). Records are folded as they are and events with their key beside them: a wrapper
 * per record was two objects more per record (it and its boxed time) for the whole fold.
 */
interface EventItem {
	at: number;
	key: string;
	e: ActivityEvent;
}

/** A place in the fold's order (the last item folded). */
type Position = {type: 'r' | 'e'; at: number; key: string};

const byTimeThenKey = (a: {at: number; key: string}, b: {at: number; key: string}): number => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Whether an item of `type` at `at` with `key` comes before `p` in the fold's order. */
function before(type: 'r' | 'e', at: number, key: string, p: Position): boolean {
	if (at !== p.at) return at < p.at;
	if (type !== p.type) return type === 'r';
	return key < p.key;
}

const eventKey = (e: ActivityEvent) => `${e.runId}\u0000${e.kind}\u0000${e.name}\u0000${e.ok ?? ''}\u0000${e.detail}`;

export function allDetectors(): Detector[] {
	return [spendSpike(), runCostOutlier(), budgetBurn(), loopRepetition(), errorLoop(), toolFailureStreak(), stall(), contextPressure(), cacheMissStorm(), rateLimitProximity(), retryChurn(), dataQuality()];
}

export interface MonitorOptions {
	params: AnomalyParams;
	costOf: (r: UsageRecord) => number | null;
	/** Which detectors (tests); all by default. */
	detectors?: () => Detector[];
	/**
	 * Live use: items are folded only once they are this much older (ms) than the newest item seen,
	 * so lines that arrive a little out of order (files read one after another) slot in without a
	 * re-fold from the start. Flags then lag the data by this much. 0 (batch) folds everything.
	 */
	lateness?: number;
}

/** Where a fold stands, as plain data (structured-clone/`v8.serialize` safe). */
export interface MonitorSnapshot {
	version: 1;
	detectors: Array<Record<string, unknown>>;
	life: Map<string, unknown>;
	/** The last item folded (the sequence is sorted by at, then records before events, then key). */
	last: {type: 'r' | 'e'; at: number; key: string} | null;
	newest: number;
	/**
	 * Keys of the records folded; null when left out (`snapshot({keys: false})`): the resumed
	 * monitor then loads the history before taking in anything new.
	 */
	keys: string[] | null;
}

/** The records and events folded up to the snapshot (loaded only when a resumed fold must restart). */
export type MonitorHistory = () => {records: Iterable<UsageRecord>; events: Iterable<ActivityEvent>};

export interface Evaluation {
	/** Newest first (by last evidence), then by severity. */
	flags: Flag[];
	notes: FlagNote[];
}

export class FlagMonitor {
	private readonly byKey = new Map<string, UsageRecord>();
	/** Records `addDistinctRecords` queued and did not index by key yet (`records` does, when first read). */
	private unindexed: UsageRecord[] | null = null;
	private readonly events: ActivityEvent[] = [];
	/** Added and not folded yet (live lateness), each list in the order it came. */
	private pendingRecords: UsageRecord[] = [];
	private pendingEvents: EventItem[] = [];
	private last: Position | null = null;
	/** Resumed: the keys folded before the snapshot, and how to get their records when needed. */
	private folded: Set<string> | null = null;
	/** Resumed from a snapshot without keys: anything added or removed first loads the history. */
	private foldedUnknown = false;
	private history: MonitorHistory | null = null;
	private dirty = false;
	private detectors: Detector[] = [];
	private ctx!: FoldContext;
	private data: DataContext = {sources: [], priced: false};
	private newest = -Infinity;

	constructor(private readonly options: MonitorOptions) {
		this.reset();
	}

	/**
	 * A monitor that continues a snapshot's fold (taken with the same options and detectors).
	 * Add only what came after the snapshot; `history` gives what was folded before it. The
	 * monitor takes the snapshot over (pass `{copy: true}` to keep using the snapshot elsewhere;
	 * one freshly deserialized needs no copy).
	 */
	static resume(options: MonitorOptions, snapshot: MonitorSnapshot, history: MonitorHistory, {copy = false}: {copy?: boolean} = {}): FlagMonitor {
		const m = new FlagMonitor(options);
		const s = copy ? structuredClone(snapshot) : snapshot;
		if (s.version !== 1 || s.detectors.length !== m.detectors.length) throw new Error('flag monitor snapshot does not match these detectors');
		m.detectors.forEach((d, i) => adopt(d.state!, s.detectors[i]!));
		m.ctx.life.adoptState(s.life);
		m.last = s.last;
		m.newest = s.newest;
		m.folded = new Set(s.keys ?? []);
		m.foldedUnknown = s.keys === null;
		m.history = history;
		return m;
	}

	/**
	 * The fold's state, or null when it cannot be taken now: items are still pending (live
	 * lateness), a re-fold is due, or a detector keeps no `state`. A copy unless `copy: false`.
	 */
	snapshot({keys: withKeys = true, copy = true}: {keys?: boolean; copy?: boolean} = {}): MonitorSnapshot | null {
		if (this.dirty || this.pendingRecords.length > 0 || this.pendingEvents.length > 0 || this.detectors.some((d) => !d.state)) return null;
		if (this.foldedUnknown && withKeys) this.loadHistory();
		const keys = !withKeys ? null : this.folded ? [...this.folded, ...this.records.keys()] : [...this.records.keys()];
		const last = this.last ? {type: this.last.type, at: this.last.at, key: this.last.key} : null;
		const snapshot = {version: 1 as const, detectors: this.detectors.map((d) => d.state!), life: this.ctx.life.state, last, newest: this.newest, keys};
		// `copy: false` hands out the live state itself: only for serializing it at once.
		return copy ? structuredClone(snapshot) : snapshot;
	}

	/**
	 * The part of the fold `evaluate` reads: the lifecycle and the state of the detectors that
	 * judge at `now` (a detector without `atNow` speaks only through the lifecycle). Enough to
	 * evaluate the same fold again at another `now` (`evaluateAt`), never to fold more; much
	 * smaller than `snapshot()` on a long history (a detector keeps only what its `atNow` reads,
	 * `atNowState`). Null when a snapshot cannot be taken now.
	 */
	evaluationSnapshot(): MonitorSnapshot | null {
		const full = this.snapshot({keys: false, copy: false});
		if (!full) return null;
		const detectors = full.detectors.map((state, i) => {
			const d = this.detectors[i]!;
			return d.atNow ? (d.atNowState?.() ?? state) : {};
		});
		return {...full, detectors, last: null, newest: -Infinity};
	}

	/**
	 * The flags an `evaluationSnapshot`'s fold gives at `now`: exactly what `evaluate(now)` gave
	 * over that fold, for data without running runs (what `atNowState` was cut for).
	 */
	static evaluateAt(options: Omit<MonitorOptions, 'costOf' | 'lateness'>, snapshot: MonitorSnapshot, data: DataContext, now: number): Evaluation {
		const cannotFold = (): never => {
			throw new Error('an evaluation snapshot cannot fold');
		};
		if (data.runningRuns && data.runningRuns.size > 0) throw new Error('an evaluation snapshot keeps no quiet run: it cannot judge running runs');
		const m = FlagMonitor.resume({...options, costOf: cannotFold}, snapshot, cannotFold);
		m.setData(data);
		return m.evaluate(now);
	}

	/** A resumed monitor takes in what was folded before the snapshot (the fold itself stays valid). */
	private loadHistory(): void {
		if (!this.history) return;
		const h = this.history();
		this.history = null;
		this.folded = null;
		this.foldedUnknown = false;
		const added = [...this.records.values()];
		this.records.clear();
		for (const r of h.records) this.records.set(r.key, r);
		for (const r of added) {
			const had = this.records.get(r.key);
			if (!had || chooseVersion(had, r) === 'replace') this.records.set(r.key, r);
		}
		this.events.unshift(...h.events);
	}

	/** Every current record by key. */
	private get records(): Map<string, UsageRecord> {
		if (this.unindexed) {
			for (const r of this.unindexed) this.byKey.set(r.key, r);
			this.unindexed = null;
		}
		return this.byKey;
	}

	/**
	 * `addRecords` for records whose keys are distinct (a ledger's): into a fresh monitor they are
	 * queued without a lookup and a map entry each (a one-shot fold never reads them by key); the
	 * map is built if anything asks for it later. Otherwise exactly `addRecords`.
	 */
	addDistinctRecords(records: Iterable<UsageRecord>): void {
		if (this.foldedUnknown || this.folded || this.dirty || this.unindexed || this.byKey.size > 0) {
			this.addRecords(records);
			return;
		}
		const list: UsageRecord[] = [];
		for (const r of records) {
			list.push(r);
			this.queueRecord(r);
		}
		this.unindexed = list;
	}

	addRecords(records: Iterable<UsageRecord>): void {
		for (const r of records) {
			if (this.foldedUnknown || this.folded?.has(r.key)) this.loadHistory();
			const had = this.records.get(r.key);
			if (had === r) continue;
			if (had) {
				if (chooseVersion(had, r) !== 'replace') continue;
				this.dirty = true;
			}
			this.records.set(r.key, r);
			this.queueRecord(r);
		}
	}

	/** Records gone (their file was retracted): the next evaluation re-folds. */
	removeRecords(keys: Iterable<string>): void {
		for (const k of keys) {
			if (this.foldedUnknown || this.folded?.has(k)) this.loadHistory();
			if (this.records.delete(k)) this.dirty = true;
		}
	}

	addEvents(events: Iterable<ActivityEvent>): void {
		for (const e of events) {
			if (this.foldedUnknown) this.loadHistory();
			this.events.push(e);
			this.queueEvent({at: e.at, key: eventKey(e), e});
		}
	}

	/** Drops events (e.g. those of a file being re-read); the next evaluation re-folds. */
	removeEvents(drop: (e: ActivityEvent) => boolean): void {
		this.loadHistory();
		const keep = this.events.filter((e) => !drop(e));
		if (keep.length === this.events.length) return;
		this.events.length = 0;
		this.events.push(...keep);
		this.dirty = true;
	}

	get recordCount(): number {
		if (this.foldedUnknown) this.loadHistory();
		return this.records.size + (this.folded?.size ?? 0);
	}

	recordKeys(): IterableIterator<string> {
		if (this.foldedUnknown) this.loadHistory();
		return this.folded ? [...this.folded, ...this.records.keys()].values() : this.records.keys();
	}

	setData(data: DataContext): void {
		this.data = data;
	}

	evaluate(now: number): Evaluation {
		if (this.dirty) {
			this.loadHistory();
			this.reset();
			this.fold([...this.records.values()], this.eventItems());
			this.dirty = false;
		} else if (this.pendingRecords.length > 0 || this.pendingEvents.length > 0) {
			this.fold(this.pendingRecords, this.pendingEvents);
		}
		const out = {flags: this.ctx.life.flags(), notes: [] as FlagNote[]};
		for (const d of this.detectors) d.atNow?.(now, this.ctx, this.data, out);
		out.flags = out.flags.filter((f) => f.firstAt <= now);
		out.flags.sort((a, b) => b.lastAt - a.lastAt || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
		return out;
	}

	/**
	 * Folds everything still pending, lateness or not: the state is then the batch fold of all
	 * items (for a snapshot when a live monitor stops). Lines arriving later than that re-fold.
	 */
	flush(): void {
		if (this.dirty) {
			this.loadHistory();
			this.reset();
			this.fold([...this.records.values()], this.eventItems(), 0);
			this.dirty = false;
		} else if (this.pendingRecords.length > 0 || this.pendingEvents.length > 0) {
			this.fold(this.pendingRecords, this.pendingEvents, 0);
		}
	}

	private queueRecord(r: UsageRecord): void {
		this.arriving('r', r.at, r.key);
		this.pendingRecords.push(r);
	}

	private queueEvent(item: EventItem): void {
		this.arriving('e', item.at, item.key);
		this.pendingEvents.push(item);
	}

	/** An item is queued: one that lands before what was folded makes the next evaluation re-fold. */
	private arriving(type: 'r' | 'e', at: number, key: string): void {
		if (this.last && before(type, at, key, this.last)) this.dirty = true;
		if (this.dirty) this.loadHistory();
		if (at > this.newest) this.newest = at;
	}

	private eventItems(): EventItem[] {
		return this.events.map((e) => ({at: e.at, key: eventKey(e), e}));
	}

	/** The next evaluation re-folds everything (an item landed before what was already folded). */
	get needsRefold(): boolean {
		return this.dirty;
	}

	private reset(): void {
		this.detectors = (this.options.detectors ?? allDetectors)();
		// Several detectors price each record in turn: one lookup per record (often a map of every record).
		const costOf = this.options.costOf;
		let lastRecord: UsageRecord | null = null;
		let lastCost: number | null = null;
		const memoCost = (r: UsageRecord) => {
			if (r !== lastRecord) {
				lastCost = costOf(r);
				lastRecord = r;
			}
			return lastCost;
		};
		this.ctx = {params: this.options.params, costOf: memoCost, life: new Lifecycle(this.options.params.lifecycle)};
		this.last = null;
	}

	/**
	 * Folds the records and events up to the lateness horizon, in the fold's order (each list
	 * sorted, then merged: at the same time a record comes first); the rest stay pending.
	 */
	private fold(records: UsageRecord[], events: EventItem[], lateness = this.options.lateness ?? 0): void {
		records.sort(byTimeThenKey);
		events.sort(byTimeThenKey);
		const horizon = this.newest - lateness;
		// The handlers, taken off the detectors once: read per item, `d.onRecord` is a load off
		// a dozen differently shaped objects (megamorphic) before every call.
		const onRecord = this.detectors.filter((d) => d.onRecord);
		const recordFns = onRecord.map((d) => d.onRecord!);
		const onEvent = this.detectors.filter((d) => d.onEvent);
		const eventFns = onEvent.map((d) => d.onEvent!);
		const ctx = this.ctx;
		let i = 0;
		let j = 0;
		let last: 'r' | 'e' | null = null;
		for (;;) {
			const r = records[i];
			const ev = events[j];
			// Every item folded is current: a record replaced or removed makes the next evaluation
			// re-fold from `records`, so a superseded item never reaches this loop.
			if (r !== undefined && (ev === undefined || r.at <= ev.at)) {
				if (r.at > horizon) break;
				for (let k = 0; k < recordFns.length; k++) recordFns[k]!.call(onRecord[k], r, ctx);
				i++;
				last = 'r';
			} else if (ev !== undefined) {
				if (ev.at > horizon) break;
				for (let k = 0; k < eventFns.length; k++) eventFns[k]!.call(onEvent[k], ev.e, ctx);
				j++;
				last = 'e';
			} else break;
		}
		if (last === 'r') this.last = {type: 'r', at: records[i - 1]!.at, key: records[i - 1]!.key};
		else if (last === 'e') this.last = {type: 'e', at: events[j - 1]!.at, key: events[j - 1]!.key};
		this.pendingRecords = records.slice(i);
		this.pendingEvents = events.slice(j);
	}
}

/** Flags worth showing live: still raised, with evidence younger than the live window. */
export function liveFlags(flags: readonly Flag[], now: number, params: AnomalyParams): Flag[] {
	const horizon = now - minutes(params.lifecycle.liveMinutes);
	return flags.filter((f) => f.active !== false && f.lastAt >= horizon);
}

/** Refills a detector's state objects in place (handlers hold references to them). */
function adopt(target: Record<string, unknown>, source: Record<string, unknown>): void {
	for (const [k, v] of Object.entries(source)) {
		const t = target[k];
		if (t instanceof Map) {
			t.clear();
			for (const [mk, mv] of v as Map<unknown, unknown>) t.set(mk, mv);
		} else if (t instanceof Set) {
			t.clear();
			for (const x of v as Set<unknown>) t.add(x);
		} else if (t !== null && typeof t === 'object' && !Array.isArray(t) && !ArrayBuffer.isView(t)) Object.assign(t, v);
		else target[k] = v;
	}
}
