/**
 * OpenCode (docs/transcript-formats.md §3): one record per assistant message, from the SQLite store
 * (`opencode-sqlite.ts`) or the legacy `storage/message/<session>/<message>.json` tree (here).
 * Both produce the same key, `opencode:<messageId>`; the ledger lets the DB copy win.
 *
 * Token semantics (§0.1, §3.5):
 * - `tokens.input` is already uncached, so total input = input + cache.read + cache.write.
 * - `tokens.reasoning` is kept as the informational subset of output and NOT added to it: for the
 *   providers most people use through OpenCode (Anthropic, OpenAI) the provider's output already
 *   includes it, and adding it again would double count (the doc's pitfall; ccusage ignores it).
 * - `tokens.total` is ignored (it follows the AI SDK's provider-dependent meaning); total = input + output.
 * - A key that is absent stays null ("not available" is not "zero", seed 002); an explicit 0 is 0.
 *
 * Step-finish pitfall: OpenCode overwrites `message.tokens` with each step's tokens while `cost`
 * accumulates. When a message has `step-finish` parts with tokens, the record's tokens are the sum
 * of those parts and the message-level tokens are not added; otherwise the message tokens are used.
 * `cost` (accumulated over steps) is kept as the reported cost when it is > 0 (0 means "not stated").
 */
import {readdir, readFile} from 'node:fs/promises';
import {basename, dirname, join} from 'node:path';
import type {z} from 'zod';
import type {Problem} from '../core/problems.js';
import {addKnown, coverageOf, type RecordMeta, type Tokens, type UsageRecord} from '../core/record.js';
import {lazySchema} from '../core/zod.js';
import type {DocumentResult, DocumentSource} from './types.js';

export const OPENCODE_PARSER_VERSION = 1;

const tokensSchema = lazySchema((z) => {
	const count = z.number().finite().nonnegative().nullish();
	return z.object({
		input: count,
		output: count,
		reasoning: count,
		cache: z.object({read: count, write: count}).nullish(),
	});
});

export type OpencodeTokens = z.infer<ReturnType<typeof tokensSchema>>;

const assistantSchema = lazySchema((z) =>
	z.object({
		id: z.string().min(1).optional(),
		sessionID: z.string().min(1).optional(),
		role: z.literal('assistant'),
		modelID: z.string().nullish(),
		providerID: z.string().nullish(),
		mode: z.string().nullish(),
		agent: z.string().nullish(),
		path: z.object({cwd: z.string().nullish(), root: z.string().nullish()}).nullish(),
		cost: z.number().finite().nullish(),
		tokens: tokensSchema().nullish(),
		time: z.object({created: z.number().nullish(), completed: z.number().nullish()}).nullish(),
	}),
);

export interface StepFinish {
	tokens: OpencodeTokens;
}

/** Everything a message row or file needs besides its own JSON. */
export interface MessageContext {
	path: string;
	/** Message id from the DB row or the file name; wins over `data.id`. */
	messageId: string | null;
	sessionId: string | null;
	/** Row `time_created` (DB), used when the message has no time. */
	timeCreated: number | null;
	/** The session's `directory`, used when the message has no `path.cwd`. */
	sessionDirectory: string | null;
	/** The session has a parent (a sub-agent session). */
	hasParent: boolean | null;
	steps: StepFinish[];
}

/** Epoch ms; a few OpenCode fields are seconds (< 1e12), as codeburn checks. */
export function epochMs(v: number | null | undefined): number | null {
	if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return null;
	return v < 1e12 ? Math.round(v * 1000) : Math.round(v);
}

const countOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);

/**
 * Parses one step-finish part's JSON; anything else (or garbage) is null. Hand-checked rather
 * than zod: a database holds one per LLM call, and this runs on every re-read.
 */
export function parseStepFinish(json: string): StepFinish | null {
	let value: unknown;
	try {
		value = JSON.parse(json);
	} catch {
		return null;
	}
	if (typeof value !== 'object' || value === null || (value as {type?: unknown}).type !== 'step-finish') return null;
	const t = (value as {tokens?: unknown}).tokens;
	if (typeof t !== 'object' || t === null) return null;
	const o = t as Record<string, unknown>;
	const cache = typeof o.cache === 'object' && o.cache !== null ? (o.cache as Record<string, unknown>) : null;
	return {
		tokens: {
			input: countOrNull(o.input),
			output: countOrNull(o.output),
			reasoning: countOrNull(o.reasoning),
			cache: cache ? {read: countOrNull(cache.read), write: countOrNull(cache.write)} : null,
		},
	};
}

