/**
 * Plausibility of token counts read from transcripts. A count must be a non-negative integer no
 * larger than a real reading can be; anything else (1e308, -5, 1.5, "12") is not a token count.
 * Such a field is left unknown (null, never 0) and reported with its file and line: a field is
 * never dropped silently. usage.jsonl gets the same treatment from its schema (non-negative safe
 * integers).
 */

/**
 * One API call: context windows are at most a few million tokens, so a thousand times that is
 * not a reading (Claude `message.usage`, Codex `last_token_usage`, `token_usage_record`).
 */
export const MAX_CALL_TOKENS = 1e9;

/** A running total over a whole thread (Codex `total_token_usage`): a million calls' worth. */
export const MAX_CUMULATIVE_TOKENS = 1e12;

/** A field that was present but is not a plausible count: where, and what it held. */
export interface RejectedCount {
	/** Dotted path of the field in the line (`message.usage.output_tokens`). */
	field: string;
	/** The value as written (short). */
	value: string;
}

/**
 * The count in `v`: a number when plausible, null when absent (`undefined` or `null`), and
 * `undefined` when present but implausible (the caller then leaves the field unknown and reports it).
 */
export function plausibleCount(v: unknown, max: number): number | null | undefined {
	if (v === undefined || v === null) return null;
	return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max ? v : undefined;
}

/** Collects the fields of one line that were present but rejected. */
export class CountCheck {
	readonly rejected: RejectedCount[] = [];

	constructor(private readonly max: number = MAX_CALL_TOKENS) {}

	/** Forgets the rejected fields (one instance can serve line after line). */
	reset(): void {
		if (this.rejected.length > 0) this.rejected.length = 0;
	}

	/**
	 * The plausible count at `v`, else null (and `at.name` is remembered as rejected). The path
	 * comes in two parts so the hot path builds no string unless a field is rejected.
	 */
	count(v: unknown, at: string, name: string): number | null {
		const n = plausibleCount(v, this.max);
		if (n !== undefined) return n;
		this.rejected.push({field: `${at}.${name}`, value: shortValue(v)});
		return null;
	}

	/** How many fields were rejected so far (to tell whether a derived sum lost a part). */
	get size(): number {
		return this.rejected.length;
	}

	/** One reason per rejected field, for the problem log. */
	reasons(): Array<{field: string; reason: string}> {
		return this.rejected.map((r) => ({
			field: r.field,
			reason: `${r.field} is ${r.value}: not a token count (a non-negative integer up to ${this.max.toExponential(0)}); the field is left unknown`,
		}));
	}
}

function shortValue(v: unknown): string {
	let s: string;
	try {
		s = typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v));
	} catch {
		s = String(v);
	}
	return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}
