/**
 * Counting once: the one step between the raw ledger (every record read, deduplicated) and the
 * ledger that counts. `summary` (commands/collect.ts) and the live engine (ingest/counted-view.ts)
 * both call `countLedgerOnce`, so `watch` and `summary --once` count the same records:
 *
 * 1. bosun's rule (core/bosun-overlap.ts): an attempt covered by transcripts is dropped and only
 *    lends its task id to the transcript records in its window that name no issue;
 * 2. usage.jsonl's rule (core/overlap.ts): a turn covered by transcript calls is replaced by them;
 * 3. filters and prices (the ledger options).
 *
 * The raw ledger is never changed: the engine keeps retracting files from it.
 */
import {findBosunOverlap, type BosunOverlapStats} from './bosun-overlap.js';
import {Ledger, type LedgerOptions} from './ledger.js';
import {resolveOverlap, type OverlapReport, type ReattributionCache} from './overlap.js';
import type {ProblemKind} from './problems.js';
import type {SourceKind, UsageRecord} from './record.js';
import type {SummaryJson} from './summary.js';

export interface CountOnceOptions extends LedgerOptions {
	/**
	 * The raw ledger already counts with `pricer` (and has no filter): when no rule changes a
	 * record and no filter is asked for, it is returned as is instead of re-counted.
	 */
	rawCounts?: boolean;
	/** Kept by a caller that counts again and again (the live view): re-attributed copies are reused. */
	cache?: CountOnceCache;
}

export interface CountOnceCache {
	overlap: ReattributionCache;
	/** bosun's task id lent to a transcript record: the copy, by source record. */
	bosun: WeakMap<UsageRecord, UsageRecord>;
}

export const countOnceCache = (): CountOnceCache => ({overlap: new WeakMap(), bosun: new WeakMap()});

export interface CountedLedger {
	ledger: Ledger;
	overlap: OverlapReport;
	bosun: BosunOverlapStats;
}

export const noBosunOverlap = (): BosunOverlapStats => ({coveredRuns: 0, droppedRecords: 0, attributedRecords: 0});

export function countLedgerOnce(raw: Ledger, options: CountOnceOptions = {}): CountedLedger {
	let records: UsageRecord[] = [...raw.records()];
	const bosun = noBosunOverlap();
	if (records.some((r) => r.source === 'bosun')) {
		const {covered, attribute} = findBosunOverlap(records);
		bosun.coveredRuns = covered.size;
		if (covered.size > 0 || attribute.size > 0) {
			const kept: UsageRecord[] = [];
			for (const r of records) {
				if (r.source === 'bosun' && covered.has(r.runId)) {
					bosun.droppedRecords++;
					continue;
				}
				const issue = attribute.get(r.key);
				if (issue === undefined) kept.push(r);
				else {
					bosun.attributedRecords++;
					let copy = options.cache?.bosun.get(r);
					if (!copy || copy.issue !== issue) {
						copy = {...r, issue};
						options.cache?.bosun.set(r, copy);
					}
					kept.push(copy);
				}
			}
			records = kept;
		}
	}
	const {records: counted, report} = resolveOverlap(records, undefined, options.cache?.overlap);
	const changed = bosun.droppedRecords > 0 || bosun.attributedRecords > 0 || report.coveredTurns > 0;
	if (!changed && options.rawCounts && !options.accept) return {ledger: raw, overlap: report, bosun};
	const ledger = new Ledger({pricer: options.pricer, accept: options.accept});
	ledger.add(counted);
	copyConflicts(raw, ledger);
	return {ledger, overlap: report, bosun};
}

/** Dedup conflicts were found while reading; the ledger that counts keeps them (counts included). */
function copyConflicts(from: Ledger, to: Ledger): void {
	const src = from.conflicts;
	to.conflicts.addAll(src.items);
	to.conflicts.count += src.count - src.items.length;
	for (const [kind, n] of Object.entries(src.byKind)) {
		const k = kind as ProblemKind;
		const listed = src.items.filter((p) => p.kind === k).length;
		to.conflicts.byKind[k] = (to.conflicts.byKind[k] ?? 0) + (n ?? 0) - listed;
	}
}

/**
 * The cheap part of `annotateSources` (core/overlap.ts) for the live view: records per source
 * from the ledger's own totals, and the overlap report. Per-bucket `sources` need a pass over
 * every record, so only `summary` adds them.
 */
export function annotateCounting(doc: SummaryJson, ledger: Ledger, overlap: OverlapReport | null): void {
	const total: Partial<Record<SourceKind, number>> = {};
	for (const [kind, t] of ledger.by.source) if (t.records > 0) total[kind as SourceKind] = t.records;
	doc.totals.sources = total;
	if (overlap && overlap.candidateTurns > 0) doc.overlap = {...overlap};
}

// Kept in step with core/overlap.ts (TRANSCRIPT_KINDS) and core/bosun-overlap.ts (NOT_TRANSCRIPTS).
const OVERLAP_TRANSCRIPTS: ReadonlySet<SourceKind> = new Set(['claude', 'codex', 'opencode', 'gemini']);
const NOT_BOSUN_TRANSCRIPTS: ReadonlySet<SourceKind> = new Set(['bosun', 'symphony', 'instrumentation']);

const TURN = 0;
const TRANSCRIPT = 1;
const BOSUN = 2;
const BOSUN_TRANSCRIPT = 3;

/**
 * Says, without a pass over the ledger, whether a rule could change anything: fed every record
 * the raw ledger is fed, per file. Counts only go down when a file is retracted, so they can be
 * too high (a record seen twice), never too low: "no" is always right, "maybe" costs a re-count.
 */
export class CountingGate {
	private readonly byPath = new Map<string, number[]>();
	private readonly total = [0, 0, 0, 0];

	note(r: UsageRecord): void {
		if (r.workspace === null || r.workspace === undefined) return;
		let kind: number;
		if (r.source === 'symphony') {
			if (r.startedAt === null) return;
			kind = TURN;
		} else if (r.source === 'bosun') kind = BOSUN;
		else if (OVERLAP_TRANSCRIPTS.has(r.source)) kind = TRANSCRIPT;
		else if (!NOT_BOSUN_TRANSCRIPTS.has(r.source)) kind = BOSUN_TRANSCRIPT;
		else return;
		let counts = this.byPath.get(r.origin.path);
		if (!counts) this.byPath.set(r.origin.path, (counts = [0, 0, 0, 0]));
		counts[kind]!++;
		this.total[kind]!++;
	}

	retract(path: string): void {
		const counts = this.byPath.get(path);
		if (!counts) return;
		this.byPath.delete(path);
		for (let i = 0; i < counts.length; i++) this.total[i]! -= counts[i]!;
	}

	/** usage.jsonl turns that name a workspace may be present (the overlap report counts them). */
	get turns(): boolean {
		return this.total[TURN]! > 0;
	}

	/** A rule could drop or re-attribute a record. */
	get mayApply(): boolean {
		const transcripts = this.total[TRANSCRIPT]! + this.total[BOSUN_TRANSCRIPT]!;
		return (this.total[TURN]! > 0 && this.total[TRANSCRIPT]! > 0) || (this.total[BOSUN]! > 0 && transcripts > 0);
	}
}