interface RawBuckets {
	uncached: number | null;
	cacheRead: number | null;
	cacheWrite: number | null;
	output: number | null;
	reasoning: number | null;
}

function bucketsOf(t: OpencodeTokens): RawBuckets {
	return {
		uncached: t.input ?? null,
		cacheRead: t.cache?.read ?? null,
		cacheWrite: t.cache?.write ?? null,
		output: t.output ?? null,
		reasoning: t.reasoning ?? null,
	};
}

function sumBuckets(list: RawBuckets[]): RawBuckets {
	const out: RawBuckets = {uncached: null, cacheRead: null, cacheWrite: null, output: null, reasoning: null};
	for (const b of list) {
		for (const k of Object.keys(out) as Array<keyof RawBuckets>) out[k] = addKnown(out[k], b[k]);
	}
	return out;
}

/** OpenCode buckets → normalized tokens (input is total input; output includes reasoning). */
export function normalizeTokens(b: RawBuckets): Tokens {
	const input = b.uncached === null ? null : b.uncached + (b.cacheRead ?? 0) + (b.cacheWrite ?? 0);
	return {
		input,
		cacheRead: b.cacheRead,
		cacheWrite: b.cacheWrite,
		cacheWrite5m: null,
		cacheWrite1h: null,
		output: b.output,
		reasoning: b.reasoning,
		total: input !== null && b.output !== null ? input + b.output : null,
	};
}

const isEmpty = (b: RawBuckets) => Object.values(b).every((v) => v === null || v === 0);

/**
 * One assistant message (already JSON-parsed) → a record, or null when it carries no usage
 * (user messages, placeholders with all-zero tokens). Invalid shapes become problems.
 */
export function opencodeRecord(value: unknown, ctx: MessageContext, problems: Problem[]): UsageRecord | null {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		problems.push({kind: 'not-an-object', path: ctx.path, line: null, reason: `message ${ctx.messageId ?? '?'}: not a JSON object`});
		return null;
	}
	if ((value as {role?: unknown}).role !== 'assistant') return null;
	const parsed = assistantSchema().safeParse(value);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		problems.push({
			kind: 'invalid-record',
			path: ctx.path,
			line: null,
			field: issue?.path.join('.') || undefined,
			reason: `message ${ctx.messageId ?? '?'}: ${issue?.message ?? 'invalid'}`,
		});
		return null;
	}
	const m = parsed.data;
	const messageId = ctx.messageId ?? m.id ?? null;
	const sessionId = ctx.sessionId ?? m.sessionID ?? null;
	if (!messageId || !sessionId) {
		problems.push({kind: 'invalid-record', path: ctx.path, line: null, reason: 'assistant message without a message or session id'});
		return null;
	}
	const buckets = ctx.steps.length > 0 ? sumBuckets(ctx.steps.map((s) => bucketsOf(s.tokens))) : m.tokens ? bucketsOf(m.tokens) : null;
	const cost = typeof m.cost === 'number' && m.cost > 0 ? m.cost : null;
	if (!buckets || (isEmpty(buckets) && cost === null)) return null;
	const startedAt = epochMs(m.time?.created) ?? epochMs(ctx.timeCreated);
	const at = epochMs(m.time?.completed) ?? startedAt;
	if (at === null) {
		problems.push({kind: 'invalid-record', path: ctx.path, line: null, field: 'time', reason: `message ${messageId}: no usable timestamp`});
		return null;
	}
	const tokens = normalizeTokens(buckets);
	const meta: RecordMeta = {};
	const mode = m.agent ?? m.mode;
	if (mode) meta.mode = mode;
	return {
		key: `opencode:${messageId}`,
		source: 'opencode',
		provider: m.providerID ?? null,
		model: m.modelID ?? null,
		runId: sessionId,
		turn: null,
		issue: null,
		workspace: m.path?.cwd || m.path?.root || ctx.sessionDirectory || null,
		startedAt,
		at,
		tokens,
		usageSource: 'provider_reported',
		reportedCostUsd: cost,
		granularity: 'per-message',
		coverage: coverageOf(tokens, {hasSessionRelationships: ctx.hasParent !== null}),
		origin: {path: ctx.path, line: null, offset: null},
		...(Object.keys(meta).length > 0 ? {meta} : {}),
	};
}

