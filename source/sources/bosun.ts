/**
 * bosun telemetry (docs/transcript-formats.md §6): `.cache/agent-work-logs/agent-work-stream.jsonl`.
 *
 * A whole-line source (read whole, judged whole): a `usage` event may be a per-event delta or a
 * running total per attempt (§6.3, unknown), and that can only be decided with all readings of an
 * attempt in hand. Rule:
 * an attempt whose readings never shrink (two or more) is cumulative, or has a single reading;
 * it becomes ONE record with the last values, granularity `per-session-aggregate`. An attempt
 * whose readings go down at least once is per-event: one record per reading, `per-turn`.
 * `session_end.cost_usd` and `agent-metrics.jsonl` are rollups of the same spend: never counted.
 */
import {basename, dirname} from 'node:path';
import type {Problem} from '../core/problems.js';
import {coverageOf, type ActivityEvent, type Tokens, type UsageRecord, emptyTokens} from '../core/record.js';
import {forEachCompleteLine, isBlank, lineContains, parseJsonLine} from './lines.js';
import type {WholeLineSource} from './types.js';

/** The stream and its rotated copies (`agent-work-stream-2026-10-01.jsonl.gz`, …). */
export const BOSUN_STREAM_FILE = /^agent-work-stream.*\.jsonl(\.gz)?$/;
export const BOSUN_LOG_DIR = ['.cache', 'agent-work-logs'] as const;

const NEEDLES = ['"usage"', '"error"', '"tool_call"', '"tool_result"', '"session_start"', '"session_end"'].map((s) => Buffer.from(s));
const DETAIL_MAX = 200;

interface Reading {
	at: number;
	line: number;
	offset: number;
	model: string | null;
	prompt: number | null;
	completion: number | null;
	total: number | null;
	cost: number | null;
}

interface Attempt {
	id: string;
	taskId: string | null;
	executor: string | null;
	model: string | null;
	firstAt: number;
	lastAt: number;
	readings: Reading[];
}

/** The repo root bosun ran in, from `<root>/.cache/agent-work-logs/<file>`; null when the layout differs. */
export function bosunRepoRoot(file: string): string | null {
	const logs = dirname(file);
	const cache = dirname(logs);
	if (basename(logs) !== BOSUN_LOG_DIR[1] || basename(cache) !== BOSUN_LOG_DIR[0]) return null;
	return dirname(cache);
}

interface BosunStreamState {
	attempts: Map<string, Attempt>;
	events: ActivityEvent[];
	problems: Problem[];
}

export const bosunSource: WholeLineSource<BosunStreamState> = {
	kind: 'bosun',
	parserVersion: 1,
	initialState: () => ({attempts: new Map(), events: [], problems: []}),
	parse(chunk, state, pos) {
		const {consumedBytes, consumedLines} = forEachCompleteLine(chunk, (start, end, index) => {
			if (isBlank(chunk, start, end)) return;
			if (!NEEDLES.some((n) => lineContains(chunk, start, end, n))) return;
			const line = pos.line + index;
			const parsed = parseJsonLine(chunk, start, end);
			if (!parsed.ok) return void state.problems.push({kind: 'malformed-json', path: pos.path, line, reason: `not valid JSON: ${parsed.error}`});
			if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
				return void state.problems.push({kind: 'not-an-object', path: pos.path, line, reason: 'a bosun event must be a JSON object'});
			}
			takeEvent(state, pos.path, parsed.value as Record<string, unknown>, line, pos.offset + start);
		});
		return {records: [], events: [], problems: [], consumedBytes, consumedLines, state};
	},
	finish({attempts, events, problems}, {path, line, tailBytes}) {
		if (tailBytes > 0) {
			problems.push({kind: 'incomplete-line', path, line, reason: `last line has no newline (${tailBytes} bytes): an incomplete event, skipped until it is finished`});
		}
		const workspace = bosunRepoRoot(path);
		const records: UsageRecord[] = [];
		for (const attempt of attempts.values()) records.push(...attemptRecords(attempt, path, workspace));
		return {records, events, problems};
	},
};

function takeEvent({attempts, events, problems}: BosunStreamState, path: string, e: Record<string, unknown>, line: number, offset: number): void {
	const type = str(e.event_type);
	if (!type) return;
	const at = Date.parse(str(e.timestamp) ?? '');
	if (!Number.isFinite(at)) {
		if (type === 'usage') problems.push({kind: 'invalid-record', path, line, field: 'timestamp', reason: 'usage event without a valid timestamp; skipped'});
		return;
	}
	const data = (typeof e.data === 'object' && e.data !== null ? e.data : {}) as Record<string, unknown>;
	const attemptId = str(e.attempt_id);
	const taskId = str(e.task_id);
	const runId = attemptId ?? (taskId ? `task:${taskId}` : null);
	let attempt: Attempt | undefined;
	if (runId) {
		attempt = attempts.get(runId);
		if (!attempt) attempts.set(runId, (attempt = {id: runId, taskId, executor: null, model: null, firstAt: at, lastAt: at, readings: []}));
		attempt.firstAt = Math.min(attempt.firstAt, at);
		attempt.lastAt = Math.max(attempt.lastAt, at);
		attempt.taskId ??= taskId;
		attempt.executor = str(e.executor) ?? attempt.executor;
		attempt.model = str(e.model) ?? attempt.model;
	}
	switch (type) {
		case 'usage': {
			if (!attempt) {
				problems.push({kind: 'invalid-record', path, line, field: 'attempt_id', reason: 'usage event without attempt_id or task_id: cannot be attributed to a run; skipped'});
				return;
			}
			const reading = readingOf(e, data, at, line, offset, (field, reason) => problems.push({kind: 'invalid-record', path, line, field, reason}));
			attempt.readings.push(reading);
			return;
		}
		case 'error':
			events.push({
				kind: 'error',
				source: 'bosun',
				runId: runId ?? '(no attempt)',
				issue: taskId,
				at,
				name: str(data.error_category) ?? 'error',
				detail: truncate(str(data.error_message) ?? str(data.error_fingerprint) ?? ''),
			});
			return;
		case 'tool_call':
		case 'tool_result': {
			const ok = type === 'tool_result' ? !(data.success === false || data.is_error === true || data.error !== undefined || /^(error|failed|failure)$/i.test(str(data.status) ?? '')) : undefined;
			events.push({
				kind: type,
				source: 'bosun',
				runId: runId ?? '(no attempt)',
				issue: taskId,
				at,
				name: str(data.tool_name) ?? str(data.name) ?? '(unknown tool)',
				detail: truncate(str(data.command) ?? ''),
				...(ok === undefined ? {} : {ok}),
			});
			return;
		}
	}
}

