/**
 * The usage.jsonl rule (one of the two counting-once rules, core/counting/count-once.ts): counting
 * once when Symphony `usage.jsonl` and an agent's own transcript describe the same turns.
 *
 * The rule: a usage.jsonl turn with a `workspacePath` is *covered* when transcript records of the
 * same agent family were written in that workspace (or below it) during the turn
 * (`startedAt − slack ≤ at ≤ endedAt + slack`). A covered turn is not counted itself; its
 * transcript records are, re-attributed to the turn's issue, run, turn number and bot role.
 * So usage.jsonl decides attribution, the transcript supplies the per-call token split (cache
 * writes by TTL, reasoning), and every token is counted once. A turn with no transcript records
 * counts as usage.jsonl says; transcript records outside every turn keep their own session run.
 *
 * Pure: the same input gives the same output, whatever order records arrived in.
 */
import type {RecordMeta, SourceKind, UsageRecord} from '../record.js';

export const USAGE_RULE = 'usage.jsonl attributes, transcript counts: a usage.jsonl turn covered by transcript calls in the same workspace and time window is replaced by those calls';

/** Transcript sources a usage.jsonl turn can be covered by. */
export const USAGE_RULE_TRANSCRIPTS: ReadonlySet<SourceKind> = new Set(['claude', 'codex', 'opencode', 'gemini']);

/** usage.jsonl `provider` values (an open enum) → the transcript source that agent writes. */
const FAMILY: Record<string, SourceKind> = {
	claude: 'claude',
	'claude-code': 'claude',
	anthropic: 'claude',
	codex: 'codex',
	openai: 'codex',
	gemini: 'gemini',
	google: 'gemini',
	opencode: 'opencode',
};

export const USAGE_RULE_SLACK_MS = 2_000;

export interface UsageRuleReport {
	rule: string;
	/** usage.jsonl turns that name a workspace (the only ones that can be matched). */
	candidateTurns: number;
	/** Turns replaced by their transcript records. */
	coveredTurns: number;
	/** Transcript records re-attributed to a usage.jsonl turn. */
	reattributedRecords: number;
	/** Tokens the covered turns stated (usage.jsonl) vs what their transcript records add up to. */
	usageTotalTokens: number;
	transcriptTotalTokens: number;
}

export interface UsageRuleResult {
	records: UsageRecord[];
	report: UsageRuleReport;
}

/** Workspace paths compare without trailing separators; a transcript cwd below the workspace matches. */
function normalize(p: string): string {
	return p.replace(/[\\/]+$/, '');
}

/** The directory itself and each parent, so a cwd below a workspace finds it by lookup. */
function ancestors(dir: string): string[] {
	const out = [dir];
	for (let i = dir.length - 1; i > 0; i--) {
		const c = dir[i];
		if (c === '/' || c === '\\') out.push(dir.slice(0, i));
	}
	return out;
}

/**
 * Re-attributed copies from an earlier call, by source record: the live view re-counts often, and
 * reusing them keeps a record's identity (and skips the copying, most of a re-count's cost).
 */
export type ReattributionCache = WeakMap<UsageRecord, {turn: UsageRecord; out: UsageRecord}>;

export function applyUsageRule(input: Iterable<UsageRecord>, slackMs = USAGE_RULE_SLACK_MS, cache?: ReattributionCache): UsageRuleResult {
	const all = [...input];
	const turns = all.filter((r) => r.source === 'symphony' && r.workspace && r.startedAt !== null);
	const report: UsageRuleReport = {
		rule: USAGE_RULE,
		candidateTurns: turns.length,
		coveredTurns: 0,
		reattributedRecords: 0,
		usageTotalTokens: 0,
		transcriptTotalTokens: 0,
	};
	if (turns.length === 0 || !all.some((r) => USAGE_RULE_TRANSCRIPTS.has(r.source))) return {records: all, report};

	// Turns by workspace, earliest first, so each transcript call goes to one turn.
	const lists = new Map<string, UsageRecord[]>();
	for (const t of turns) {
		const w = normalize(t.workspace!);
		let list = lists.get(w);
		if (!list) lists.set(w, (list = []));
		list.push(t);
	}
	const byWorkspace = new Map<string, TurnList>();
	for (const [w, list] of lists) byWorkspace.set(w, turnList(list));

	const owner = new Map<UsageRecord, UsageRecord>();
	const covered = new Map<UsageRecord, UsageRecord[]>();
	const assign = (r: UsageRecord, turn: UsageRecord) => {
		owner.set(r, turn);
		let list = covered.get(turn);
		if (!list) covered.set(turn, (list = []));
		list.push(r);
	};
	const ties: Array<{r: UsageRecord; turns: UsageRecord[]}> = [];
	for (const r of all) {
		if (!USAGE_RULE_TRANSCRIPTS.has(r.source) || !r.workspace) continue;
		const found = findTurn(r, normalize(r.workspace), byWorkspace, slackMs);
		if (!found) continue;
		if (Array.isArray(found)) ties.push({r, turns: found});
		else assign(r, found);
	}
	// A call inside several turns at once: exactly on the boundary of touching turns (turn k ends
	// when turn k+1 starts, as a backfill writes them), or in overlapping ones. In time order, it
	// goes to the earliest of those turns that has no call yet, else the earliest. So a turn whose
	// only call sits on its boundary is still covered, whichever side of its window the call is
	// on, and no turn is counted from usage.jsonl beside its calls.
	ties.sort((a, b) => a.r.at - b.r.at || cmp(a.r.key, b.r.key) || cmp(a.r.origin.path, b.r.origin.path));
	for (const {r, turns} of ties) assign(r, turns.find((t) => !covered.has(t)) ?? turns[0]!);

	const out: UsageRecord[] = [];
	for (const r of all) {
		if (covered.has(r)) continue; // a covered usage.jsonl turn: its transcript records count instead
		const turn = owner.get(r);
		if (!turn) out.push(r);
		else if (!cache) out.push(reattribute(r, turn));
		else {
			let hit = cache.get(r);
			if (!hit || hit.turn !== turn) cache.set(r, (hit = {turn, out: reattribute(r, turn)}));
			out.push(hit.out);
		}
	}
	for (const [turn, calls] of covered) {
		report.coveredTurns++;
		report.reattributedRecords += calls.length;
		report.usageTotalTokens += turn.tokens.total ?? 0;
		for (const c of calls) report.transcriptTotalTokens += c.tokens.total ?? 0;
	}
	return {records: out, report};
}

