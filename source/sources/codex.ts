/**
 * Codex rollouts (`$CODEX_HOME/sessions/**\/rollout-*.jsonl`, `archived_sessions/`): one record per
 * model response (docs/transcript-formats.md §2). Stateful per file (the state resumes across appended
 * chunks): the current model, the previous cumulative total, and the fork-replay boundary.
 *
 * Keys do not depend on the file, so an archived copy of a rollout, and a fork or spawned
 * sub-agent that replays its parent's history, count each response once:
 * `codex:<lineage>:<cumulative total tuple>` for `token_count`, `codex:resp:<response_id>` for
 * `token_usage_record`.
 */
import {CountCheck, MAX_CALL_TOKENS, MAX_CUMULATIVE_TOKENS} from '../core/plausibility.js';
import type {Problem} from '../core/problems.js';
import {coverageOf, type ActivityEvent, type QuotaSample, type RecordMeta, type UsageRecord} from '../core/record.js';
import {codexQuota, codexTokens, codexUsage, decreased, isZero, minus, sameUsage, usageTuple, type CodexUsage} from './codex-usage.js';
import {isoMs, obj, shortDetail, str, type Json} from './json-fields.js';
import {codexEnvelope, codexLineMatters, ENVELOPE_SKIP, ENVELOPE_UNSURE} from './codex-envelope.js';
import {isBlank, LineCursor, lineContains, parseJsonLine} from './lines.js';
import type {ChunkPosition, LineSource, ParseResult} from './types.js';

/**
 * When the envelope does not decide (another key order, a long leading value): only a line with a
 * payload can matter (pre-envelope layouts carry no tokens, §2.5), and then it is parsed.
 */
const PAYLOAD = Buffer.from('"payload"');

/** Used when no model was ever stated (Sept-2025 builds); flagged as inferred. */
export const CODEX_FALLBACK_MODEL = 'gpt-5';

export interface CodexState {
	/** Thread id from the file name, until a session_meta names it. */
	threadId: string | null;
	metaSeen: boolean;
	/** The session this file's spend belongs to (a spawned sub-agent's parent thread). */
	runId: string | null;
	/** Key root shared with the parent for forks and sub-agents (replays then collide with it). */
	lineage: string | null;
	agentId: string | null;
	cwd: string | null;
	provider: string | null;
	model: string | null;
	effort: string | null;
	prevTotal: CodexUsage | null;
	prevLast: CodexUsage | null;
	lastOnlyIndex: number;
	/** A fork or spawned sub-agent: its leading lines replay the parent. */
	child: boolean;
	replayBeforeOrdinal: number | null;
	/** Without ordinals: the replay is the burst in the same second as the first session_meta. */
	replaySecond: number | null;
	/** `token_usage_record` seen: count those, never `token_count` as well. */
	recordsMode: boolean;
	/** The last counted token_count, which the first token_usage_record of the same response takes over. */
	lastCounted: {key: string; usage: CodexUsage} | null;
	quota: QuotaSample | null;
}

export const codexSource: LineSource<CodexState> = {
	kind: 'codex',
	// 2: implausible counts are unknown and reported.
	parserVersion: 2,
	initialState: codexInitialState,
	parse: parseCodexChunk,
};

const UUID_AT_END = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl(\.gz)?$/i;

export function codexInitialState(path: string): CodexState {
	const id = UUID_AT_END.exec(path)?.[1] ?? null;
	return {
		threadId: id,
		metaSeen: false,
		runId: id,
		lineage: id,
		agentId: null,
		cwd: null,
		provider: null,
		model: null,
		effort: null,
		prevTotal: null,
		prevLast: null,
		lastOnlyIndex: 0,
		child: false,
		replayBeforeOrdinal: null,
		replaySecond: null,
		recordsMode: false,
		lastCounted: null,
		quota: null,
	};
}

interface Line {
	path: string;
	line: number;
	offset: number;
	at: number;
	ordinal: number | null;
	payload: Json;
}

/**
 * `reference` parses every line with `JSON.parse`: the behaviour the envelope check must
 * reproduce (the differential tests compare the two).
 */
export function parseCodexChunk(chunk: Buffer, input: CodexState, pos: ChunkPosition, reference = false): ParseResult<CodexState> {
	const state: CodexState = {...input};
	const records: UsageRecord[] = [];
	const events: ActivityEvent[] = [];
	const problems: Problem[] = [];
	const c = new LineCursor(chunk, pos);
	while (c.next()) {
		const {start, end, line: lineNo} = c;
		if (reference) {
			if (!isBlank(chunk, start, end)) readLine(chunk, start, end, lineNo, state, pos, records, events, problems);
			continue;
		}
		// The envelope at the line start decides most lines; only when it cannot, search the line.
		const verdict = codexEnvelope(chunk, start, end);
		if (verdict === ENVELOPE_SKIP) continue;
		if (verdict === ENVELOPE_UNSURE && !lineContains(chunk, start, end, PAYLOAD)) continue;
		readLine(chunk, start, end, lineNo, state, pos, records, events, problems);
	}
	return {records, events, problems, consumedBytes: c.consumedBytes, consumedLines: c.consumedLines, state};
}