const ASSISTANT = Buffer.from('"assistant"');
const STEP_FINISH = Buffer.from('"step-finish"');

/**
 * Legacy storage: `storage/message/<sessionID>/<messageID>.json`, with its step-finish parts in
 * `storage/part/<messageID>/*.json` and the session (for the directory) in
 * `storage/session/<projectID>/<sessionID>.json`. The tree is no longer written after the SQLite
 * migration, so the session lookups are cached for the life of the process.
 */
export const opencodeJsonSource: DocumentSource = {
	kind: 'opencode',
	parserVersion: OPENCODE_PARSER_VERSION,
	read: readLegacyMessage,
};

export async function readLegacyMessage(path: string): Promise<DocumentResult> {
	const problems: Problem[] = [];
	const empty = {records: [], events: [], problems};
	let buf: Buffer;
	try {
		buf = await readFile(path);
	} catch (error) {
		problems.push({kind: 'read-error', path, line: null, reason: (error as Error).message});
		return empty;
	}
	// Raw-byte pre-filter: only assistant messages carry usage.
	if (buf.indexOf(ASSISTANT) === -1) return empty;
	let value: unknown;
	try {
		value = JSON.parse(buf.toString('utf8'));
	} catch (error) {
		problems.push({kind: 'malformed-json', path, line: null, reason: `not valid JSON: ${(error as Error).message}`});
		return empty;
	}
	const storage = storageDirOf(path);
	const messageId = basename(path, '.json');
	const sessionId = basename(dirname(path));
	const cwd = (value as {path?: {cwd?: unknown}} | null)?.path?.cwd;
	const needsSession = !(typeof cwd === 'string' && cwd !== '');
	const session = storage && needsSession ? await legacySession(storage, sessionId) : null;
	const steps = storage ? await legacySteps(storage, messageId) : [];
	const record = opencodeRecord(value, {
		path,
		messageId,
		sessionId,
		timeCreated: null,
		sessionDirectory: session?.directory ?? null,
		hasParent: session ? session.hasParent : null,
		steps,
	}, problems);
	return {records: record ? [record] : [], events: [], problems};
}

/** `<storage>` for `<storage>/message/<session>/<message>.json`, else null. */
function storageDirOf(path: string): string | null {
	const messageDir = dirname(dirname(path));
	return basename(messageDir) === 'message' ? dirname(messageDir) : null;
}

async function legacySteps(storage: string, messageId: string): Promise<StepFinish[]> {
	const dir = join(storage, 'part', messageId);
	let names: string[];
	try {
		names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
	} catch {
		return [];
	}
	const steps: StepFinish[] = [];
	for (const name of names) {
		let buf: Buffer;
		try {
			buf = await readFile(join(dir, name));
		} catch {
			continue;
		}
		// Tool parts can be large; only step-finish parts are parsed.
		if (buf.indexOf(STEP_FINISH) === -1) continue;
		const step = parseStepFinish(buf.toString('utf8'));
		if (step) steps.push(step);
	}
	return steps;
}

interface LegacySession {
	directory: string | null;
	hasParent: boolean;
}

const sessionCache = new Map<string, Promise<LegacySession | null>>();

function legacySession(storage: string, sessionId: string): Promise<LegacySession | null> {
	const key = `${storage}\0${sessionId}`;
	let hit = sessionCache.get(key);
	if (!hit) {
		hit = findLegacySession(storage, sessionId);
		sessionCache.set(key, hit);
	}
	return hit;
}

async function findLegacySession(storage: string, sessionId: string): Promise<LegacySession | null> {
	const root = join(storage, 'session');
	let projects: string[];
	try {
		projects = await readdir(root);
	} catch {
		return null;
	}
	for (const project of projects) {
		let text: string;
		try {
			text = await readFile(join(root, project, `${sessionId}.json`), 'utf8');
		} catch {
			continue;
		}
		try {
			const s = JSON.parse(text) as {directory?: unknown; parentID?: unknown};
			return {
				directory: typeof s.directory === 'string' && s.directory !== '' ? s.directory : null,
				hasParent: typeof s.parentID === 'string' && s.parentID !== '',
			};
		} catch {
			return null;
		}
	}
	return null;
}
