/**
 * The bosun rule (one of the two counting-once rules, core/counting/count-once.ts).
 *
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
import type {SourceKind, UsageRecord} from '../record.js';

export const BOSUN_RULE_SLACK_MS = 2 * 60_000;
/** Sources whose records are not transcripts: they never cover a bosun attempt. */
export const BOSUN_RULE_NOT_TRANSCRIPTS: ReadonlySet<SourceKind> = new Set(['bosun', 'symphony', 'instrumentation']);

export interface BosunWindow {
	runId: string;
	issue: string | null;
	workspace: string;
	from: number;
	to: number;
}

export interface BosunRuleMatch {
	/** bosun runIds whose spend is counted from transcripts instead. */
	covered: Set<string>;
	/** Transcript record key → bosun task id, for records that named no issue. */
	attribute: Map<string, string>;
}

export interface BosunRuleStats {
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

export function bosunWindows(records: Iterable<UsageRecord>, slackMs = BOSUN_RULE_SLACK_MS): BosunWindow[] {
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

export function matchBosunRule(records: readonly UsageRecord[], slackMs = BOSUN_RULE_SLACK_MS): BosunRuleMatch {
	const windows = bosunWindows(records, slackMs);
	const covered = new Set<string>();
	const attribute = new Map<string, string>();
	if (windows.length === 0) return {covered, attribute};
	for (const r of records) {
		if (BOSUN_RULE_NOT_TRANSCRIPTS.has(r.source) || r.workspace === null) continue;
		for (const w of windows) {
			if (r.at < w.from || r.at > w.to || !isInside(r.workspace, w.workspace)) continue;
			covered.add(w.runId);
			if (r.issue === null && w.issue !== null && !attribute.has(r.key)) attribute.set(r.key, w.issue);
		}
	}
	return {covered, attribute};
}

export const noBosunRuleStats = (): BosunRuleStats => ({coveredRuns: 0, droppedRecords: 0, attributedRecords: 0});
