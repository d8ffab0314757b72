/**
 * Pipeline instrumentation (seed 003): per-call LLM usage appended by `log_llm_usage` to
 * `output/runs/<run_id>/instrumentation_calls.jsonl`, and the driver's run report
 * `output/runs/<run_id>/instrumentation.json` (RunInstrumentation: stages[] with llm calls and totals).
 *
 * Never double count: the calls sink is the per-call source. The run report adds records only for
 * a run directory WITHOUT a sink (the driver may delete it after aggregating, or calls were not
 * included): per call when the stage lists its calls, else one `per-session-aggregate` record per
 * stage from its totals. Run = run_id; the stage is kept in `meta.stage` for drill-down.
 */
import {existsSync, statSync} from 'node:fs';
import {readFile} from 'node:fs/promises';
import {basename, dirname, join} from 'node:path';
import type {Problem} from '../core/problems.js';
import {coverageOf, emptyTokens, type Granularity, type UsageRecord} from '../core/record.js';
import {forEachCompleteLine, isBlank, parseJsonLine} from './lines.js';
import type {DocumentResult, DocumentSource, LineSource} from './types.js';

export const INSTRUMENTATION_CALLS_FILE = 'instrumentation_calls.jsonl';
export const INSTRUMENTATION_REPORT_FILE = 'instrumentation.json';

export interface InstrumentationState {
	/** The run directory's name: the run id when a line does not carry one. */
	runDir: string;
	/** File mtime (epoch ms): the time of calls that carry no timestamp. */
	fallbackAt: number;
}

export const instrumentationCallsSource: LineSource<InstrumentationState> = {
	kind: 'instrumentation',
	parserVersion: 1,
	initialState(path) {
		let fallbackAt = Date.now();
		try {
			fallbackAt = statSync(path).mtimeMs;
		} catch {
			// Unreadable files are reported by the reader.
		}
		return {runDir: basename(dirname(path)), fallbackAt: Math.round(fallbackAt)};
	},
	parse(chunk, state, pos) {
		const records: UsageRecord[] = [];
		const problems: Problem[] = [];
		const {consumedBytes, consumedLines} = forEachCompleteLine(chunk, (start, end, index) => {
			if (isBlank(chunk, start, end)) return;
			const line = pos.line + index;
			const parsed = parseJsonLine(chunk, start, end);
			if (!parsed.ok) return void problems.push({kind: 'malformed-json', path: pos.path, line, reason: `not valid JSON: ${parsed.error}`});
			if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
				return void problems.push({kind: 'not-an-object', path: pos.path, line, reason: 'a call event must be a JSON object'});
			}
			const c = parsed.value as Record<string, unknown>;
			const runId = str(c.run_id) ?? state.runDir;
			const stage = str(c.stage) ?? str(c.stage_id);
			const stated = timeOf(c.timestamp ?? c.ts ?? c.created_at ?? c.time ?? c.ended_at);
			const record = callRecord(c, {
				runId,
				stage,
				at: stated ?? state.fallbackAt,
				key: str(c.request_id) ? `instrumentation:${runId}:${str(c.request_id)}` : `instrumentation:${runId}:line:${line}`,
				origin: {path: pos.path, line, offset: pos.offset + start},
				problem: (field, reason) => problems.push({kind: 'invalid-record', path: pos.path, line, field, reason}),
			});
			records.push(record);
		});
		return {records, events: [], problems, consumedBytes, consumedLines, state};
	},
};

export const instrumentationReportSource: DocumentSource = {
	kind: 'instrumentation',
	parserVersion: 1,
	read: readInstrumentationReport,
};

