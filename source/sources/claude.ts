/**
 * Claude Code transcripts (`~/.claude/projects/<encoded-cwd>/<session>.jsonl`, sub-agents under
 * `<session>/subagents/**`): one record per API response (docs/transcript-formats.md §1).
 *
 * Lines are classified by their top-level `"type"` on raw bytes (claude-skim.ts): assistant lines
 * are read without parsing their content, user lines only when they hold `"is_error":true` (tool
 * results, for activity events), progress lines only when they hold `"usage"` (a sub-agent's
 * message embedded in the parent), other lines never. A layout the skim does not know falls back to
 * `JSON.parse` of lines containing `"usage"` or `"is_error":true`. The record key is `claude:<message.id>`: streamed copies of
 * one response (partial `output_tokens` first), resumed-session copies and sidechain replays of a
 * parent message all share it. `chooseVersion` keeps the largest copy; a sidechain copy competes
 * only when it is of the same request (same requestId, else same uuid), see core/dedup.ts.
 */
import {basename} from 'node:path';
import type {Problem} from '../core/problems.js';
import {CountCheck} from '../core/plausibility.js';
import {coverageOf, type ActivityEvent, type RecordMeta, type Tokens, type UsageRecord} from '../core/record.js';
import {isoMs, obj, shortDetail, str, type Json} from './json-fields.js';
import {claudeLineType, LINE_OTHER, LINE_PROGRESS, LINE_USER, skimAssistant} from './claude-skim.js';
import {AnchoredNeedle, hasTrueKey} from './json-skim.js';
import {isBlank, LineCursor, lineContains, parseJsonLine} from './lines.js';
import type {ChunkPosition, LineSource, ParseResult} from './types.js';

const USAGE = Buffer.from('"usage"');
const IS_ERROR = new AnchoredNeedle('"is_error"', 3, 4); // anchored on `_err`, then `:true`
const SYNTHETIC = '<synthetic>';

export interface ClaudeState {
	/** Session id from the path (the grandparent of `subagents/`, else the file stem). */
	pathSession: string;
	/** `agent-<id>` file stem, for sub-agent files. */
	pathAgent: string | null;
}

export const claudeSource: LineSource<ClaudeState> = {
	kind: 'claude',
	// 2: sidechain copies of one request compete, sub-agent progress lines, implausible counts.
	parserVersion: 2,
	initialState: claudePathState,
	parse: parseClaudeChunk,
};

export function claudePathState(path: string): ClaudeState {
	const parts = path.split(/[\\/]/);
	const file = parts[parts.length - 1] ?? '';
	const stem = file.replace(/\.jsonl(\.gz)?$/, '');
	const sub = parts.lastIndexOf('subagents');
	const pathSession = sub > 0 ? parts[sub - 1]! : stem;
	const pathAgent = stem.startsWith('agent-') ? stem.slice('agent-'.length) : null;
	return {pathSession, pathAgent};
}

/**
 * `reference` parses every line with `JSON.parse` and nothing else: the behaviour the fast paths
 * must reproduce (the differential tests compare the two).
 */
export function parseClaudeChunk(chunk: Buffer, state: ClaudeState, at: ChunkPosition, reference = false): ParseResult<ClaudeState> {
	const records: UsageRecord[] = [];
	const events: ActivityEvent[] = [];
	const problems: Problem[] = [];
	const c = new LineCursor(chunk, at);
	while (c.next()) {
		const {start, end, line} = c;
		if (reference) {
			if (!isBlank(chunk, start, end)) parseLine(chunk, start, end, line, state, at, records, events, problems);
			continue;
		}
		const type = claudeLineType(chunk, start, end);
		if (type === LINE_OTHER) continue; // summaries, snapshots, system lines: no usage
		if (type === LINE_PROGRESS) {
			// Mostly hook and tool progress; a sub-agent's message carries "usage".
			if (lineContains(chunk, start, end, USAGE)) parseLine(chunk, start, end, line, state, at, records, events, problems);
			continue;
		}
		if (type === LINE_USER) {
			// Bulky tool results: one search, for a failed one.
			if (hasTrueKey(chunk, start, end, IS_ERROR)) parseLine(chunk, start, end, line, state, at, records, events, problems);
			continue;
		}
		const row = skimAssistant(chunk, start, end);
		if (row && row.type === 'assistant') {
			readAssistant({row, state, path: at.path, line, offset: at.offset + start}, records, events, problems);
			continue;
		}
		// Not a layout the skim knows: the whole line, if it can carry usage or a tool error.
		if (lineContains(chunk, start, end, USAGE) || hasTrueKey(chunk, start, end, IS_ERROR)) {
			parseLine(chunk, start, end, line, state, at, records, events, problems);
		}
	}
	return {records, events, problems, consumedBytes: c.consumedBytes, consumedLines: c.consumedLines, state};
}

