/**
 * Builds the immutable snapshot the store publishes: the summary document, per-minute spend for
 * the last 24 hours, per-root status and (when a detector is hooked in) flags.
 */
import type {BosunOverlapStats} from '../core/bosun-overlap.js';
import {annotateCounting} from '../core/count-once.js';
import type {Flag} from '../core/flags.js';
import type {Ledger} from '../core/ledger.js';
import type {OverlapReport} from '../core/overlap.js';
import {ProblemLog, type Problem} from '../core/problems.js';
import type {LiveSnapshot, MinutePoint, SourceStatus} from '../core/snapshot.js';
import {buildSummary, type SourceJson} from '../core/summary.js';
import type {SourceRoot} from '../sources/types.js';
import {mergeInto} from './file-problems.js';
import type {FileTracker} from './file-tracker.js';

export interface TrackedFile {
	tracker: FileTracker;
	root: SourceRoot;
}

export interface SnapshotInput {
	/** The ledger that counts (after the count-once rules and filters; ingest/counted-view.ts). */
	ledger: Ledger;
	/** What the count-once rules did; absent: the ledger is the raw one and no rule could apply. */
	counting?: {overlap: OverlapReport | null; bosun: BosunOverlapStats; stale: boolean};
	/** Flags from outside burn's rules (bosun's alerts, `external: 'bosun'`), already live. */
	externalFlags?: readonly Flag[];
	/** Problems of files that are not record sources (bosun's alerts file). */
	extraProblems?: readonly Problem[];
	files: Iterable<TrackedFile>;
	roots: readonly SourceRoot[];
	missing: readonly SourceRoot[];
	now: number;
	ready: boolean;
	priced: boolean;
	filters?: {since: number | null; until: number | null; issue: string | null};
	warnings: readonly string[];
	detectFlags?: (ledger: Ledger, now: number) => Flag[];
}

const DAY = 24 * 60 * 60_000;

/** Every file's problems merged, plus one `incomplete-line` per file whose last line waits for its LF. */
export function fileProblemLog(files: Iterable<TrackedFile>, perFile?: (f: TrackedFile, count: number) => void): ProblemLog {
	const problems = new ProblemLog();
	for (const f of files) {
		const {tracker} = f;
		mergeInto(problems, tracker.problems);
		let count = tracker.problems.count;
		if (tracker.tailBytes > 0 && !tracker.deleted) {
			count++;
			problems.add({
				kind: 'incomplete-line',
				path: tracker.path,
				line: tracker.line,
				reason: `last line has no newline (${tracker.tailBytes} bytes): an incomplete record, skipped until it is finished`,
			});
		}
		perFile?.(f, count);
	}
	return problems;
}

/** Per-root status (files, records, problems, last change) and the merged problem log. */
export function rootStatus(roots: readonly SourceRoot[], files: Iterable<TrackedFile>): {status: Map<SourceRoot, SourceStatus>; problems: ProblemLog} {
	const status = new Map<SourceRoot, SourceStatus>();
	for (const root of roots) {
		status.set(root, {kind: root.kind, path: root.path, files: 0, records: 0, problems: 0, lastChangeAt: null});
	}
	const problems = fileProblemLog(files, ({tracker, root}, fileProblems) => {
		const s = status.get(root);
		if (!s) return;
		if (!tracker.deleted) s.files++;
		s.records += tracker.records.length + tracker.folded + tracker.ghostRecords;
		s.problems += fileProblems;
		if (tracker.lastChangeAt !== null && (s.lastChangeAt === null || tracker.lastChangeAt > s.lastChangeAt)) {
			s.lastChangeAt = tracker.lastChangeAt;
		}
	});
	return {status, problems};
}

export function buildLiveSnapshot(input: SnapshotInput): LiveSnapshot {
	const {ledger, now} = input;
	const {status, problems} = rootStatus(input.roots, input.files);
	if (input.extraProblems) problems.addAll(input.extraProblems);
	const sources = [...status.values()];
	const doc = buildSummary({
		ledger,
		sources: [...status].map(([root, s]): SourceJson => ({kind: root.kind, path: s.path, files: s.files, records: s.records, problems: s.problems})),
		missing: input.missing.map((m) => ({kind: m.kind, path: m.path})),
		problems,
		filters: input.filters,
		priced: input.priced,
		now: new Date(now),
	});
	for (const w of input.warnings) doc.warnings.push(w);
	annotateCounting(doc, ledger, input.counting?.overlap ?? null);
	const minutes: MinutePoint[] = [];
	for (const [minute, b] of ledger.minutes) {
		if (minute >= now - DAY) minutes.push({minute, records: b.records, tokens: b.tokens, usd: b.usd});
	}
	minutes.sort((a, b) => a.minute - b.minute);
	return {
		revision: ledger.revision,
		now,
		doc,
		minutes,
		flags: [...(input.detectFlags ? input.detectFlags(ledger, now) : []), ...(input.externalFlags ?? [])],
		sources,
		ledger,
		ready: input.ready,
		...(input.counting ? {counting: input.counting} : {}),
	};
}
