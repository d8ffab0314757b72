/**
 * A hand-written check for well-formed Symphony v1 records: the zod schema costs ~20 µs a line
 * (≈ 2 MB/s), this a fraction of a microsecond. It accepts only what the schema accepts (never
 * more), so a record it passes reads exactly as the schema's output would; anything it is unsure
 * of goes to the schema, which then explains the failure (file, line, field, reason).
 */
import {lazySchema} from '../core/zod.js';
import {parseUtcIso} from './json-fields.js';

// The schema's own pattern, so "valid" means the same thing on both paths; the common UTC form is
// checked by hand first (`isUtcDatetime`), so zod loads only for a timestamp with an offset or odd.
const patterns = lazySchema((z) => ({datetime: z.regexes.datetime({offset: true})}));

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
	if (!isUtcDatetime(v) && !patterns().datetime.test(v)) return false;
	okTimeB = okTimeA;
	okTimeA = v;
	return true;
}

function isGuid(v: unknown): boolean {
	if (typeof v !== 'string') return false;
	if (v === okGuid) return true;
	if (!isGuidShape(v)) return false;
	okGuid = v;
	return true;
}

/** The digits `s[i..i+n)` as a number, or -1 when one is not an ASCII digit. */
function digits(s: string, i: number, n: number): number {
	let v = 0;
	for (let k = i; k < i + n; k++) {
		const d = s.charCodeAt(k) - 48;
		if (d < 0 || d > 9) return -1;
		v = v * 10 + d;
	}
	return v;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The common form `YYYY-MM-DDTHH:MM:SS(.f+)?Z` with a day the month has (Gregorian leap years)
 * and a valid time, by hand: a strict subset of zod's `datetime({offset: true})` (which the
 * schema uses), so true means the regex would accept it too, and false means "ask the regex"
 * (offsets, anything unusual). zod itself is not loaded for the lines Symphony writes.
 */
export function isUtcDatetime(s: string): boolean {
	const n = s.length;
	if (n < 20 || s.charCodeAt(n - 1) !== 90 /* Z */) return false;
	if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 /* T */ || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return false;
	if (n > 20) {
		// `.` and at least one digit, digits up to the Z.
		if (n === 21 || s.charCodeAt(19) !== 46 || digits(s, 20, n - 21) < 0) return false;
	}
	const year = digits(s, 0, 4);
	const month = digits(s, 5, 2);
	const day = digits(s, 8, 2);
	const hour = digits(s, 11, 2);
	const minute = digits(s, 14, 2);
	const second = digits(s, 17, 2);
	if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
	const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
	return day <= (leap ? 29 : MONTH_DAYS[month - 1]!);
}

const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** zod's `guid` pattern (8-4-4-4-12 hex digits, either case), by hand: the same strings. */
export function isGuidShape(s: string): boolean {
	if (s.length !== 36) return false;
	for (let i = 0; i < 36; i++) {
		const c = s.charCodeAt(i);
		if (i === 8 || i === 13 || i === 18 || i === 23 ? c !== 45 : !isHex(c)) return false;
	}
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
