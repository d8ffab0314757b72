/**
 * When two records share a dedup key, which one counts? One rule per source kind, so the
 * ledger stays source-agnostic.
 */
import type {Problem, ProblemLog} from './problems.js';
import type {SourceKind, UsageRecord} from './record.js';
import {recordTokenMass} from './totals.js';

export type Choice = 'keep' | 'replace' | 'conflict';

/**
 * Sources whose later copy never replaces the one counted: a repeated record counts once; the same
 * key with other numbers is a conflict (the first stays). `versionsReplace` is false for them.
 */
const FIRST_STAYS: ReadonlySet<SourceKind> = new Set<SourceKind>(['symphony', 'bosun', 'instrumentation']);

/** `current` counts now; `next` arrived later with the same key. */
export function chooseVersion(current: UsageRecord, next: UsageRecord): Choice {
	if (FIRST_STAYS.has(next.source)) return sameUsage(current, next) ? 'keep' : 'conflict';
	switch (next.source) {
		case 'claude': {
			// Streaming writes one line per content block; the last carries the final output count.
			// A sidechain copy of the same request (a `/btw` side question replays the parent's entries
			// with their uuid, message id and requestId, and may hold the finished usage where the
			// parent's last copy is a partial snapshot) competes on size like any copy. Only a
			// sidechain replay of another request, or of one it cannot tell, loses to the main row.
			const cs = current.meta?.sidechain === true;
			const ns = next.meta?.sidechain === true;
			if (cs !== ns && !sameRequest(current, next)) return cs ? 'replace' : 'keep';
			return recordTokenMass(next) > recordTokenMass(current) ? 'replace' : 'keep';
		}
		case 'opencode': {
			// The same message can be in the SQLite store and the legacy JSON tree: the DB row wins.
			const cdb = current.origin.path.endsWith('.db');
			const ndb = next.origin.path.endsWith('.db');
			if (cdb !== ndb) return cdb ? 'keep' : 'replace';
			return 'replace';
		}
		default:
			// Gemini rewrites a message with its tokens later; OpenCode rows are updated in place: last wins.
			return 'replace';
	}
}

/**
 * Whether a later copy of a record from this source can replace the one counted (`chooseVersion`
 * can say 'replace'). Where it cannot (a repeated usage.jsonl line counts once, a different one is
 * a conflict that keeps both), folding a file's versions keeps out only exact repeats, which the
 * ledger keeps out as well: `VersionFold` is then skipped, and with it a map of every key of the
 * file (1M usage lines: ~0.6 s).
 */
export function versionsReplace(source: SourceKind): boolean {
	return !FIRST_STAYS.has(source);
}

/**
 * Two Claude copies of one API request: the same `requestId` when both state one, else the same
 * line `uuid` (kept only on rows without a requestId). Unknown is not the same.
 */
export function sameRequest(a: UsageRecord, b: UsageRecord): boolean {
	const ra = a.meta?.requestId;
	const rb = b.meta?.requestId;
	if (ra !== undefined && rb !== undefined) return ra === rb;
	const ua = a.meta?.uuid;
	return ua !== undefined && ua === b.meta?.uuid;
}

/** The numbers and identity that matter for spend are equal. */
export function sameUsage(a: UsageRecord, b: UsageRecord): boolean {
	const ta = a.tokens;
	const tb = b.tokens;
	return (
		a.model === b.model &&
		a.provider === b.provider &&
		a.issue === b.issue &&
		a.usageSource === b.usageSource &&
		a.reportedCostUsd === b.reportedCostUsd &&
		ta.input === tb.input &&
		ta.output === tb.output &&
		ta.total === tb.total &&
		ta.cacheRead === tb.cacheRead &&
		ta.cacheWrite === tb.cacheWrite &&
		ta.reasoning === tb.reasoning
	);
}

/** Names the first spend-relevant field two records disagree on, for the problem message. */
export function firstDifference(a: UsageRecord, b: UsageRecord): string {
	if (a.model !== b.model) return 'model';
	if (a.provider !== b.provider) return 'provider';
	if (a.issue !== b.issue) return 'issue';
	if (a.usageSource !== b.usageSource) return 'usageSource';
	for (const f of ['input', 'output', 'total', 'cacheRead', 'cacheWrite', 'reasoning'] as const) {
		if (a.tokens[f] !== b.tokens[f]) return `tokens.${f}`;
	}
	return 'reportedCost';
}

/**
 * Within one file, keeps only the version of a record that would count (a streamed Claude
 * response is several lines; only its largest counts): the ledger ends up the same with less work
 * on the next start. Keys whose versions conflict keep every version, so the conflict is reported
 * again. One record at a time, appended to `out` (a file's records, folded already), so a
 * superseded version is not held until the whole file is read (a streamed response's earlier
 * lines die young instead of being promoted with the file's records); the winner takes the
 * loser's place (first-seen position, best version).
 */
export class VersionFold {
	private readonly at = new Map<string, number>();
	private readonly conflicted = new Set<string>();

	constructor(readonly out: UsageRecord[]) {
		// Folded already: a key twice in `out` is a conflict (folding keeps duplicates only then).
		for (let k = 0; k < out.length; k++) {
			const key = out[k]!.key;
			if (this.at.has(key)) this.conflicted.add(key);
			this.at.set(key, k);
		}
	}

	/** Adds `r`; false when it was folded (kept out, or it replaced an earlier version in place). */
	add(r: UsageRecord): boolean {
		const {out, at, conflicted} = this;
		const key = r.key;
		const i = at.get(key);
		if (i === undefined || conflicted.has(key)) {
			at.set(key, out.length);
			out.push(r);
			return true;
		}
		const choice = chooseVersion(out[i]!, r);
		if (choice === 'conflict') {
			conflicted.add(key);
			out.push(r);
			return true;
		}
		// The winner takes the loser's place in arrival order: first-seen position, best version.
		if (choice === 'replace') out[i] = r;
		return false;
	}
}

/** The problem a conflicting duplicate is reported as (the first version stays counted). */
export function conflictProblem(current: UsageRecord, next: UsageRecord): Problem {
	const was = current.origin;
	const field = firstDifference(current, next);
	return {
		kind: 'duplicate-conflict',
		path: next.origin.path,
		line: next.origin.line,
		field,
		reason: `same record as ${was.path}${was.line ? `:${was.line}` : ''} with a different ${field}; the first is counted`,
	};
}

/**
 * The ledger's dedup alone, without totals (`burn sources` counts each root with it): per key,
 * the version that counts, in first-seen order; conflicts go to `conflicts` as the ledger reports them.
 */
export function countedVersions(records: Iterable<UsageRecord>, conflicts: ProblemLog): Map<string, UsageRecord> {
	const out = new Map<string, UsageRecord>();
	for (const r of records) {
		const current = out.get(r.key);
		if (current === undefined) {
			out.set(r.key, r);
			continue;
		}
		const choice = chooseVersion(current, r);
		if (choice === 'conflict') conflicts.add(conflictProblem(current, r));
		else if (choice === 'replace') out.set(r.key, r);
	}
	return out;
}
