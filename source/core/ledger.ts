/**
 * The ledger: dedup + rolling totals by issue, run, model, provider and source, plus per-minute
 * buckets. Records arrive in any order from any file; a key seen again is resolved by
 * `chooseVersion`, and the totals subtract the old version and add the new one.
 * Retracting a file (it shrank or was replaced) removes its versions and lets another file's copy
 * of the same record take over.
 */
import {chooseVersion, conflictProblem, type Choice} from './dedup.js';
import {recordFidelity} from './fidelity.js';
import {ProblemLog} from './problems.js';
import type {FidelityClass, UsageRecord} from './record.js';
import {applyCounted, emptyTotals, type PricedCost, type Pricer, type Totals} from './totals.js';

export type Dimension = 'issue' | 'run' | 'model' | 'provider' | 'source';
export const DIMENSIONS: readonly Dimension[] = ['issue', 'run', 'model', 'provider', 'source'];

/** The key of the row for records that name no issue (the JSON contract's `(none)`). */
export const NO_ISSUE = '(none)';
export const UNKNOWN_MODEL = '(unknown)';

export function dimensionKey(r: UsageRecord, d: Dimension): string {
	switch (d) {
		case 'issue':
			return r.issue ?? NO_ISSUE;
		case 'run':
			return r.runId;
		case 'model':
			return r.model ?? UNKNOWN_MODEL;
		case 'provider':
			return r.provider ?? UNKNOWN_MODEL;
		case 'source':
			return r.source;
	}
}

/** Descriptive labels of a run, from its most recent record. */
export interface RunLabels {
	issue: string | null;
	provider: string | null;
	model: string | null;
	source: UsageRecord['source'];
	workspace: string | null;
	botRole: string | null;
	exitReason: string | null;
}

export interface MinuteBucket {
	records: number;
	/** Sum of known total tokens. */
	tokens: number;
	usd: number;
}

/**
 * A key seen in more than one version that still matters: the one that counts and the versions
 * that can still count, in arrival order: one per file, the best within it (a version another
 * version of the same file beats can never count again, since a file is only ever retracted
 * whole). A key whose only version is the one that counts (the common case) is stored as that
 * record itself, with no entry object: a per-record object is memory held for the whole read.
 */
class Versions {
	constructor(
		public effective: UsageRecord,
		public versions: UsageRecord | UsageRecord[],
	) {}
}

/** What the ledger keeps per key: the record that counts, or its versions. */
type Slot = UsageRecord | Versions;

const effectiveOf = (slot: Slot): UsageRecord => (slot instanceof Versions ? slot.effective : slot);

export interface LedgerOptions {
	pricer?: Pricer;
	/** Records failing the filter are not counted (summary `--since/--until/--issue`). */
	accept?: (r: UsageRecord) => boolean;
}

const MINUTE = 60_000;

export class Ledger {
	readonly totals: Totals = emptyTotals();
	readonly by: Record<Dimension, Map<string, Totals>> = {
		issue: new Map(),
		run: new Map(),
		model: new Map(),
		provider: new Map(),
		source: new Map(),
	};
	readonly runLabels = new Map<string, RunLabels>();
	/**
	 * Record keys per run, for drill-down to turns. Built on first use and kept up to date from
	 * then on: a one-shot read that never drills down does not pay for it.
	 */
	get runKeys(): Map<string, Set<string>> {
		if (this.runIndex === null) {
			const index = new Map<string, Set<string>>();
			for (const slot of this.entries.values()) {
				const r = effectiveOf(slot);
				let keys = index.get(r.runId);
				if (!keys) index.set(r.runId, (keys = new Set()));
				keys.add(r.key);
			}
			this.runIndex = index;
		}
		return this.runIndex;
	}
	readonly minutes = new Map<number, MinuteBucket>();
	readonly conflicts = new ProblemLog();
	/** Increments on every change; views compare it to skip work. */
	revision = 0;

