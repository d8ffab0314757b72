/**
 * The counting coalescer: the live engine's ledger that counts (count-once.ts), kept next to the
 * raw ledger.
 *
 * The raw ledger stays the source of truth (files are retracted from it); what the snapshot
 * shows is `countOnce(raw)`. That re-count is a pass over every record, so it runs only
 * when a rule can matter (the gate: usage.jsonl turns with a workspace and transcripts, or bosun
 * attempts and transcripts, or a filter) and then at most once per interval: between re-counts
 * the snapshot shows the last count (consistent, a moment old) and says when the next is due.
 * Transcripts only, or usage.jsonl only: the raw ledger counts as is, nothing extra runs.
 *
 * Records no rule can touch (`inert`: no workspace, or a usage.jsonl line that is no turn) that
 * only add new keys are added to the last count at once instead of waiting for the next re-count:
 * a re-count would keep them as they are, so the shown count is the same, just not a second old.
 */
import type {Ledger} from '../ledger.js';
import type {UsageRecord} from '../record.js';
import type {Pricer} from '../totals.js';
import {noBosunRuleStats, type BosunRuleStats} from './bosun-rule.js';
import {countOnce, countOnceCache, type Counted} from './count-once.js';
import {CountingGate} from './gate.js';
import type {UsageRuleReport} from './usage-rule.js';

/** Re-counts are at least this far apart in watch (and 4× the last re-count's cost: at most a fifth of a core). */
export const DEFAULT_RECOUNT_INTERVAL_MS = 1000;

/**
 * A record the rules pass through unchanged whatever else was read, and that changes nothing
 * they decide: not a bosun record (a covered attempt drops all of its run's, with or without a
 * workspace), not a usage.jsonl turn that names a workspace, not a transcript call with one.
 */
export function inert(r: UsageRecord): boolean {
	if (r.source === 'bosun') return false;
	if (r.source === 'symphony') return !r.workspace || r.startedAt === null;
	return r.workspace === null || r.workspace === undefined;
}

export interface CountingState {
	ledger: Ledger;
	/** The usage.jsonl rule's report; null while no usage.jsonl turn names a workspace. */
	usage: UsageRuleReport | null;
	bosun: BosunRuleStats;
	/** The raw ledger changed since this count: a new one is due at this clock time (ms). */
	dueAt: number | null;
}

export interface CoalescerOptions {
	pricer?: Pricer;
	accept?: (r: UsageRecord) => boolean;
	/** Minimum time between re-counts (0: re-count on every change, for one-shot reads). */
	intervalMs?: number;
	/** Monotonic clock for the coalescing only (never for rules); default performance.now. */
	clock?: () => number;
}

export class CountingCoalescer {
	readonly gate = new CountingGate();
	/** Re-counts done and the time the last took (ms), for tests and the bench. */
	recounts = 0;
	lastCostMs = 0;
	private last: {state: Counted; revision: number; at: number} | null = null;
	private report: {usage: UsageRuleReport; revision: number; at: number} | null = null;
	private readonly intervalMs: number;
	private readonly clock: () => number;
	private readonly cache = countOnceCache();
	/**
	 * Inert records with new keys added through `add` since the last count, while every change to
	 * the raw ledger since then was one of them (`tailRevision` is the raw revision after the last);
	 * null once anything else changed it: only a re-count is right then.
	 */
	private tail: UsageRecord[] | null = [];
	private tailRevision = -1;

	constructor(
		private readonly raw: Ledger,
		private readonly options: CoalescerOptions = {},
	) {
		this.intervalMs = options.intervalMs ?? DEFAULT_RECOUNT_INTERVAL_MS;
		this.clock = options.clock ?? (() => performance.now());
	}

	/** Adds a record read to the raw ledger and the gate (the engine's sink; tests may feed both directly). */
	add(r: UsageRecord): void {
		const {raw} = this;
		const before = raw.revision;
		const size = raw.size;
		raw.addOne(r);
		this.gate.note(r);
		if (this.tail === null) return;
		const known = before === (this.tail.length > 0 ? this.tailRevision : this.report?.revision);
		// Anything else (a duplicate, a version that replaces one, a record a rule may touch, a change
		// not made here) leaves it to the next re-count.
		if (known && raw.size === size + 1 && inert(r)) {
			this.tail.push(r);
			this.tailRevision = raw.revision;
		} else this.tail = null;
	}

	/** The inert records since the last count join it (when nothing else changed the raw ledger). */
	private absorbTail(): void {
		const {tail, raw} = this;
		if (tail === null || tail.length === 0 || this.tailRevision !== raw.revision) return;
		const last = this.last;
		if (last && last.revision !== raw.revision) {
			if (last.state.ledger !== raw) {
				last.state.ledger.add(tail);
				last.state.ledger.revision = raw.revision;
			}
			last.revision = raw.revision;
		}
		if (this.report) this.report.revision = raw.revision;
		this.tail = [];
	}

	current(): CountingState {
		const {raw} = this;
		this.absorbTail();
		if (!this.options.accept && !this.gate.mayApply) {
			if (!this.gate.turns) return {ledger: raw, usage: null, bosun: noBosunRuleStats(), dueAt: null};
			// usage.jsonl only: the raw ledger counts (always fresh); only the report's turn count is re-read.
			const r = this.report;
			if (r && r.revision === raw.revision) return {ledger: raw, usage: r.usage, bosun: noBosunRuleStats(), dueAt: null};
			if (r && this.clock() < this.due(r.at)) return {ledger: raw, usage: r.usage, bosun: noBosunRuleStats(), dueAt: this.due(r.at)};
			const {usage} = this.recount();
			return {ledger: raw, usage, bosun: noBosunRuleStats(), dueAt: null};
		}
		const last = this.last;
		if (last && last.revision === raw.revision) return this.state(last.state, null);
		if (last && this.clock() < this.due(last.at)) return this.state(last.state, this.due(last.at));
		return this.state(this.recount(), null);
	}

	private due(at: number): number {
		return at + Math.max(this.intervalMs, 4 * this.lastCostMs);
	}

	private recount(): Counted {
		const revision = this.raw.revision;
		const started = this.clock();
		const state = countOnce(this.raw, {pricer: this.options.pricer, accept: this.options.accept, rawCounts: true, cache: this.cache});
		// A fresh ledger's own revision restarts from its record count: carry the raw one, which only
		// grows, so views keyed on `revision` (the flag hook) see every re-count as a change.
		if (state.ledger !== this.raw) state.ledger.revision = revision;
		const at = this.clock();
		this.lastCostMs = at - started;
		this.recounts++;
		this.last = {state, revision, at};
		this.report = {usage: state.usage, revision, at};
		this.tail = [];
		return state;
	}

	private state(s: Counted, dueAt: number | null): CountingState {
		return {ledger: s.ledger, usage: s.usage.candidateTurns > 0 ? s.usage : null, bosun: s.bosun, dueAt};
	}
}
