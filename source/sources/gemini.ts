/**
 * Gemini CLI chats (docs/transcript-formats.md §4): one record per `gemini` message that carries `tokens`.
 * `session-*.jsonl` (≥ v0.39) is an append log read as a resumable LineSource; `session-*.json`
 * (≤ v0.38) is one document, re-read whole when it changes.
 *
 * Token semantics (§0.1, §4.4):
 * - `cached` is inside `input`, so input (total input) = input + tool, cacheRead = cached. When the
 *   stated `total` shows `cached` was NOT inside `input` (total = input + cached + output + thoughts
 *   + tool), it is added (ccusage's safety check).
 * - `thoughts` are billed as output: output = output + thoughts, reasoning = thoughts.
 * - `tool` (tool-use prompt tokens) is extra input. Gemini has no cache writes: cacheWrite stays null.
 * - Absent keys stay null; an explicit 0 is 0.
 *
 * Dedup: `gemini:<sessionId>:<messageId>`, the last version wins (tokens arrive on a rewrite).
 * Messages dropped by `$rewindTo` or `$set.messages` were already billed and keep counting.
 */
import {readFile} from 'node:fs/promises';
import {basename} from 'node:path';
import type {z} from 'zod';
import type {Problem} from '../core/problems.js';
import {coverageOf, type Tokens, type UsageRecord} from '../core/record.js';
import {lazySchema} from '../core/zod.js';
import {geminiWorkspace} from './gemini-projects.js';
import {forEachCompleteLine, hasBom, isBlank, lineContains, parseJsonLine} from './lines.js';
import type {ChunkPosition, DocumentResult, DocumentSource, LineSource, ParseResult} from './types.js';

export const GEMINI_PARSER_VERSION = 1;

const tokensSchema = lazySchema((z) => {
	const count = z.number().finite().nonnegative().nullish();
	return z.object({input: count, output: count, cached: count, thoughts: count, tool: count, total: count});
});

const messageSchema = lazySchema((z) =>
	z.object({
		id: z.union([z.string().min(1), z.number()]).transform(String),
		timestamp: z.union([z.string(), z.number()]).nullish(),
		type: z.literal('gemini'),
		model: z.string().nullish(),
		tokens: tokensSchema(),
	}),
);

type GeminiTokens = z.infer<ReturnType<typeof tokensSchema>>;

export interface GeminiContext {
	path: string;
	sessionId: string;
	workspace: string | null;
	/** Used when a message has no timestamp (header `lastUpdated`/`startTime`). */
	fallbackAt: number | null;
	line: number | null;
	offset: number | null;
}

function toMs(v: unknown): number | null {
	if (typeof v === 'string') {
		const t = Date.parse(v);
		return Number.isNaN(t) ? null : t;
	}
	if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v < 1e12 ? v * 1000 : v;
	return null;
}

export function normalizeGeminiTokens(t: GeminiTokens): Tokens {
	const input = t.input ?? null;
	const cached = t.cached ?? null;
	const thoughts = t.thoughts ?? null;
	const tool = t.tool ?? null;
	const output = t.output ?? null;
	const total = t.total ?? null;
	let cachedOutside = false;
	if (input !== null && output !== null && cached !== null && cached > 0 && total !== null) {
		const rest = output + (thoughts ?? 0) + (tool ?? 0);
		cachedOutside = total === input + cached + rest && total !== input + rest;
	}
	const totalInput = input === null ? null : input + (tool ?? 0) + (cachedOutside ? cached! : 0);
	const totalOutput = output === null ? null : output + (thoughts ?? 0);
	return {
		input: totalInput,
		cacheRead: cached,
		cacheWrite: null,
		cacheWrite5m: null,
		cacheWrite1h: null,
		output: totalOutput,
		reasoning: thoughts,
		total: total ?? (totalInput !== null && totalOutput !== null ? totalInput + totalOutput : null),
	};
}

/** One message object → a record, or null when it is not a billed gemini message. */
export function geminiRecord(value: unknown, ctx: GeminiContext, problems: Problem[]): UsageRecord | null {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
	const v = value as {type?: unknown; tokens?: unknown};
	if (v.type !== 'gemini' || v.tokens === undefined || v.tokens === null) return null;
	const parsed = messageSchema().safeParse(value);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		problems.push({
			kind: 'invalid-record',
			path: ctx.path,
			line: ctx.line,
			field: issue?.path.join('.') || undefined,
			reason: issue?.message ?? 'invalid gemini message',
		});
		return null;
	}
	const m = parsed.data;
	const t = m.tokens;
	if ([t.input, t.output, t.cached, t.thoughts, t.tool, t.total].every((x) => x === null || x === undefined || x === 0)) return null;
	const at = toMs(m.timestamp) ?? ctx.fallbackAt;
	if (at === null) {
		problems.push({kind: 'invalid-record', path: ctx.path, line: ctx.line, field: 'timestamp', reason: `message ${m.id}: no usable timestamp`});
		return null;
	}
	const tokens = normalizeGeminiTokens(t);
	return {
		key: `gemini:${ctx.sessionId}:${m.id}`,
		source: 'gemini',
		provider: 'google',
		model: m.model ?? null,
		runId: ctx.sessionId,
		turn: null,
		issue: null,
		workspace: ctx.workspace,
		startedAt: null,
		at,
		tokens,
		usageSource: 'provider_reported',
		reportedCostUsd: null,
		granularity: 'per-message',
		coverage: coverageOf(tokens),
		origin: {path: ctx.path, line: ctx.line, offset: ctx.offset},
	};
}