	/**
	 * Per key, what counts. Costs are not kept: the pricer is a pure function of the record, so a
	 * record is priced again when it is subtracted or asked for (`costOf`) rather than holding a
	 * cost object per record.
	 */
	private readonly entries = new Map<string, Slot>();
	/** Keys with a version from each file, for retraction. */
	private readonly keysByPath = new Map<string, string[]>();
	/** Totals whose time range must be recomputed from the records counted now (`settleRanges`). */
	private readonly staleRanges = new Set<Totals>();
	/** One row set per dimension, in `count` order (run, issue, model, provider, source). */
	private readonly rows = [new Rows(this.by.run, this.staleRanges), new Rows(this.by.issue, this.staleRanges), new Rows(this.by.model, this.staleRanges), new Rows(this.by.provider, this.staleRanges), new Rows(this.by.source, this.staleRanges)];
	// Records arrive in runs from one file, one session, one minute: the last lookups are reused.
	private runIndex: Map<string, Set<string>> | null = null;
	/** `records()` until what counts changes (every change goes through `count`; not keyed on `revision`, which the coalescer sets from outside). */
	private recordList: UsageRecord[] | null = null;
	private lastMinute: number | null = null;
	private lastMinuteBucket: MinuteBucket | undefined;
	private lastPath: string | null = null;
	private lastPathKeys: string[] | undefined;
	private pricer: Pricer | undefined;
	private readonly accept: ((r: UsageRecord) => boolean) | undefined;

	constructor(options: LedgerOptions = {}) {
		this.pricer = options.pricer;
		this.accept = options.accept;
	}

	get size(): number {
		return this.entries.size;
	}

	add(records: Iterable<UsageRecord>): void {
		for (const r of records) this.addOne(r);
	}

	addOne(r: UsageRecord): void {
		if (this.accept && !this.accept(r)) return;
		const key = r.key;
		const slot = this.entries.get(key);
		if (slot === undefined) {
			this.entries.set(key, r);
			this.addPathKey(r.origin.path, key);
			this.count(r, this.price(r), 1);
			return;
		}
		const effective = effectiveOf(slot);
		const choice = chooseVersion(effective, r);
		const versions = this.keepVersion(slot instanceof Versions ? slot.versions : slot, effective, r, choice);
		if (choice === 'conflict') this.conflicts.add(conflictProblem(effective, r));
		const next = choice === 'replace' ? r : effective;
		this.store(key, slot, next, versions);
		if (next !== effective) this.setEffective(effective, next);
	}

	/** Keeps `effective` and `versions` for `key`, with an entry object only when they differ. */
	private store(key: string, slot: Slot, effective: UsageRecord, versions: UsageRecord | UsageRecord[]): void {
		if (versions === effective) {
			if (slot !== effective) this.entries.set(key, effective);
		} else if (slot instanceof Versions) {
			slot.effective = effective;
			slot.versions = versions;
		} else {
			this.entries.set(key, new Versions(effective, versions));
		}
	}

	/** Removes every version that came from `path` (the file shrank, was replaced or rewritten). */
	retractFile(path: string): void {
		const keys = this.keysByPath.get(path);
		if (!keys) return;
		this.keysByPath.delete(path);
		this.lastPath = null;
		this.lastPathKeys = undefined;
		for (const key of keys) {
			const slot = this.entries.get(key);
			if (slot === undefined) continue;
			const effective = effectiveOf(slot);
			const vs = slot instanceof Versions ? slot.versions : slot;
			if (!Array.isArray(vs)) {
				if (vs.origin.path !== path) continue;
				this.count(effective, this.price(effective), -1);
				this.entries.delete(key);
				continue;
			}
			const remaining = vs.filter((v) => v.origin.path !== path);
			if (remaining.length === vs.length) continue;
			// Replay the surviving versions to find which one counts now.
			let best = remaining[0]!;
			for (let i = 1; i < remaining.length; i++) if (chooseVersion(best, remaining[i]!) === 'replace') best = remaining[i]!;
			this.store(key, slot, best, remaining.length === 1 ? best : remaining);
			if (best !== effective) this.setEffective(effective, best);
		}
	}

	/** Re-prices every counted record (a price sheet changed): no re-read needed. */
	reprice(pricer: Pricer | undefined): void {
		const was = this.pricer;
		for (const slot of this.entries.values()) {
			const r = effectiveOf(slot);
			this.count(r, was ? was(r) : null, -1);
			this.count(r, pricer ? pricer(r) : null, 1);
		}
		this.pricer = pricer;
	}