function readLine(
	chunk: Buffer,
	start: number,
	end: number,
	lineNo: number,
	state: CodexState,
	pos: ChunkPosition,
	records: UsageRecord[],
	events: ActivityEvent[],
	problems: Problem[],
): void {
	const parsed = parseJsonLine(chunk, start, end);
	if (!parsed.ok) {
		problems.push({kind: 'malformed-json', path: pos.path, line: lineNo, reason: `not valid JSON: ${parsed.error}`});
		return;
	}
	const row = obj(parsed.value);
	const payload = obj(row?.payload);
	if (!row || !payload) return; // pre-envelope layouts carry no tokens (§2.5)
	// Lines that carry nothing (a tool's output that mentions "token_count") have no effect at all,
	// as if never parsed: the envelope check skips them without parsing.
	if (!codexLineMatters(row.type, payload.type)) return;
	const at = isoMs(row.timestamp);
	if (at === null) {
		problems.push({kind: 'invalid-record', path: pos.path, line: lineNo, field: 'timestamp', reason: 'rollout line without a valid timestamp; skipped'});
		return;
	}
	const ordinalRaw = row.ordinal;
	const ordinal = typeof ordinalRaw === 'number' && Number.isFinite(ordinalRaw) ? ordinalRaw : null;
	const line: Line = {path: pos.path, line: lineNo, offset: pos.offset + start, at, ordinal, payload};
	if (state.replaySecond !== null && Math.floor(at / 1000) !== state.replaySecond) state.replaySecond = null;
	switch (row.type) {
		case 'session_meta':
			return readMeta(state, line);
		case 'turn_context':
			state.model = str(payload.model) ?? state.model;
			state.effort = str(payload.effort) ?? str(payload.reasoning_effort) ?? state.effort;
			state.cwd = str(payload.cwd) ?? state.cwd;
			return;
		case 'event_msg':
			return readEvent(state, line, records, events, problems);
		case 'token_usage_record':
			return readUsageRecord(state, line, records, problems);
		case 'response_item':
			if (!inReplay(state, line)) {
				events.push(activity(state, line, 'tool_call', str(payload.name) ?? 'tool', shortDetail(payload.arguments)));
			}
			return;
	}
}

function readMeta(state: CodexState, line: Line): void {
	const p = line.payload;
	const id = str(p.id);
	// A fork copies its parent's session_meta after its own: the first one names the file's thread.
	if (state.metaSeen) return;
	state.metaSeen = true;
	if (id) state.threadId = id;
	state.cwd = str(p.cwd) ?? state.cwd;
	state.provider = str(p.model_provider) ?? state.provider;
	const spawn = obj(obj(obj(p.source)?.subagent)?.thread_spawn);
	const spawnParent = str(spawn?.parent_thread_id);
	const forkedFrom = str(p.forked_from_id);
	const parent = forkedFrom ?? spawnParent ?? str(p.parent_thread_id);
	state.runId = spawnParent ?? state.threadId;
	state.lineage = parent ?? state.threadId;
	if (spawnParent || obj(p.source)?.subagent !== undefined) state.agentId = str(p.agent_nickname) ?? state.threadId;
	if (parent) {
		state.child = true;
		const raw = p.subagent_history_start_ordinal;
		const ord = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
		if (Number.isFinite(ord)) state.replayBeforeOrdinal = ord;
		else state.replaySecond = Math.floor(line.at / 1000);
	}
}

function inReplay(state: CodexState, line: Line): boolean {
	if (!state.child) return false;
	if (state.replayBeforeOrdinal !== null) return line.ordinal !== null && line.ordinal < state.replayBeforeOrdinal;
	return state.replaySecond !== null;
}

function readEvent(state: CodexState, line: Line, records: UsageRecord[], events: ActivityEvent[], problems: Problem[]): void {
	const p = line.payload;
	switch (p.type) {
		case 'thread_settings_applied':
			state.model = str(obj(p.thread_settings)?.model) ?? state.model;
			return;
		case 'exec_command_end': {
			if (inReplay(state, line)) return;
			const code = typeof p.exit_code === 'number' ? p.exit_code : null;
			const cmd = Array.isArray(p.command) ? p.command.join(' ') : p.command;
			const e = activity(state, line, 'tool_result', 'exec_command', shortDetail(cmd ?? ''));
			if (code !== null) e.ok = code === 0;
			events.push(e);
			return;
		}
		case 'token_count':
			return readTokenCount(state, line, records, problems);
	}
}

// One per parser (it is synchronous): the rejected fields of the line being read.
const TOTAL_CHECK = new CountCheck(MAX_CUMULATIVE_TOKENS);
const CALL_CHECK = new CountCheck(MAX_CALL_TOKENS);