/** `session-2026-10-02T11-00-abcd.jsonl` → `session-2026-10-02T11-00-abcd`: the id of a headerless file. */
const fileStem = (path: string) => basename(path).replace(/\.jsonl?$/, '');

// ---- JSONL (append log) ----

export interface GeminiLineState {
	sessionId: string | null;
	projectHash: string | null;
	workspace: string | null;
	fallbackAt: number | null;
}

const TOKENS = Buffer.from('"tokens"');
const SESSION_ID = Buffer.from('"sessionId"');

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const geminiJsonlSource: LineSource<GeminiLineState> = {
	kind: 'gemini',
	parserVersion: GEMINI_PARSER_VERSION,
	initialState: (path) => ({sessionId: null, projectHash: null, workspace: geminiWorkspace(path, null), fallbackAt: null}),
	parse: parseGeminiChunk,
};

export function parseGeminiChunk(chunk: Buffer, state: GeminiLineState, at: ChunkPosition): ParseResult<GeminiLineState> {
	const records: UsageRecord[] = [];
	const problems: Problem[] = [];
	let s = {...state};
	const {consumedBytes, consumedLines} = forEachCompleteLine(chunk, (start, end, index) => {
		const line = at.line + index;
		if (at.offset + start === 0 && hasBom(chunk, start)) start += 3;
		if (isBlank(chunk, start, end)) return;
		// Raw-byte pre-filter: only lines with tokens (messages, `$set.messages`) or the header are parsed.
		const hasTokens = lineContains(chunk, start, end, TOKENS);
		const maybeHeader = s.sessionId === null && lineContains(chunk, start, end, SESSION_ID);
		if (!hasTokens && !maybeHeader) return;
		const parsed = parseJsonLine(chunk, start, end);
		if (!parsed.ok) {
			problems.push({kind: 'malformed-json', path: at.path, line, reason: `not valid JSON: ${parsed.error}`});
			return;
		}
		const value = parsed.value;
		if (!isObject(value)) return;
		const ctx = (): GeminiContext => ({
			path: at.path,
			sessionId: s.sessionId ?? fileStem(at.path),
			workspace: s.workspace,
			fallbackAt: s.fallbackAt,
			line,
			offset: at.offset + start,
		});
		if (isObject(value.$set)) {
			const set = value.$set;
			s = withHeader(s, set, at.path);
			if (Array.isArray(set.messages)) {
				for (const m of set.messages) {
					const r = geminiRecord(m, ctx(), problems);
					if (r) records.push(r);
				}
			}
			return;
		}
		if ('$patch' in value || '$rewindTo' in value) return;
		if (value.type === undefined && typeof value.sessionId === 'string') {
			s = withHeader(s, value, at.path);
			return;
		}
		const r = geminiRecord(value, ctx(), problems);
		if (r) records.push(r);
	});
	return {records, events: [], problems, consumedBytes, consumedLines, state: s};
}

function withHeader(s: GeminiLineState, h: Record<string, unknown>, path: string): GeminiLineState {
	const next = {...s};
	if (next.sessionId === null && typeof h.sessionId === 'string' && h.sessionId !== '') next.sessionId = h.sessionId;
	if (typeof h.projectHash === 'string' && h.projectHash !== '') {
		next.projectHash = h.projectHash;
		if (next.workspace === null) next.workspace = geminiWorkspace(path, h.projectHash);
	}
	const t = toMs(h.lastUpdated) ?? toMs(h.startTime);
	if (t !== null) next.fallbackAt = t;
	return next;
}

// ---- JSON (one document) ----

export const geminiJsonSource: DocumentSource = {
	kind: 'gemini',
	parserVersion: GEMINI_PARSER_VERSION,
	read: readGeminiJson,
};

export async function readGeminiJson(path: string): Promise<DocumentResult> {
	const problems: Problem[] = [];
	const records: UsageRecord[] = [];
	let buf: Buffer;
	try {
		buf = await readFile(path);
	} catch (error) {
		problems.push({kind: 'read-error', path, line: null, reason: (error as Error).message});
		return {records, events: [], problems};
	}
	// A document without a single "tokens" key bills nothing: not parsed.
	if (buf.indexOf(TOKENS) === -1) return {records, events: [], problems};
	let value: unknown;
	try {
		value = JSON.parse(buf.toString('utf8', hasBom(buf, 0) ? 3 : 0));
	} catch (error) {
		problems.push({kind: 'malformed-json', path, line: null, reason: `not valid JSON: ${(error as Error).message}`});
		return {records, events: [], problems};
	}
	if (!isObject(value) || !Array.isArray(value.messages)) {
		problems.push({kind: 'unsupported-format', path, line: null, reason: 'not a Gemini CLI chat: expected an object with a messages array'});
		return {records, events: [], problems};
	}
	const header = withHeader({sessionId: null, projectHash: null, workspace: geminiWorkspace(path, null), fallbackAt: null}, value, path);
	const ctx: GeminiContext = {
		path,
		sessionId: header.sessionId ?? fileStem(path),
		workspace: header.workspace,
		fallbackAt: header.fallbackAt,
		line: null,
		offset: null,
	};
	for (const m of value.messages) {
		const r = geminiRecord(m, ctx, problems);
		if (r) records.push(r);
	}
	return {records, events: [], problems};
}
