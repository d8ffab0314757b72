/**
 * Which issue a transcript record belongs to, from its working directory. A transcript session
 * is a run; its issue comes from the workspace path. Default patterns match Symphony workspaces
 * (`…/symphony_workspaces/<ID>`, `<repo>/.symphony/workspaces/<ID>`); `--issue-pattern <regex>`
 * (one capture group) adds others. No match: the NO_ISSUE "(none)" row (the same name in text, JSON and backfill), still counted.
 */
import type {UsageRecord} from './record.js';

export const DEFAULT_ISSUE_PATTERNS: readonly RegExp[] = [
	/[\\/]symphony_workspaces[\\/]([^\\/]+)/,
	/[\\/]\.symphony[\\/]workspaces[\\/]([^\\/]+)/,
];

/** Parses `--issue-pattern` values; returns an error message for a bad one. */
export function parseIssuePattern(source: string): {ok: true; pattern: RegExp} | {ok: false; error: string} {
	let re: RegExp;
	try {
		re = new RegExp(source);
	} catch (error) {
		return {ok: false, error: `--issue-pattern "${source}" is not a valid regular expression: ${(error as Error).message}`};
	}
	const groups = new RegExp(`${re.source}|`).exec('')!.length - 1;
	if (groups < 1) return {ok: false, error: `--issue-pattern "${source}" needs one capture group around the issue id, e.g. "/work/([A-Z]+-\\d+)"`};
	return {ok: true, pattern: re};
}

export function issueFromWorkspace(workspace: string | null, patterns: readonly RegExp[]): string | null {
	if (!workspace) return null;
	for (const p of patterns) {
		const m = p.exec(workspace);
		if (m?.[1]) return m[1];
	}
	return null;
}

/** Fills `issue` from the workspace when the source did not name one. Records are never mutated. */
export function attributeIssue(r: UsageRecord, patterns: readonly RegExp[]): UsageRecord {
	if (r.issue !== null) return r;
	const issue = issueFromWorkspace(r.workspace, patterns);
	return issue === null ? r : {...r, issue};
}