/** The slow path: `JSON.parse` of the whole line. */
function parseLine(
	chunk: Buffer,
	start: number,
	end: number,
	line: number,
	state: ClaudeState,
	at: ChunkPosition,
	records: UsageRecord[],
	events: ActivityEvent[],
	problems: Problem[],
): void {
	const parsed = parseJsonLine(chunk, start, end);
	if (!parsed.ok) {
		problems.push({kind: 'malformed-json', path: at.path, line, reason: `not valid JSON: ${parsed.error}`});
		return;
	}
	const row = obj(parsed.value);
	if (!row) {
		problems.push({kind: 'not-an-object', path: at.path, line, reason: 'a transcript line must be a JSON object'});
		return;
	}
	const ctx: LineCtx = {row, state, path: at.path, line, offset: at.offset + start};
	if (row.type === 'assistant') readAssistant(ctx, records, events, problems);
	else if (row.type === 'user') readToolErrors(ctx, events);
	else if (row.type === 'progress') readAgentProgress(ctx, records, problems);
}

/**
 * Claude Code 2.1.x writes each sub-agent's messages into the parent transcript as
 * `{"type":"progress","data":{"type":"agent_progress","agentId",…,"message":{"type":"assistant",
 * "message":{"id","model","usage",…}}}}`. Exports and checkpoint tools keep only the parent file,
 * so these are the only record of that spend there. Read as the sub-agent's own line (a sidechain
 * row keyed by message id), so a copy in `subagents/agent-<id>.jsonl` is the same record and the
 * larger copy counts once. Tool calls are not emitted again: the sub-agent's file has them.
 */
function readAgentProgress(ctx: LineCtx, records: UsageRecord[], problems: Problem[]): void {
	const data = obj(ctx.row.data);
	if (!data || data.type !== 'agent_progress') return;
	const inner = obj(data.message);
	if (!inner || inner.type !== 'assistant') return;
	const row: Json = {
		type: 'assistant',
		timestamp: inner.timestamp ?? ctx.row.timestamp,
		sessionId: ctx.row.sessionId ?? inner.sessionId,
		cwd: inner.cwd ?? ctx.row.cwd,
		isSidechain: true,
		agentId: data.agentId ?? inner.agentId,
		requestId: inner.requestId,
		uuid: inner.uuid,
		message: inner.message,
	};
	readAssistant({...ctx, row}, records, [], problems);
}

interface LineCtx {
	row: Json;
	state: ClaudeState;
	path: string;
	line: number;
	offset: number;
}

function sessionOf(ctx: LineCtx): string {
	return str(ctx.row.sessionId) ?? ctx.state.pathSession;
}

function readAssistant(ctx: LineCtx, records: UsageRecord[], events: ActivityEvent[], problems: Problem[]): void {
	const {row} = ctx;
	const message = obj(row.message);
	const usage = obj(message?.usage);
	if (!message || !usage) return;
	const at = isoMs(row.timestamp);
	const runId = sessionOf(ctx);
	const workspace = str(row.cwd);
	const model = str(message.model);
	if (model === SYNTHETIC) {
		// Written by Claude Code itself (API errors, "No response requested."): not spend.
		if (row.isApiErrorMessage === true && at !== null) {
			events.push({kind: 'error', source: 'claude', runId, issue: null, at, name: 'api_error', detail: shortDetail(firstText(message.content))});
		}
		return;
	}
	if (at === null) {
		problems.push({kind: 'invalid-record', path: ctx.path, line: ctx.line, field: 'timestamp', reason: 'assistant line without a valid timestamp; skipped'});
		return;
	}
	const msgId = str(message.id);
	// Joined, not a template: a flat string, without a rope wrapper kept with the record.
	const key = msgId ? ['claude', msgId].join(':') : `claude:${runId}:${str(row.uuid) ?? `${basename(ctx.path)}@${ctx.offset}`}`;
	const meta: RecordMeta = {};
	if (row.isSidechain === true) meta.sidechain = true;
	const agentId = str(row.agentId) ?? ctx.state.pathAgent;
	if (agentId) meta.agentId = agentId;
	const speed = str(usage.speed);
	if (speed) meta.speed = speed;
	const tier = str(usage.service_tier);
	if (tier) meta.serviceTier = tier;
	const requestId = str(row.requestId);
	if (requestId) meta.requestId = requestId;
	else {
		// Without a requestId, the line uuid tells a sidechain copy of this request from a replay.
		const uuid = str(row.uuid);
		if (uuid) meta.uuid = uuid;
	}
	const origin = {path: ctx.path, line: ctx.line, offset: ctx.offset};
	// A literal per record (not a spread of a shared base): spreads were the hot spot here.
	const record = (key: string, model: string | null, tokens: Tokens, reportedCostUsd: number | null, meta: RecordMeta): UsageRecord => ({
		key,
		source: 'claude',
		provider: 'anthropic',
		model,
		runId,
		turn: null,
		issue: null,
		workspace,
		startedAt: null,
		at,
		tokens,
		usageSource: 'provider_reported',
		reportedCostUsd,
		granularity: 'per-message',
		coverage: claudeCoverage(tokens),
		origin,
		meta,
	});
	const check = CHECK;
	check.reset();
	const rawCost = row.costUSD;
	const legacyCost = typeof rawCost === 'number' && Number.isFinite(rawCost) && rawCost >= 0 ? rawCost : null;
	if (legacyCost === null && rawCost !== undefined && rawCost !== null) {
		problems.push({kind: 'invalid-record', path: ctx.path, line: ctx.line, field: 'costUSD', reason: `costUSD is ${shortDetail(rawCost, 40)}: not a cost in USD; left unknown`});
	}
	records.push(record(key, model, claudeTokens(usage, check), legacyCost, meta));

	// The /advisor tool's calls appear only as iterations, excluded from the top-level usage (§1.7).
	const iterations = Array.isArray(usage.iterations) ? usage.iterations : [];
	iterations.forEach((it, n) => {
		const iter = obj(it);
		if (!iter || iter.type !== 'advisor_message') return;
		records.push(record(`${key}:advisor:${n}`, str(iter.model) ?? model, claudeTokens(iter, check, `message.usage.iterations[${n}]`), null, {...meta, stage: 'advisor'}));
	});
	if (check.size > 0) {
		for (const {field, reason} of check.reasons()) problems.push({kind: 'invalid-record', path: ctx.path, line: ctx.line, field, reason});
	}

	if (Array.isArray(message.content)) {
		for (const block of message.content) {
			const b = obj(block);
			if (b?.type === 'tool_use') {
				events.push({kind: 'tool_call', source: 'claude', runId, issue: null, at, name: str(b.name) ?? 'tool', detail: shortDetail(b.input)});
			}
		}
	}
}

