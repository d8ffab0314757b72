/**
 * Symphony `usage.jsonl` (docs/usage-jsonl.md): one record per coding-agent turn.
 *
 * The reader parses `schemaVersion` first and dispatches to a decoder for it (§6.4). A version
 * above the highest known is decoded best-effort with the newest decoder and flagged loudly.
 */
import type {z} from 'zod';
import {lazySchema} from '../core/zod.js';
import type {Problem} from '../core/problems.js';
import {coverageOf, type QuotaSample, type RecordMeta, type Tokens, type UsageRecord} from '../core/record.js';
import {isBlank, LineCursor, parseJsonLine} from './lines.js';
import {isWellFormedV1, parseIso} from './symphony-fast.js';
import type {ChunkPosition, LineSource, ParseResult} from './types.js';

export const HIGHEST_KNOWN_SCHEMA_VERSION = 1;

/** Stream files of one telemetry directory: `usage*.jsonl` and `usage*.jsonl.gz` (§4.1). */
export const SYMPHONY_FILE = /^usage.*\.jsonl(\.gz)?$/;

const quotaSchema = lazySchema((z) =>
	z.object({
		planType: z.string().nullish(),
		windows: z.array(
			z.object({
				label: z.string(),
				windowMinutes: z.number().nullish(),
				usedPercent: z.number().min(0).max(100),
				resetsAt: z.number().nullish(),
			}),
		),
	}),
);

/** §5.1 required fields and the §5.2 optional fields burn keeps. Unknown fields are opaque. */
const recordV1 = lazySchema((z) => {
	const timestamp = z.iso.datetime({offset: true});
	const tokenCount = z.number().int().nonnegative().nullable().optional();
	const optionalCount = z.number().int().nonnegative().nullish();
	return z
		.object({
			schemaVersion: z.number().int().min(1),
			recordedAt: timestamp,
			runID: z.guid(),
			turn: z.number().int().min(1),
			issueIdentifier: z.string().min(1),
			provider: z.string().min(1),
			model: z.string().min(1),
			botRole: z.enum(['developer', 'reviewer']),
			inputTokens: tokenCount,
			outputTokens: tokenCount,
			totalTokens: tokenCount,
			usageSource: z.enum(['provider_reported', 'estimated', 'unavailable']),
			startedAt: timestamp,
			endedAt: timestamp,
			inputUncachedTokens: optionalCount,
			inputCachedReadTokens: optionalCount,
			inputCacheWriteTokens: optionalCount,
			inputCacheWriteEphemeral5mTokens: optionalCount,
			inputCacheWriteEphemeral1hTokens: optionalCount,
			outputVisibleTokens: optionalCount,
			outputReasoningTokens: optionalCount,
			issueID: z.string().nullish(),
			mode: z.string().nullish(),
			effort: z.string().nullish(),
			exitReason: z.string().nullish(),
			estimate: z.number().nullish(),
			workspacePath: z.string().nullish(),
			reviewerMode: z.string().nullish(),
			pullRequest: z
				.object({
					repo: z.string().nullish(),
					number: z.number().nullish(),
					headSHA: z.string().nullish(),
					url: z.string().nullish(),
				})
				.nullish(),
			quota: z.unknown().optional(),
		})
		.superRefine((r, ctx) => {
			if (Date.parse(r.startedAt) > Date.parse(r.endedAt)) {
				ctx.addIssue({code: 'custom', path: ['startedAt'], message: 'startedAt is after endedAt (§5.1 requires startedAt ≤ endedAt)'});
			}
			if (r.usageSource === 'unavailable') {
				for (const f of ['inputTokens', 'outputTokens', 'totalTokens'] as const) {
					if (r[f] !== null && r[f] !== undefined) {
						ctx.addIssue({code: 'custom', path: [f], message: `must be null when usageSource is "unavailable" (got ${r[f]})`});
					}
				}
			}
		});
});

type RecordV1 = z.infer<ReturnType<typeof recordV1>>;

export interface SymphonyState {
	/** Schema versions above the highest known already reported for this file (one problem each). */
	reportedVersions: number[];
}

export const symphonySource: LineSource<SymphonyState> = {
	kind: 'symphony',
	parserVersion: 1,
	initialState: () => ({reportedVersions: []}),
	parse: parseSymphonyChunk,
};

