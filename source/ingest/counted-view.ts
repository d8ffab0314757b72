/**
 * The live engine's ledger that counts (core/count-once.ts), kept next to the raw ledger.
 *
 * The raw ledger stays the source of truth (files are retracted from it); what the snapshot
 * shows is `countLedgerOnce(raw)`. That re-count is a pass over every record, so it runs only
 * when a rule can matter (the gate: usage.jsonl turns with a workspace and transcripts, or bosun
 * attempts and transcripts, or a filter) and then at most once per interval: between re-counts
 * the snapshot shows the last count (consistent, a moment old) and says when the next is due.
 * Transcripts only, or usage.jsonl only: the raw ledger counts as is, nothing extra runs.
 */
import {statSync} from 'node:fs';
import {basename, dirname, join} from 'node:path';
import {countLedgerOnce, countOnceCache, CountingGate, noBosunOverlap, type CountedLedger} from '../core/count-once.js';
import type {BosunOverlapStats} from '../core/bosun-overlap.js';
import type {Flag} from '../core/flags.js';
import type {Ledger} from '../core/ledger.js';
import type {OverlapReport} from '../core/overlap.js';
import type {Problem, ProblemLog} from '../core/problems.js';
import type {UsageRecord} from '../core/record.js';
import type {Pricer} from '../core/totals.js';
import {BOSUN_ALERTS_FILE, readBosunAlerts} from '../sources/bosun-alerts.js';
import type {SourceRoot} from '../sources/types.js';

/** Re-counts are at least this far apart in watch (and 4× the last re-count's cost: at most a fifth of a core). */
export const DEFAULT_RECOUNT_INTERVAL_MS = 1000;

export interface CountedState {
	ledger: Ledger;
	/** The usage.jsonl overlap report; null while no usage.jsonl turn names a workspace. */
	overlap: OverlapReport | null;
	bosun: BosunOverlapStats;
	/** The raw ledger changed since this count: a new one is due at this clock time (ms). */
	dueAt: number | null;
}

export interface CountedViewOptions {
	pricer?: Pricer;
	accept?: (r: UsageRecord) => boolean;
	/** Minimum time between re-counts (0: re-count on every change, for one-shot reads). */
	intervalMs?: number;
	/** Monotonic clock for the coalescing only (never for rules); default performance.now. */
	clock?: () => number;
}

export class CountedView {
	readonly gate = new CountingGate();
	/** Re-counts done and the time the last took (ms), for tests and the bench. */
	recounts = 0;
	lastCostMs = 0;
	private last: {state: CountedLedger; revision: number; at: number} | null = null;
	private report: {overlap: OverlapReport; revision: number; at: number} | null = null;
	private readonly intervalMs: number;
	private readonly clock: () => number;
	private readonly cache = countOnceCache();

	constructor(
		private readonly raw: Ledger,
		private readonly options: CountedViewOptions = {},
	) {
		this.intervalMs = options.intervalMs ?? DEFAULT_RECOUNT_INTERVAL_MS;
		this.clock = options.clock ?? (() => performance.now());
	}

	current(): CountedState {
		const {raw} = this;
		if (!this.options.accept && !this.gate.mayApply) {
			if (!this.gate.turns) return {ledger: raw, overlap: null, bosun: noBosunOverlap(), dueAt: null};
			// usage.jsonl only: the raw ledger counts (always fresh); only the report's turn count is re-read.
			const r = this.report;
			if (r && r.revision === raw.revision) return {ledger: raw, overlap: r.overlap, bosun: noBosunOverlap(), dueAt: null};
			if (r && this.clock() < this.due(r.at)) return {ledger: raw, overlap: r.overlap, bosun: noBosunOverlap(), dueAt: this.due(r.at)};
			const {overlap} = this.recount();
			return {ledger: raw, overlap, bosun: noBosunOverlap(), dueAt: null};
		}
		const last = this.last;
		if (last && last.revision === raw.revision) return this.state(last.state, null);
		if (last && this.clock() < this.due(last.at)) return this.state(last.state, this.due(last.at));
		return this.state(this.recount(), null);
	}

	private due(at: number): number {
		return at + Math.max(this.intervalMs, 4 * this.lastCostMs);
	}

	private recount(): CountedLedger {
		const revision = this.raw.revision;
		const started = this.clock();
		const state = countLedgerOnce(this.raw, {pricer: this.options.pricer, accept: this.options.accept, rawCounts: true, cache: this.cache});
		// A fresh ledger's own revision restarts from its record count: carry the raw one, which only
		// grows, so views keyed on `revision` (the flag hook) see every re-count as a change.
		if (state.ledger !== this.raw) state.ledger.revision = revision;
		const at = this.clock();
		this.lastCostMs = at - started;
		this.recounts++;
		this.last = {state, revision, at};
		this.report = {overlap: state.overlap, revision, at};
		return state;
	}

	private state(s: CountedLedger, dueAt: number | null): CountedState {
		return {ledger: s.ledger, overlap: s.overlap.candidateTurns > 0 ? s.overlap : null, bosun: s.bosun, dueAt};
	}
}

/** Only bosun alerts this recent join the live flags (the same horizon as burn's own live flags). */
export const LIVE_EXTERNAL_MS = 10 * 60_000;

interface AlertsFile {
	path: string;
	stamp: string | null;
	flags: Flag[];
	problems: Problem[];
}

/**
 * bosun's `agent-alerts.jsonl`, one per bosun root, as external flags. Not a record source, so
 * the trackers do not read it: it is re-read here when its size, mtime or inode changed.
 */
export class BosunAlertFiles {
	private readonly files = new Map<string, AlertsFile>();

	/** Adds the alerts file of every bosun root not seen yet. */
	track(roots: readonly SourceRoot[]): void {
		for (const root of roots) {
			if (root.kind !== 'bosun') continue;
			const path = join(root.path, BOSUN_ALERTS_FILE);
			if (!this.files.has(path)) this.files.set(path, {path, stamp: null, flags: [], problems: []});
		}
	}

	/** A file event for an alerts file (the watcher sees its directory). */
	isAlertsFile(path: string): boolean {
		return basename(path) === BOSUN_ALERTS_FILE && this.files.has(join(dirname(path), BOSUN_ALERTS_FILE));
	}

	/** Stats each file and re-reads the changed ones; true when any changed. */
	refresh(): boolean {
		let changed = false;
		for (const f of this.files.values()) {
			const stamp = stampOf(f.path);
			if (stamp === f.stamp) continue;
			f.stamp = stamp;
			const read = stamp === null ? {flags: [], problems: []} : readBosunAlerts(f.path);
			f.flags = read.flags;
			f.problems = read.problems;
			changed = true;
		}
		return changed;
	}

	get size(): number {
		return this.files.size;
	}

	flags(): Flag[] {
		const out: Flag[] = [];
		for (const f of this.files.values()) out.push(...f.flags);
		return out;
	}

	problems(): Problem[] {
		const out: Problem[] = [];
		for (const f of this.files.values()) out.push(...f.problems);
		return out;
	}
}

function stampOf(path: string): string | null {
	try {
		const s = statSync(path);
		return `${s.ino}:${s.size}:${s.mtimeMs}`;
	} catch {
		return null;
	}
}

/** bosun's alerts as `collectSummary` returns them (`bosun.externalFlags`), their problems into `problems`. */
export function readBosunExternalFlags(roots: readonly SourceRoot[], problems: ProblemLog): Flag[] {
	const files = new BosunAlertFiles();
	files.track(roots);
	files.refresh();
	problems.addAll(files.problems());
	return files.flags();
}