/** A workspace's turns sorted by start, with what lets a lookup skip the turns that cannot match. */
interface TurnList {
	turns: UsageRecord[];
	starts: number[];
	/** Latest start or end among turns 0..i: below `at − slack`, no earlier turn can match. */
	reach: number[];
	family: Array<SourceKind | undefined>;
}

function turnList(list: UsageRecord[]): TurnList {
	list.sort((a, b) => a.startedAt! - b.startedAt! || a.key.localeCompare(b.key));
	const starts: number[] = [];
	const reach: number[] = [];
	const family: Array<SourceKind | undefined> = [];
	let max = -Infinity;
	for (const t of list) {
		starts.push(t.startedAt!);
		max = Math.max(max, t.startedAt!, t.at);
		reach.push(max);
		family.push(FAMILY[(t.provider ?? '').toLowerCase()]);
	}
	return {turns: list, starts, reach, family};
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The nearest turn (distance 0 inside it, else how far outside, within the slack); ties go to the
 * closest workspace, then the earliest turn. Only turns starting before `at + slack` are looked at,
 * latest first, until none earlier can reach `at − slack`: a lookup costs the turns near the call,
 * not every turn of the workspace. When the call lies inside several turns of that workspace, all
 * of them, earliest first (the caller decides, see applyUsageRule).
 */
function findTurn(r: UsageRecord, cwd: string, byWorkspace: Map<string, TurnList>, slackMs: number): UsageRecord | UsageRecord[] | null {
	let best: UsageRecord | UsageRecord[] | null = null;
	let bestDistance = Infinity;
	for (const workspace of ancestors(cwd)) {
		const list = byWorkspace.get(workspace);
		if (!list) continue;
		const {starts, reach, turns, family} = list;
		let lo = 0;
		let hi = starts.length;
		while (lo < hi) {
			const mid = (lo + hi) >>> 1;
			if (starts[mid]! <= r.at + slackMs) lo = mid + 1;
			else hi = mid;
		}
		let found = -1;
		let foundDistance = Infinity;
		// Turns with the call inside, latest first; an array only once there are two.
		let insideOne: UsageRecord | null = null;
		let inside: UsageRecord[] | null = null;
		for (let i = lo - 1; i >= 0 && reach[i]! >= r.at - slackMs; i--) {
			const f = family[i];
			if (f && f !== r.source) continue;
			const start = starts[i]!;
			const end = turns[i]!.at;
			const distance = r.at < start ? start - r.at : r.at > end ? r.at - end : 0;
			if (distance === 0) {
				if (insideOne === null) insideOne = turns[i]!;
				else (inside ??= [insideOne]).push(turns[i]!);
			}
			// `<=` walking backwards: among equal distances the earliest turn wins.
			if (distance <= slackMs && distance <= foundDistance) {
				found = i;
				foundDistance = distance;
			}
		}
		if (found >= 0 && foundDistance < bestDistance) {
			best = inside !== null ? inside.reverse() : turns[found]!;
			bestDistance = foundDistance;
		}
	}
	return best;
}

function reattribute(r: UsageRecord, turn: UsageRecord): UsageRecord {
	const meta: RecordMeta = {...r.meta, sessionId: r.meta?.sessionId ?? r.runId};
	if (turn.meta?.botRole) meta.botRole = turn.meta.botRole;
	if (turn.meta?.mode && !meta.mode) meta.mode = turn.meta.mode;
	if (turn.meta?.exitReason) meta.exitReason = turn.meta.exitReason;
	return {...r, issue: turn.issue, runId: turn.runId, turn: turn.turn, meta};
}
