/**
 * The normalized usage record: one per billable call or turn, whatever the source.
 *
 * Token semantics are the spec's (docs/usage-jsonl.md §5.2.1): `input` is the TOTAL billable input
 * (uncached + cache read + cache write), `output` includes reasoning. Every count is
 * `number | null`: null means the source did not say. Never default to 0.
 */

export type SourceKind =
	| 'symphony'
	| 'claude'
	| 'codex'
	| 'opencode'
	| 'gemini'
	| 'bosun'
	| 'instrumentation';

export type UsageSource = 'provider_reported' | 'estimated' | 'unavailable';

export type Granularity = 'per-turn' | 'per-message' | 'per-session-aggregate' | 'cost-only';

export type FidelityClass = 'full' | 'usage-only' | 'aggregate-only' | 'cost-only' | 'partial';

export interface Tokens {
	/** Total billable input, including cache reads and writes. */
	input: number | null;
	cacheRead: number | null;
	/** All cache writes (5m + 1h + unknown TTL). */
	cacheWrite: number | null;
	cacheWrite5m: number | null;
	cacheWrite1h: number | null;
	/** Output including reasoning. */
	output: number | null;
	/** Informational subset of output. */
	reasoning: number | null;
	/** The provider's total when it states one (kept as-is, spec §5.3), else input + output. */
	total: number | null;
}

/** What a source could tell us: availability, not value (seed 004). */
export interface Coverage {
	hasInputTokens: boolean;
	hasOutputTokens: boolean;
	hasReasoningTokens: boolean;
	hasCacheReadTokens: boolean;
	hasCacheCreateTokens: boolean;
	hasToolCalls: boolean;
	hasToolResultEvents: boolean;
	hasSessionRelationships: boolean;
	hasRawContent: boolean;
}

/** A vendor-reported rate-limit window sample (Codex `rate_limits`, usage.jsonl `quota`). */
export interface QuotaWindow {
	label: string;
	windowMinutes: number | null;
	usedPercent: number;
	/** Epoch seconds, when known. */
	resetsAt: number | null;
}

export interface QuotaSample {
	at: number;
	planType: string | null;
	windows: QuotaWindow[];
}

/** Where a record came from, for problems and drill-down. */
export interface Origin {
	path: string;
	/** 1-based line number, when the source is line-based. */
	line: number | null;
	/** Byte offset of the line start, when known. */
	offset: number | null;
}

export interface UsageRecord {
	/** Dedup key, global across files of the same source kind (e.g. `symphony:<runID>:<turn>`). */
	key: string;
	source: SourceKind;
	provider: string | null;
	model: string | null;
	/** Session / run id. A transcript session is a run. */
	runId: string;
	/** Turn ordinal within the run, when the source numbers turns. */
	turn: number | null;
	issue: string | null;
	workspace: string | null;
	/** Epoch ms. */
	startedAt: number | null;
	/** Epoch ms: the record's timestamp (end of the call). Always present. */
	at: number;
	tokens: Tokens;
	usageSource: UsageSource;
	/** A cost the source itself states (USD), if any. Never computed here. */
	reportedCostUsd: number | null;
	granularity: Granularity;
	coverage: Coverage;
	origin: Origin;
	/** Optional descriptive fields (bot role, mode, exit reason, effort, PR, …). Strings only. */
	meta?: RecordMeta;
	quota?: QuotaSample | null;
	/** The model's context window in tokens when the source states it (Codex `model_context_window`). */
	contextWindow?: number | null;
}

export interface RecordMeta {
	botRole?: string;
	mode?: string;
	exitReason?: string;
	effort?: string;
	issueId?: string;
	estimate?: number;
	reviewerMode?: string;
	pullRequest?: { repo?: string; number?: number; headSHA?: string; url?: string };
	schemaVersion?: number;
	/** Symphony stage, pipeline stage, subagent id, … */
	stage?: string;
	agentId?: string;
	/** A sidechain (side question / replay) row rather than the main conversation. */
	sidechain?: boolean;
	/** The model was not stated near the call and was inferred (e.g. Codex fallback). */
	modelInferred?: boolean;
	/** Claude `usage.speed` (`fast` is billed at a premium). */
	speed?: string;
	/** Claude `usage.service_tier` (`standard`, `priority`, `batch`). */
	serviceTier?: string;
	/** Claude envelope `requestId`, when present. */
	requestId?: string;
	/** Claude line `uuid`, kept only when there is no requestId (it then tells copies of one request). */
	uuid?: string;
	/** The transcript session a record came from, when its run was re-attributed (the usage.jsonl rule, core/counting/usage-rule.ts). */
	sessionId?: string;
}

