/**
 * bosun runs Codex / Copilot / Claude SDK sessions that also write their own transcripts, so the
 * same spend can arrive twice (docs/transcript-formats.md §6.3). The rule:
 *
 * A bosun attempt is COVERED when some transcript record (any source other than bosun, symphony
 * or instrumentation) has a workspace inside the repo root bosun ran in and a timestamp inside
 * the attempt's window (first to last event, ± `slackMs`). A covered attempt's bosun records are
 * dropped: the transcript is finer and is counted instead, and bosun only lends its labels: the
 * transcript records in the window that name no issue get the bosun task id. An attempt nothing
 * covers is counted from bosun (the fallback).
 */
import type {Ledger} from './ledger.js';
import type {UsageRecord} from './record.js';

export const BOSUN_OVERLAP_SLACK_MS = 2 * 60_000;
const NOT_TRANSCRIPTS = new Set(['bosun', 'symphony', 'instrumentation']);

export interface BosunWindow {
	runId: string;
	issue: string | null;
	workspace: string;
	from: number;
	to: number;
}

export interface BosunOverlap {
	/** bosun runIds whose spend is counted from transcripts instead. */
	covered: Set<string>;
	/** Transcript record key → bosun task id, for records that named no issue. */
	attribute: Map<string, string>;
}

export interface BosunOverlapStats {
	coveredRuns: number;
	droppedRecords: number;
	attributedRecords: number;
}

export function isInside(child: string, parent: string): boolean {
	const norm = (p: string) => p.replace(/\\/g, '/').replace(/\/+$/, '');
	const c = norm(child);
	const p = norm(parent);
	return c === p || c.startsWith(`${p}/`);
}

export function bosunWindows(records: Iterable<UsageRecord>, slackMs = BOSUN_OVERLAP_SLACK_MS): BosunWindow[] {
	const byRun = new Map<string, BosunWindow>();
	for (const r of records) {
		if (r.source !== 'bosun' || r.workspace === null) continue;
		const from = (r.startedAt ?? r.at) - slackMs;
		const to = r.at + slackMs;
		const w = byRun.get(r.runId);
		if (!w) byRun.set(r.runId, {runId: r.runId, issue: r.issue, workspace: r.workspace, from, to});
		else {
			w.from = Math.min(w.from, from);
			w.to = Math.max(w.to, to);
		}
	}
	return [...byRun.values()];
}

export function findBosunOverlap(records: readonly UsageRecord[], slackMs = BOSUN_OVERLAP_SLACK_MS): BosunOverlap {
	const windows = bosunWindows(records, slackMs);
	const covered = new Set<string>();
	const attribute = new Map<string, string>();
	if (windows.length === 0) return {covered, attribute};
	for (const r of records) {
		if (NOT_TRANSCRIPTS.has(r.source) || r.workspace === null) continue;
		for (const w of windows) {
			if (r.at < w.from || r.at > w.to || !isInside(r.workspace, w.workspace)) continue;
			covered.add(w.runId);
			if (r.issue === null && w.issue !== null && !attribute.has(r.key)) attribute.set(r.key, w.issue);
		}
	}
	return {covered, attribute};
}

/**
 * Applies the rule to a filled ledger (one-shot reads): retracts the files holding covered bosun
 * records or attributed transcript records and adds their records back, changed.
 */
export function applyBosunOverlap(ledger: Ledger, slackMs = BOSUN_OVERLAP_SLACK_MS): BosunOverlapStats {
	const records = [...ledger.records()];
	const {covered, attribute} = findBosunOverlap(records, slackMs);
	const stats: BosunOverlapStats = {coveredRuns: covered.size, droppedRecords: 0, attributedRecords: 0};
	if (covered.size === 0 && attribute.size === 0) return stats;
	const touched = new Set<string>();
	for (const r of records) {
		if ((r.source === 'bosun' && covered.has(r.runId)) || attribute.has(r.key)) touched.add(r.origin.path);
	}
	for (const path of touched) {
		const fromFile = records.filter((r) => r.origin.path === path);
		ledger.retractFile(path);
		for (const r of fromFile) {
			if (r.source === 'bosun' && covered.has(r.runId)) {
				stats.droppedRecords++;
				continue;
			}
			const issue = attribute.get(r.key);
			if (issue !== undefined) stats.attributedRecords++;
			ledger.addOne(issue === undefined ? r : {...r, issue});
		}
	}
	return stats;
}