/** Every field a check rejected on this line, as problems with the file and line. */
function reportRejected(line: Line, problems: Problem[], ...checks: CountCheck[]): void {
	for (const check of checks) {
		for (const {field, reason} of check.reasons()) problems.push({kind: 'invalid-record', path: line.path, line: line.line, field, reason});
	}
}

function readTokenCount(state: CodexState, line: Line, records: UsageRecord[], problems: Problem[]): void {
	const p = line.payload;
	const quota = codexQuota(p.rate_limits, line.at);
	if (quota) state.quota = quota;
	const info = obj(p.info);
	if (!info) return; // a rate-limit refresh only
	TOTAL_CHECK.reset();
	CALL_CHECK.reset();
	const total = codexUsage(info.total_token_usage, TOTAL_CHECK, 'payload.info.total_token_usage');
	const last = codexUsage(info.last_token_usage, CALL_CHECK, 'payload.info.last_token_usage');
	if (TOTAL_CHECK.size + CALL_CHECK.size > 0) reportRejected(line, problems, TOTAL_CHECK, CALL_CHECK);
	let call: CodexUsage | null = null;
	let key: string;
	if (total) {
		const prev = state.prevTotal;
		if (prev && sameUsage(total, prev)) return; // re-emitted with unchanged totals
		state.prevTotal = total;
		state.prevLast = last;
		// First reading of a file (it may inherit a resumed counter) or a reset: the last call only.
		call = prev === null || decreased(total, prev) ? (last ?? total) : fillFrom(minus(total, prev), last);
		// Joined, not a template: a flat string, without a rope wrapper kept with the record.
		key = ['codex', state.lineage, usageTuple(total)].join(':');
	} else if (last) {
		if (sameUsage(last, state.prevLast)) return;
		state.prevLast = last;
		call = last;
		key = `codex:${state.threadId}:last:${state.lastOnlyIndex++}`;
	} else return;
	if (inReplay(state, line) || state.recordsMode || isZero(call)) return;
	const model = str(p.model) ?? str(info.model) ?? str(info.model_name) ?? str(obj(p.metadata)?.model);
	records.push(codexRecord(state, line, key, call, model));
	state.lastCounted = {key, usage: call};
}

/**
 * A delta field that came out unknown (a reading on either side was not a plausible count, or
 * not stated) is taken from `last_token_usage`, the same call's own reading, when that states it.
 */
function fillFrom(call: CodexUsage, last: CodexUsage | null): CodexUsage {
	if (!last) return call;
	for (const f of ['input', 'cached', 'output', 'reasoning', 'total', 'cacheWrite'] as const) if (call[f] === null && last[f] !== null) call[f] = last[f];
	return call;
}

function readUsageRecord(state: CodexState, line: Line, records: UsageRecord[], problems: Problem[]): void {
	const p = line.payload;
	CALL_CHECK.reset();
	const usage = codexUsage(p.usage, CALL_CHECK, 'payload.usage');
	if (CALL_CHECK.size > 0) reportRejected(line, problems, CALL_CHECK);
	const responseId = str(p.response_id);
	if (!usage) return;
	const wasCounting = !state.recordsMode;
	state.recordsMode = true;
	if (inReplay(state, line)) return;
	let key = responseId ? `codex:resp:${responseId}` : `codex:${state.threadId}:rec@${line.offset}`;
	// The token_count just counted for this same response (written first) yields its key, so the
	// ledger replaces it instead of adding the response twice.
	if (wasCounting && state.lastCounted && sameUsage(state.lastCounted.usage, usage)) key = state.lastCounted.key;
	state.lastCounted = null;
	if (isZero(usage)) return;
	records.push(codexRecord(state, line, key, usage, str(p.model)));
}

function codexRecord(state: CodexState, line: Line, key: string, usage: CodexUsage, stated: string | null): UsageRecord {
	const tokens = codexTokens(usage);
	const model = stated ?? state.model;
	const meta: RecordMeta = {};
	if (model === null) meta.modelInferred = true;
	if (state.effort) meta.effort = state.effort;
	if (state.agentId) meta.agentId = state.agentId;
	if (state.runId !== state.threadId && state.threadId) meta.sessionId = state.threadId;
	return {
		key,
		source: 'codex',
		provider: state.provider ?? 'openai',
		model: model ?? CODEX_FALLBACK_MODEL,
		runId: state.runId ?? state.threadId ?? line.path,
		turn: null,
		issue: null,
		workspace: state.cwd,
		startedAt: null,
		at: line.at,
		tokens,
		usageSource: 'provider_reported',
		reportedCostUsd: null,
		granularity: 'per-message',
		coverage: coverageOf(tokens, {hasToolCalls: true, hasToolResultEvents: true, hasSessionRelationships: true}),
		origin: {path: line.path, line: line.line, offset: line.offset},
		meta,
		quota: state.quota,
	};
}

function activity(state: CodexState, line: Line, kind: ActivityEvent['kind'], name: string, detail: string): ActivityEvent {
	return {kind, source: 'codex', runId: state.runId ?? state.threadId ?? line.path, issue: null, at: line.at, name, detail};
}