/** Readings that never shrink (or a single one) are a running total: true. */
export function isCumulative(readings: readonly Pick<Reading, 'prompt' | 'completion' | 'total' | 'cost'>[]): boolean {
	if (readings.length <= 1) return true;
	let previous = -Infinity;
	for (const r of readings) {
		const v = indicator(r);
		if (v === null) return false;
		if (v < previous) return false;
		previous = v;
	}
	return true;
}

function indicator(r: Pick<Reading, 'prompt' | 'completion' | 'total' | 'cost'>): number | null {
	if (r.total !== null) return r.total;
	if (r.prompt !== null && r.completion !== null) return r.prompt + r.completion;
	return r.cost;
}

function attemptRecords(a: Attempt, path: string, workspace: string | null): UsageRecord[] {
	if (a.readings.length === 0) return [];
	const provider = a.executor ? a.executor.toLowerCase() : null;
	const base = (r: Reading, tokens: Tokens, cost: number | null) => {
		const tokensKnown = tokens.input !== null || tokens.output !== null || tokens.total !== null;
		return {
			source: 'bosun' as const,
			provider,
			model: r.model ?? a.model,
			runId: a.id,
			issue: a.taskId,
			workspace,
			tokens,
			usageSource: tokensKnown ? ('provider_reported' as const) : ('unavailable' as const),
			reportedCostUsd: cost,
			coverage: coverageOf(tokens),
			origin: {path, line: r.line, offset: r.offset},
			meta: {...(a.executor ? {stage: a.executor} : {})},
		};
	};
	if (isCumulative(a.readings)) {
		const last = a.readings[a.readings.length - 1]!;
		const lastKnown = (f: 'prompt' | 'completion' | 'total' | 'cost') => {
			for (let i = a.readings.length - 1; i >= 0; i--) if (a.readings[i]![f] !== null) return a.readings[i]![f];
			return null;
		};
		const tokens = tokensOf(lastKnown('prompt'), lastKnown('completion'), lastKnown('total'));
		const b = base(last, tokens, lastKnown('cost'));
		return [{...b, key: `bosun:${a.id}`, turn: null, startedAt: a.firstAt, at: Math.max(a.lastAt, last.at), granularity: b.usageSource === 'unavailable' ? 'cost-only' : 'per-session-aggregate'}];
	}
	let previousAt = a.firstAt;
	return a.readings.map((r, i) => {
		const tokens = tokensOf(r.prompt, r.completion, r.total);
		const b = base(r, tokens, r.cost);
		const startedAt = previousAt;
		previousAt = r.at;
		return {...b, key: `bosun:${a.id}:${i + 1}`, turn: i + 1, startedAt, at: r.at, granularity: b.usageSource === 'unavailable' ? 'cost-only' : 'per-turn'};
	});
}

/** prompt → input (cache-inclusive or not depends on the SDK: no cache split is claimed). */
function tokensOf(prompt: number | null, completion: number | null, total: number | null): Tokens {
	const t = emptyTokens();
	t.input = prompt;
	t.output = completion;
	t.total = total ?? (prompt !== null && completion !== null ? prompt + completion : null);
	return t;
}

function readingOf(
	e: Record<string, unknown>,
	data: Record<string, unknown>,
	at: number,
	line: number,
	offset: number,
	problem: (field: string, reason: string) => void,
): Reading {
	const nested = (typeof data.usage === 'object' && data.usage !== null ? data.usage : {}) as Record<string, unknown>;
	const pick = (names: string[]): number | null => {
		for (const scope of [data, nested, e]) {
			for (const n of names) {
				const v = scope[n];
				if (v === undefined || v === null) continue;
				if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
				problem(n, `${n} is not a non-negative number (${JSON.stringify(v).slice(0, 40)}); treated as unknown`);
				return null;
			}
		}
		return null;
	};
	return {
		at,
		line,
		offset,
		model: str(e.model),
		prompt: pick(['prompt_tokens', 'input_tokens']),
		completion: pick(['completion_tokens', 'output_tokens']),
		total: pick(['total_tokens']),
		cost: pick(['cost_usd']),
	};
}

function str(v: unknown): string | null {
	return typeof v === 'string' && v.trim() !== '' ? v : null;
}

function truncate(s: string): string {
	return s.length > DETAIL_MAX ? `${s.slice(0, DETAIL_MAX - 1)}…` : s;
}