function readToolErrors(ctx: LineCtx, events: ActivityEvent[]): void {
	const message = obj(ctx.row.message);
	const at = isoMs(ctx.row.timestamp);
	if (!message || at === null || !Array.isArray(message.content)) return;
	for (const block of message.content) {
		const b = obj(block);
		if (b?.type === 'tool_result' && b.is_error === true) {
			events.push({kind: 'tool_result', source: 'claude', runId: sessionOf(ctx), issue: null, at, name: 'tool_result', detail: shortDetail(firstText(b.content)), ok: false});
		}
	}
}

function firstText(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) {
		for (const c of content) {
			const b = obj(c);
			if (b && typeof b.text === 'string') return b.text;
		}
	}
	return '';
}

/** One per parser (it is synchronous): the rejected fields of the line being read. */
const CHECK = new CountCheck();

/**
 * Anthropic buckets are disjoint; the record's `input` is their sum (total billable input).
 * Cache writes use the 5m/1h split when present, else count as 5m (§1.6). A field that is not a
 * plausible count (core/plausibility.ts) is unknown and lands in `check`; a sum missing a part
 * that was there (input, total) is unknown too, never a smaller number.
 */
export function claudeTokens(u: Json, check: CountCheck = new CountCheck(), at = 'message.usage'): Tokens {
	const before = check.size;
	const uncached = check.count(u.input_tokens, at, 'input_tokens');
	const cacheRead = check.count(u.cache_read_input_tokens, at, 'cache_read_input_tokens');
	const creation = check.count(u.cache_creation_input_tokens, at, 'cache_creation_input_tokens');
	const partLost = check.size > before;
	const split = obj(u.cache_creation);
	const e5 = check.count(split?.ephemeral_5m_input_tokens, at, 'cache_creation.ephemeral_5m_input_tokens');
	const e1 = check.count(split?.ephemeral_1h_input_tokens, at, 'cache_creation.ephemeral_1h_input_tokens');
	// The TTL split is a part of input only when the total creation count is not stated.
	const inputLost = partLost || (creation === null && check.size > before);
	const hasSplit = e5 !== null || e1 !== null;
	const cacheWrite = creation ?? (hasSplit ? (e5 ?? 0) + (e1 ?? 0) : null);
	let cacheWrite5m: number | null = null;
	let cacheWrite1h: number | null = null;
	if (hasSplit) {
		cacheWrite1h = e1 ?? 0;
		// Anything the split does not name is priced as 5m, the conservative default.
		cacheWrite5m = cacheWrite === null ? (e5 ?? 0) : Math.max(e5 ?? 0, cacheWrite - cacheWrite1h);
	} else if (cacheWrite !== null) {
		cacheWrite5m = cacheWrite;
		cacheWrite1h = 0;
	}
	const input = uncached === null && cacheRead === null && cacheWrite === null ? null : (uncached ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0);
	const output = check.count(u.output_tokens, at, 'output_tokens');
	return {
		input: uncached === null || inputLost ? null : input,
		cacheRead,
		cacheWrite,
		cacheWrite5m,
		cacheWrite1h,
		output,
		reasoning: null,
		total: uncached !== null && !inputLost && output !== null ? input! + output : null,
	};
}

function claudeCoverage(tokens: Tokens) {
	return coverageOf(tokens, {hasToolCalls: true, hasToolResultEvents: true, hasSessionRelationships: true});
}
