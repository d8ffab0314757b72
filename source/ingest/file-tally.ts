/**
 * What the tracked files add up to, per root: files, records read, bytes, problems and the last
 * change (`SourceNumbers`), and the one problem log of every file read. The engine's `tally`
 * (ingest/engine.ts) and each root's problems for `burn sources` count them the same way here.
 */
import {ProblemLog} from '../core/problems.js';
import type {SourceNumbers} from '../core/source-numbers.js';
import type {SourceRoot} from '../sources/types.js';
import type {FileTracker} from './file-tracker.js';

/**
 * Per-root numbers and the one problem log (record files in reading order, one `incomplete-line`
 * per file whose last line waits for its LF; then bosun's alerts files).
 */
export function tallyFiles(roots: readonly SourceRoot[], files: Iterable<{tracker: FileTracker; root: SourceRoot}>, alerts: Iterable<FileTracker>): {sources: SourceNumbers[]; problems: ProblemLog} {
	const byRoot = new Map<SourceRoot, SourceNumbers>();
	for (const root of roots) {
		byRoot.set(root, {kind: root.kind, path: root.path, via: root.via, explicit: root.explicit, files: 0, records: 0, problems: 0, bytes: 0, lastChangeAt: null});
	}
	const problems = new ProblemLog();
	for (const {tracker, root} of files) {
		const fileProblems = addFileProblems(problems, tracker);
		const s = byRoot.get(root);
		if (!s) continue;
		if (!tracker.deleted) s.files++;
		s.records += tracker.records.length + tracker.folded + tracker.ghostRecords;
		s.problems += fileProblems;
		// Bytes on disk: a line file's read so far, a document's (OpenCode's database) whole size.
		if (!tracker.deleted) s.bytes += tracker.reader.type === 'lines' ? tracker.offset + tracker.tailBytes : (tracker.identity?.size ?? 0);
		if (tracker.lastChangeAt !== null && (s.lastChangeAt === null || tracker.lastChangeAt > s.lastChangeAt)) s.lastChangeAt = tracker.lastChangeAt;
	}
	for (const a of alerts) if (!a.deleted) problems.merge(a.problems);
	return {sources: [...byRoot.values()], problems};
}

/** The problems of some files, as `tallyFiles` counts them. */
export function filesProblems(trackers: Iterable<FileTracker>): ProblemLog {
	const problems = new ProblemLog();
	for (const tracker of trackers) addFileProblems(problems, tracker);
	return problems;
}

/** Adds one file's problems to the log, and an `incomplete-line` when its last line waits for its LF; returns how many. */
function addFileProblems(log: ProblemLog, tracker: FileTracker): number {
	log.merge(tracker.problems);
	if (tracker.tailBytes === 0 || tracker.deleted) return tracker.problems.count;
	log.add({
		kind: 'incomplete-line',
		path: tracker.path,
		line: tracker.line,
		reason: `last line has no newline (${tracker.tailBytes} bytes): an incomplete record, skipped until it is finished`,
	});
	return tracker.problems.count + 1;
}