	/**
	 * The records that count, in no particular order (an array's iterator: a generator was slower to
	 * walk). The list is kept until what counts changes (`count` drops it): a one-shot summary walks it five
	 * times (document, flag inputs, fold, fold content, quota), and building it walks a map of
	 * every counted record (1M usage lines: ~65 ms each time).
	 */
	records(): IterableIterator<UsageRecord> {
		if (this.recordList === null) {
			const out = new Array<UsageRecord>(this.entries.size);
			let i = 0;
			for (const slot of this.entries.values()) out[i++] = effectiveOf(slot);
			this.recordList = out;
		}
		return this.recordList.values();
	}

	/** The counted records of one run, oldest first. */
	runRecords(runId: string): UsageRecord[] {
		const keys = this.runKeys.get(runId);
		if (!keys) return [];
		const out: UsageRecord[] = [];
		for (const k of keys) {
			const slot = this.entries.get(k);
			if (slot !== undefined) out.push(effectiveOf(slot));
		}
		return out.sort((a, b) => a.at - b.at || (a.turn ?? 0) - (b.turn ?? 0));
	}

	/**
	 * The price of `r`, a record this ledger counts (one of `records()`): `costOf(r.key)` without
	 * the lookup by key, which a pass over every counted record pays once per record for nothing
	 * (the pricer is a pure function of the record).
	 */
	priceOf(r: UsageRecord): PricedCost | null {
		return this.price(r);
	}

	/** The price of the record counted for `key` (priced again: the same as when it was counted). */
	costOf(key: string): PricedCost | null {
		const slot = this.entries.get(key);
		return slot === undefined ? null : this.price(effectiveOf(slot));
	}

	/**
	 * One rule for first/last times: those of the records counted now. A replaced or retracted
	 * record at the end of a range left it stale; this recomputes every stale range in one pass
	 * over the counted records (document builders call it first; cheap when nothing is stale).
	 */
	settleRanges(): void {
		const stale = this.staleRanges;
		if (stale.size === 0) return;
		for (const t of stale) {
			t.firstAt = null;
			t.lastAt = null;
		}
		const by = this.by;
		const widen = (t: Totals | undefined, at: number) => {
			if (t === undefined || !stale.has(t)) return;
			if (t.firstAt === null || at < t.firstAt) t.firstAt = at;
			if (t.lastAt === null || at > t.lastAt) t.lastAt = at;
		};
		for (const slot of this.entries.values()) {
			const r = effectiveOf(slot);
			widen(this.totals, r.at);
			widen(by.run.get(r.runId), r.at);
			widen(by.issue.get(r.issue ?? NO_ISSUE), r.at);
			widen(by.model.get(r.model ?? UNKNOWN_MODEL), r.at);
			widen(by.provider.get(r.provider ?? UNKNOWN_MODEL), r.at);
			widen(by.source.get(r.source), r.at);
		}
		for (const t of stale) {
			t.rangeStale = false;
			t.changes++;
		}
		// No revision bump: the records did not change (the hooks keyed on it need not look again);
		// rows caches see `changes`.
		stale.clear();
	}

	private addPathKey(path: string, key: string): void {
		const keys = this.lastPath === path ? this.lastPathKeys : this.keysByPath.get(path);
		if (keys) keys.push(key);
		else this.keysByPath.set(path, (this.lastPathKeys = [key]));
		if (keys) this.lastPathKeys = keys;
		this.lastPath = path;
	}

	/**
	 * Files are retracted whole, so of two versions from the same file only the one the later
	 * wins against (or the first, when the later does not replace it) can ever count: keep that
	 * one. Replaying the kept versions gives the same winner as replaying all of them, since every
	 * dedup rule picks an extreme (first, last, largest) in arrival order.
	 */
	private keepVersion(vs: UsageRecord | UsageRecord[], effective: UsageRecord, r: UsageRecord, choice: Choice): UsageRecord | UsageRecord[] {
		const path = r.origin.path;
		if (!Array.isArray(vs)) {
			if (vs.origin.path !== path) {
				this.addPathKey(path, r.key);
				return [vs, r];
			}
			return (vs === effective ? choice : chooseVersion(vs, r)) === 'replace' ? r : vs;
		}
		for (let i = 0; i < vs.length; i++) {
			const v = vs[i]!;
			if (v.origin.path !== path) continue;
			if ((v === effective ? choice : chooseVersion(v, r)) === 'replace') {
				// The newer version takes the end: the list stays in arrival order.
				vs.splice(i, 1);
				vs.push(r);
			}
			return vs;
		}
		vs.push(r);
		this.addPathKey(path, r.key);
		return vs;
	}

