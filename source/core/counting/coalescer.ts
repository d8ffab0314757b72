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

	constructor(
		private readonly raw: Ledger,
		private readonly options: CoalescerOptions = {},
	) {
		this.intervalMs = options.intervalMs ?? DEFAULT_RECOUNT_INTERVAL_MS;
		this.clock = options.clock ?? (() => performance.now());
	}

	current(): CountingState {
		const {raw} = this;
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
		return state;
	}

	private state(s: Counted, dueAt: number | null): CountingState {
		return {ledger: s.ledger, usage: s.usage.candidateTurns > 0 ? s.usage : null, bosun: s.bosun, dueAt};
	}
}