/** `reference` validates every record with the schema (what the fast check must agree with). */
export function parseSymphonyChunk(chunk: Buffer, state: SymphonyState, at: ChunkPosition, reference = false): ParseResult<SymphonyState> {
	const records: UsageRecord[] = [];
	const problems: Problem[] = [];
	const reportedVersions = [...state.reportedVersions];
	const path = at.path;
	let line = at.line;
	const problem = (kind: Problem['kind'], reason: string, field?: string) =>
		problems.push({kind, path, line, reason, ...(field ? {field} : {})});
	// The cursor, not a callback per line: this runs for every usage.jsonl line. A BOM is
	// tolerated on the first line of a file.
	const c = new LineCursor(chunk, at);
	while (c.next()) {
		const {start, end} = c;
		line = c.line;
		if (isBlank(chunk, start, end)) continue;
		const parsed = parseJsonLine(chunk, start, end);
		if (!parsed.ok) {
			problem('malformed-json', `not valid JSON: ${parsed.error}`);
			continue;
		}
		const value = parsed.value;
		if (typeof value !== 'object' || value === null || Array.isArray(value)) {
			problem('not-an-object', `a record must be a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
			continue;
		}
		const version = (value as {schemaVersion?: unknown}).schemaVersion;
		if (typeof version === 'number' && Number.isInteger(version) && version > HIGHEST_KNOWN_SCHEMA_VERSION) {
			if (!reportedVersions.includes(version)) {
				reportedVersions.push(version);
				problem(
					'schema-version',
					`schemaVersion ${version} is newer than the highest this reader knows (${HIGHEST_KNOWN_SCHEMA_VERSION}); its records are read best-effort`,
					'schemaVersion',
				);
			}
		}
		// Fast path: a record the hand-written check passes is exactly what the schema would return
		// (toRecord reads only the schema's keys). The schema runs only to explain a failure.
		let record: RecordV1;
		if (!reference && isWellFormedV1(value as Record<string, unknown>)) record = value as RecordV1;
		else {
			const result = recordV1().safeParse(value);
			if (!result.success) {
				for (const issue of result.error.issues) {
					problem('invalid-record', issue.message, issue.path.join('.') || undefined);
				}
				continue;
			}
			record = result.data;
		}
		records.push(toRecord(record, path, line, at.offset + start, problem));
	}
	return {records, events: [], problems, consumedBytes: c.consumedBytes, consumedLines: c.consumedLines, state: {reportedVersions}};
}

/** A stated count, or null when it is absent or the record is unavailable. */
function countOf(n: number | null | undefined, unavailable: boolean): number | null {
	return unavailable || n === undefined ? null : n;
}

function toRecord(
	r: RecordV1,
	path: string,
	line: number,
	offset: number,
	problem: (kind: Problem['kind'], reason: string, field?: string) => void,
): UsageRecord {
	// An "unavailable" record states no counts (the schema allows only nulls in its main three).
	const unavailable = r.usageSource === 'unavailable';
	const cacheWrite5m = countOf(r.inputCacheWriteEphemeral5mTokens, unavailable);
	const cacheWrite1h = countOf(r.inputCacheWriteEphemeral1hTokens, unavailable);
	const tokens: Tokens = {
		input: countOf(r.inputTokens, unavailable),
		cacheRead: countOf(r.inputCachedReadTokens, unavailable),
		cacheWrite:
			countOf(r.inputCacheWriteTokens, unavailable) ??
			(cacheWrite5m !== null && cacheWrite1h !== null ? cacheWrite5m + cacheWrite1h : null),
		cacheWrite5m,
		cacheWrite1h,
		output: countOf(r.outputTokens, unavailable),
		reasoning: countOf(r.outputReasoningTokens, unavailable),
		total: countOf(r.totalTokens, unavailable),
	};
	if (tokens.total === null && tokens.input !== null && tokens.output !== null) tokens.total = tokens.input + tokens.output;

	let quota: QuotaSample | null = null;
	if (r.quota !== undefined && r.quota !== null) {
		const q = quotaSchema().safeParse(r.quota);
		if (q.success) {
			quota = {
				at: parseIso(r.endedAt),
				planType: q.data.planType ?? null,
				windows: q.data.windows.map((w) => ({
					label: w.label,
					windowMinutes: w.windowMinutes ?? null,
					usedPercent: w.usedPercent,
					resetsAt: w.resetsAt ?? null,
				})),
			};
		} else {
			problem('invalid-record', `optional quota ignored: ${q.error.issues[0]?.message ?? 'invalid'}`, 'quota');
		}
	}

	const meta: RecordMeta = {botRole: r.botRole, schemaVersion: r.schemaVersion};
	if (r.mode) meta.mode = r.mode;
	if (r.effort) meta.effort = r.effort;
	if (r.exitReason) meta.exitReason = r.exitReason;
	if (r.issueID) meta.issueId = r.issueID;
	if (typeof r.estimate === 'number') meta.estimate = r.estimate;
	if (r.reviewerMode) meta.reviewerMode = r.reviewerMode;
	if (r.pullRequest) {
		meta.pullRequest = {
			...(r.pullRequest.repo ? {repo: r.pullRequest.repo} : {}),
			...(typeof r.pullRequest.number === 'number' ? {number: r.pullRequest.number} : {}),
			...(r.pullRequest.headSHA ? {headSHA: r.pullRequest.headSHA} : {}),
			...(r.pullRequest.url ? {url: r.pullRequest.url} : {}),
		};
	}

	return {
		// Joined, not a template: a template makes a rope the record keeps for life (flattened in
		// place when first hashed, its wrapper still held); join builds the flat string at once.
		key: ['symphony', r.runID, r.turn].join(':'),
		source: 'symphony',
		provider: r.provider,
		model: r.model,
		runId: r.runID,
		turn: r.turn,
		issue: r.issueIdentifier,
		workspace: r.workspacePath ?? null,
		startedAt: parseIso(r.startedAt),
		at: parseIso(r.endedAt),
		tokens,
		usageSource: r.usageSource,
		reportedCostUsd: null,
		granularity: 'per-turn',
		coverage: coverageOf(tokens),
		origin: {path, line, offset},
		meta,
		quota,
	};
}