/** Non-billable activity (tool calls, errors) that anomaly rules read. */
export interface ActivityEvent {
	kind: 'tool_call' | 'tool_result' | 'error';
	source: SourceKind;
	runId: string;
	issue: string | null;
	at: number;
	/** Tool name or error category. */
	name: string;
	/** Tool arguments or error message, already truncated to a few hundred characters. */
	detail: string;
	/** tool_result only: did the tool succeed? */
	ok?: boolean;
}

/** Coverage flags in a fixed order (bit positions in compact encodings). */
export const COVERAGE_KEYS: readonly (keyof Coverage)[] = [
	'hasInputTokens',
	'hasOutputTokens',
	'hasReasoningTokens',
	'hasCacheReadTokens',
	'hasCacheCreateTokens',
	'hasToolCalls',
	'hasToolResultEvents',
	'hasSessionRelationships',
	'hasRawContent',
];

export const TOKEN_FIELDS = ['input', 'cacheRead', 'cacheWrite', 'output', 'reasoning', 'total'] as const;
export type TokenField = (typeof TOKEN_FIELDS)[number];

export function emptyTokens(): Tokens {
	return {
		input: null,
		cacheRead: null,
		cacheWrite: null,
		cacheWrite5m: null,
		cacheWrite1h: null,
		output: null,
		reasoning: null,
		total: null,
	};
}

/** `a + b` where either may be unknown: unknown only when both are. */
export function addKnown(a: number | null, b: number | null): number | null {
	if (a === null) return b;
	if (b === null) return a;
	return a + b;
}

/** Coverage of the token fields follows from what is null; the rest is what the source can carry. */
export function coverageOf(
	tokens: Tokens,
	capabilities?: Partial<
		Pick<
			Coverage,
			'hasToolCalls' | 'hasToolResultEvents' | 'hasSessionRelationships' | 'hasRawContent'
		>
	>,
): Coverage {
	// Bits in COVERAGE_KEYS order: one shared frozen object per pattern, not one per record.
	let bits = 0;
	if (tokens.input !== null) bits |= 1;
	if (tokens.output !== null) bits |= 2;
	if (tokens.reasoning !== null) bits |= 4;
	if (tokens.cacheRead !== null) bits |= 8;
	if (tokens.cacheWrite !== null) bits |= 16;
	if (capabilities !== undefined) {
		if (capabilities.hasToolCalls) bits |= 32;
		if (capabilities.hasToolResultEvents) bits |= 64;
		if (capabilities.hasSessionRelationships) bits |= 128;
		if (capabilities.hasRawContent) bits |= 256;
	}
	return coverageFromBits(bits);
}

const coverages: Coverage[] = [];

/** The shared frozen coverage object of a bit pattern (bit i is COVERAGE_KEYS[i]). */
export function coverageFromBits(bits: number): Coverage {
	let c = coverages[bits];
	if (c === undefined) {
		const o = {} as Coverage;
		for (let i = 0; i < COVERAGE_KEYS.length; i++) o[COVERAGE_KEYS[i]!] = (bits & (1 << i)) !== 0;
		coverages[bits] = c = Object.freeze(o);
	}
	return c;
}

/**
 * The shared object equal to `c` (records never change their coverage), or `c` itself when it
 * carries fields beyond the known ones.
 */
export function sharedCoverage(c: Coverage): Coverage {
	let bits = 0;
	for (let i = 0; i < COVERAGE_KEYS.length; i++) if (c[COVERAGE_KEYS[i]!]) bits |= 1 << i;
	const shared = coverageFromBits(bits);
	if (shared === c) return c;
	let keys = 0;
	for (const _ in c) keys++;
	return keys === COVERAGE_KEYS.length ? shared : c;
}
