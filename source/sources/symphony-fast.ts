/**
 * A hand-written check for well-formed Symphony v1 records: the zod schema costs ~20 µs a line
 * (≈ 2 MB/s), this a fraction of a microsecond. It accepts only what the schema accepts (never
 * more), so a record it passes reads exactly as the schema's output would; anything it is unsure
 * of goes to the schema, which then explains the failure (file, line, field, reason).
 */
import {lazySchema} from '../core/zod.js';
import {parseUtcIso} from './json-fields.js';

// The schema's own patterns, so "valid" means the same thing on both paths.
const patterns = lazySchema((z) => ({datetime: z.regexes.datetime({offset: true}), guid: z.regexes.guid}));

type Json = Record<string, unknown>;

const isInt = (v: unknown, min: number): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
/** Missing, null, or a non-negative safe integer (`z.number().int().nonnegative().nullish()`). */
const isCount = (v: unknown): boolean => v === undefined || v === null || isInt(v, 0);
const isNullishString = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';
const isNullishNumber = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'number' && Number.isFinite(v));
const isAbsent = (v: unknown): boolean => v === undefined || v === null;
const isText = (v: unknown): boolean => typeof v === 'string' && v.length >= 1;
// A turn's timestamps repeat (recordedAt = endedAt, the next turn's start) and a run's id repeats
// on every turn: the last strings the patterns accepted are accepted again without the regex.
let okTimeA: string | null = null;
let okTimeB: string | null = null;
let okGuid: string | null = null;

function isTimestamp(v: unknown): v is string {
	if (typeof v !== 'string') return false;
	if (v === okTimeA || v === okTimeB) return true;
	if (!patterns().datetime.test(v)) return false;
	okTimeB = okTimeA;
	okTimeA = v;
	return true;
}

function isGuid(v: unknown): boolean {
	if (typeof v !== 'string') return false;
	if (v === okGuid) return true;
	if (!patterns().guid.test(v)) return false;
	okGuid = v;
	return true;
}

/**
 * True when `r` (a parsed JSON object) certainly passes the v1 schema, its refinements included.
 * False means "ask the schema", not "invalid".
 */
export function isWellFormedV1(r: Json): boolean {
	if (!isInt(r.schemaVersion, 1) || !isInt(r.turn, 1)) return false;
	if (!isTimestamp(r.recordedAt) || !isTimestamp(r.startedAt) || !isTimestamp(r.endedAt)) return false;
	if (!isGuid(r.runID)) return false;
	if (!isText(r.issueIdentifier) || !isText(r.provider) || !isText(r.model)) return false;
	if (r.botRole !== 'developer' && r.botRole !== 'reviewer') return false;
	const source = r.usageSource;
	if (source !== 'provider_reported' && source !== 'estimated' && source !== 'unavailable') return false;
	// Spelled out, not looped over key lists: keyed loads of many names are slow in V8.
	if (!isCount(r.inputTokens) || !isCount(r.outputTokens) || !isCount(r.totalTokens)) return false;
	if (!isCount(r.inputUncachedTokens) || !isCount(r.inputCachedReadTokens) || !isCount(r.inputCacheWriteTokens)) return false;
	if (!isCount(r.inputCacheWriteEphemeral5mTokens) || !isCount(r.inputCacheWriteEphemeral1hTokens)) return false;
	if (!isCount(r.outputVisibleTokens) || !isCount(r.outputReasoningTokens)) return false;
	if (!isNullishString(r.issueID) || !isNullishString(r.mode) || !isNullishString(r.effort)) return false;
	if (!isNullishString(r.exitReason) || !isNullishString(r.workspacePath) || !isNullishString(r.reviewerMode)) return false;
	if (!isNullishNumber(r.estimate)) return false;
	const pr = r.pullRequest;
	if (pr !== undefined && pr !== null) {
		if (typeof pr !== 'object' || Array.isArray(pr)) return false;
		const p = pr as Json;
		if (!isNullishString(p.repo) || !isNullishString(p.headSHA) || !isNullishString(p.url) || !isNullishNumber(p.number)) return false;
	}
	// The refinements: ordered times, and no token counts on an "unavailable" record.
	if (parseIso(r.startedAt as string) > parseIso(r.endedAt as string)) return false;
	if (source === 'unavailable' && (!isAbsent(r.inputTokens) || !isAbsent(r.outputTokens) || !isAbsent(r.totalTokens))) return false;
	return true;
}

// A turn's timestamps repeat (recordedAt = endedAt, the next turn's start): remember the last two.
let isoA = '';
let msA = 0;
let isoB = '';
let msB = 0;

/** `Date.parse` (as `parseUtcIso`), memoized for the last two distinct strings. */
export function parseIso(s: string): number {
	if (s === isoA) return msA;
	if (s === isoB) return msB;
	const ms = parseUtcIso(s);
	isoB = isoA;
	msB = msA;
	isoA = s;
	msA = ms;
	return ms;
}
