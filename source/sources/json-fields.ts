/**
 * Typed reads from untrusted parsed JSON. A missing key or a wrong type is unknown (`null`);
 * an explicit 0 stays 0 (coverage comes from what the line carried).
 */
export type Json = Record<string, unknown>;

export function obj(v: unknown): Json | null {
	return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null;
}

/** A non-negative finite count, or null. */
export function count(v: unknown): number | null {
	return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}

export function str(v: unknown): string | null {
	return typeof v === 'string' && v !== '' ? v : null;
}

/** ISO timestamp → epoch ms, or null. */
export function isoMs(v: unknown): number | null {
	if (typeof v !== 'string') return null;
	const ms = parseUtcIso(v);
	return Number.isFinite(ms) ? ms : null;
}

/** The digits `s[i..i+n)` as a number, or -1 when one is not a digit. */
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

function daysInMonth(year: number, month: number): number {
	if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
	return MONTH_DAYS[month - 1]!;
}

/** Days since 1970-01-01 of a valid proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
	const y = month <= 2 ? year - 1 : year;
	const era = Math.floor(y / 400);
	const yoe = y - era * 400;
	const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
	const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
	return era * 146_097 + doe - 719_468;
}

/**
 * Exactly `Date.parse(s)` (NaN when invalid), hand-read for the one shape transcripts write,
 * `YYYY-MM-DDTHH:MM:SS.sssZ` (or without the millis): `Date.parse` costs ~1 µs a call, this a
 * fraction. Only valid dates and times take the fast path (year ≥ 1000, a day the month has, hour ≤ 23, …);
 * anything else, offsets and other fraction lengths included, goes to `Date.parse` itself.
 */
export function parseUtcIso(s: string): number {
	const n = s.length;
	if ((n === 24 || n === 20) && s.charCodeAt(n - 1) === 90 /* Z */) {
		const fast =
			s.charCodeAt(4) === 45 &&
			s.charCodeAt(7) === 45 &&
			s.charCodeAt(10) === 84 /* T */ &&
			s.charCodeAt(13) === 58 &&
			s.charCodeAt(16) === 58 &&
			(n === 20 || s.charCodeAt(19) === 46); /* . */
		if (fast) {
			const year = digits(s, 0, 4);
			const month = digits(s, 5, 2);
			const day = digits(s, 8, 2);
			const hour = digits(s, 11, 2);
			const minute = digits(s, 14, 2);
			const second = digits(s, 17, 2);
			const milli = n === 24 ? digits(s, 20, 3) : 0;
			if (year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && milli >= 0) {
				return daysFromCivil(year, month, day) * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + milli;
			}
		}
	}
	return Date.parse(s);
}

/** Short, single-line detail for activity events (≤ 200 chars). */
export function shortDetail(v: unknown, max = 200): string {
	let s: string;
	if (typeof v === 'string') s = v;
	else {
		try {
			s = JSON.stringify(v) ?? '';
		} catch {
			s = '';
		}
	}
	s = s.replace(/\s+/g, ' ').trim();
	return s.length > max ? s.slice(0, max - 1) + '…' : s;
}