	private price(r: UsageRecord): PricedCost | null {
		return this.pricer ? this.pricer(r) : null;
	}

	/** The record counted for a key changes from `was` to `next` (the slot already says `next`). */
	private setEffective(was: UsageRecord, next: UsageRecord): void {
		this.count(was, this.price(was), -1);
		this.count(next, this.price(next), 1);
	}

	private count(r: UsageRecord, cost: PricedCost | null, sign: 1 | -1): void {
		this.revision++;
		this.recordList = null;
		const cls = recordFidelity(r);
		applyCounted(this.totals, r, cost, sign, cls);
		if (this.totals.rangeStale) this.staleRanges.add(this.totals);
		const rows = this.rows;
		const runTotals = rows[0]!.apply(r.runId, r, cost, sign, cls);
		rows[1]!.apply(r.issue ?? NO_ISSUE, r, cost, sign, cls);
		rows[2]!.apply(r.model ?? UNKNOWN_MODEL, r, cost, sign, cls);
		rows[3]!.apply(r.provider ?? UNKNOWN_MODEL, r, cost, sign, cls);
		rows[4]!.apply(r.source, r, cost, sign, cls);
		if (sign === 1) {
			// `lastAt` only grows, so after the add it equals r.at exactly when r is the run's latest.
			if (r.at >= runTotals!.lastAt!) this.label(r);
			else if (!this.runLabels.has(r.runId)) this.label(r);
		} else if (runTotals === null) {
			this.runLabels.delete(r.runId);
		}
		const index = this.runIndex;
		if (index !== null) {
			let keys = index.get(r.runId);
			if (sign === 1) {
				if (!keys) index.set(r.runId, (keys = new Set()));
				keys.add(r.key);
			} else if (keys) {
				keys.delete(r.key);
				if (keys.size === 0) index.delete(r.runId);
			}
		}
		const minute = Math.floor(r.at / MINUTE) * MINUTE;
		let m = this.lastMinute === minute ? this.lastMinuteBucket : this.minutes.get(minute);
		if (!m) this.minutes.set(minute, (m = {records: 0, tokens: 0, usd: 0}));
		m.records += sign;
		m.tokens += sign * (r.tokens.total ?? 0);
		if (cost !== null && cost.usd !== null) m.usd += sign * cost.usd;
		if (m.records === 0) {
			this.minutes.delete(minute);
			this.lastMinute = null;
			this.lastMinuteBucket = undefined;
		} else {
			this.lastMinute = minute;
			this.lastMinuteBucket = m;
		}
	}

	/** The run's labels from its most recent record; a new object only when something differs. */
	private label(r: UsageRecord): void {
		const was = this.runLabels.get(r.runId);
		const botRole = r.meta?.botRole ?? was?.botRole ?? null;
		const exitReason = r.meta?.exitReason ?? was?.exitReason ?? null;
		if (
			was !== undefined &&
			was.issue === r.issue &&
			was.provider === r.provider &&
			was.model === r.model &&
			was.source === r.source &&
			was.workspace === r.workspace &&
			was.botRole === botRole &&
			was.exitReason === exitReason
		) {
			return;
		}
		this.runLabels.set(r.runId, {issue: r.issue, provider: r.provider, model: r.model, source: r.source, workspace: r.workspace, botRole, exitReason});
	}
}

/** The rows of one dimension, with the last row looked up kept at hand. */
class Rows {
	private lastKey: string | null = null;
	private last: Totals | undefined;

	constructor(
		private readonly map: Map<string, Totals>,
		private readonly stale: Set<Totals>,
	) {}

	/** Adds to the key's row; returns the row while it still has records. */
	apply(key: string, r: UsageRecord, cost: PricedCost | null, sign: 1 | -1, cls: FidelityClass): Totals | null {
		let t = this.lastKey === key ? this.last : this.map.get(key);
		if (t === undefined) this.map.set(key, (t = emptyTotals()));
		applyCounted(t, r, cost, sign, cls);
		if (t.rangeStale) this.stale.add(t);
		if (t.records === 0) {
			this.map.delete(key);
			this.lastKey = null;
			this.last = undefined;
			return null;
		}
		this.lastKey = key;
		this.last = t;
		return t;
	}
}