export async function readInstrumentationReport(path: string): Promise<DocumentResult> {
	// The sink in the same run directory has every call: the report would only count them again.
	if (existsSync(join(dirname(path), INSTRUMENTATION_CALLS_FILE))) return {records: [], events: [], problems: []};
	const problems: Problem[] = [];
	let doc: unknown;
	try {
		doc = JSON.parse(await readFile(path, 'utf8'));
	} catch (error) {
		return {records: [], events: [], problems: [{kind: 'malformed-json', path, line: null, reason: `run report is not valid JSON: ${(error as Error).message}`}]};
	}
	if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
		return {records: [], events: [], problems: [{kind: 'not-an-object', path, line: null, reason: 'run report must be a JSON object'}]};
	}
	const run = doc as Record<string, unknown>;
	const runId = str(run.run_id) ?? basename(dirname(path));
	const runEnd = timeOf(run.ended_at) ?? timeOf(run.started_at);
	const records: UsageRecord[] = [];
	const stages = Array.isArray(run.stages) ? run.stages : [];
	stages.forEach((s, si) => {
		if (typeof s !== 'object' || s === null) return;
		const st = s as Record<string, unknown>;
		const stage = str(st.stage) ?? str(st.id) ?? `stage-${si + 1}`;
		const stageId = str(st.id) ?? stage;
		const llm = (typeof st.llm === 'object' && st.llm !== null ? st.llm : {}) as Record<string, unknown>;
		const calls = Array.isArray(st.llm_calls) ? st.llm_calls : Array.isArray(llm.calls) ? llm.calls : [];
		const at = timeOf(st.ended_at) ?? timeOf(st.started_at) ?? runEnd;
		const startedAt = timeOf(st.started_at);
		const problem = (field: string, reason: string) => problems.push({kind: 'invalid-record', path, line: null, field: `stages[${si}].${field}`, reason});
		if (at === null) return problem('ended_at', 'stage without a time; its calls are skipped');
		if (calls.length > 0) {
			calls.forEach((c, ci) => {
				if (typeof c !== 'object' || c === null) return;
				const call = c as Record<string, unknown>;
				const rid = str(call.request_id);
				records.push(
					callRecord(call, {
						runId,
						stage,
						at,
						startedAt,
						key: rid ? `instrumentation:${runId}:${rid}` : `instrumentation:${runId}:${stageId}:${ci + 1}`,
						origin: {path, line: null, offset: null},
						problem: (field, reason) => problem(`calls[${ci}].${field}`, reason),
					}),
				);
			});
			return;
		}
		const totals = (typeof st.llm_totals === 'object' && st.llm_totals !== null ? st.llm_totals : typeof llm.totals === 'object' && llm.totals !== null ? llm.totals : null) as Record<string, unknown> | null;
		if (!totals || !(num(totals.calls) ?? 0)) return;
		records.push(
			callRecord(totals, {
				runId,
				stage,
				at,
				startedAt,
				key: `instrumentation:${runId}:${stageId}:totals`,
				origin: {path, line: null, offset: null},
				granularity: 'per-session-aggregate',
				problem: (field, reason) => problem(`llm_totals.${field}`, reason),
			}),
		);
	});
	return {records, events: [], problems};
}

interface CallContext {
	runId: string;
	stage: string | null;
	at: number;
	startedAt?: number | null;
	key: string;
	origin: UsageRecord['origin'];
	granularity?: Granularity;
	problem: (field: string, reason: string) => void;
}

/** prompt_tokens (OpenAI style: includes cached input) → input; completion_tokens → output. */
function callRecord(c: Record<string, unknown>, ctx: CallContext): UsageRecord {
	const count = (name: string): number | null => {
		const v = c[name];
		if (v === undefined || v === null) return null;
		if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
		ctx.problem(name, `${name} is not a non-negative number; treated as unknown`);
		return null;
	};
	const tokens = emptyTokens();
	tokens.input = count('prompt_tokens');
	tokens.output = count('completion_tokens');
	tokens.total = count('total_tokens') ?? (tokens.input !== null && tokens.output !== null ? tokens.input + tokens.output : null);
	const cost = count('cost');
	const requestMs = num(c.request_ms);
	const known = tokens.input !== null || tokens.output !== null;
	return {
		key: ctx.key,
		source: 'instrumentation',
		provider: str(c.provider),
		model: str(c.model),
		runId: ctx.runId,
		turn: null,
		issue: null,
		workspace: null,
		startedAt: ctx.startedAt ?? (requestMs !== null ? Math.round(ctx.at - requestMs) : null),
		at: ctx.at,
		tokens,
		usageSource: known ? 'provider_reported' : 'unavailable',
		reportedCostUsd: cost,
		granularity: known ? (ctx.granularity ?? 'per-message') : cost !== null ? 'cost-only' : (ctx.granularity ?? 'per-message'),
		coverage: coverageOf(tokens),
		origin: ctx.origin,
		meta: ctx.stage ? {stage: ctx.stage} : {},
	};
}

/** ISO strings, or epoch seconds / milliseconds (< 1e12 means seconds). */
function timeOf(v: unknown): number | null {
	if (typeof v === 'number' && Number.isFinite(v)) return v < 1e12 ? Math.round(v * 1000) : Math.round(v);
	if (typeof v !== 'string' || v.trim() === '') return null;
	// Python writes naive ISO timestamps and microseconds: treat naive as UTC, keep milliseconds.
	const t = v.trim().replace(/(\.\d{3})\d+/, '$1');
	const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(t) || !t.includes('T') ? t : `${t}Z`);
	return Number.isFinite(ms) ? ms : null;
}

function num(v: unknown): number | null {
	return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function str(v: unknown): string | null {
	return typeof v === 'string' && v.trim() !== '' ? v : null;
}
