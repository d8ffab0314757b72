/**
 * Codex `TokenUsage` arithmetic and `rate_limits` samples (docs/transcript-formats.md §2.2, §2.4).
 * Codex input includes cached (and cache-write) tokens and output includes reasoning: the
 * record's semantics already, so normalizing is a clamp, not a sum.
 */
import {CountCheck} from '../core/plausibility.js';
import type {QuotaSample, QuotaWindow, Tokens} from '../core/record.js';
import {count, obj, str} from './json-fields.js';

export interface CodexUsage {
	input: number | null;
	cached: number | null;
	output: number | null;
	reasoning: number | null;
	total: number | null;
	/** Newer builds only; a subset of input. Missing key → unknown. */
	cacheWrite: number | null;
}

const FIELDS = ['input', 'cached', 'output', 'reasoning', 'total', 'cacheWrite'] as const;

/**
 * A `TokenUsage` object; a field that is not a plausible count (core/plausibility.ts) is unknown
 * and lands in `check` under `at.<field>` for the caller to report.
 */
export function codexUsage(v: unknown, check: CountCheck = new CountCheck(), at = 'usage'): CodexUsage | null {
	const u = obj(v);
	if (!u) return null;
	const out: CodexUsage = {
		input: check.count(u.input_tokens, at, 'input_tokens'),
		cached: check.count(u.cached_input_tokens, at, 'cached_input_tokens'),
		output: check.count(u.output_tokens, at, 'output_tokens'),
		reasoning: check.count(u.reasoning_output_tokens, at, 'reasoning_output_tokens'),
		total: check.count(u.total_tokens, at, 'total_tokens'),
		cacheWrite: check.count(u.cache_write_input_tokens, at, 'cache_write_input_tokens'),
	};
	return out.input === null && out.output === null && out.total === null ? null : out;
}

export function sameUsage(a: CodexUsage | null, b: CodexUsage | null): boolean {
	if (a === null || b === null) return a === b;
	return FIELDS.every((f) => a[f] === b[f]);
}

/** Some field that both state went down: a new process epoch or a counter reset. */
export function decreased(next: CodexUsage, prev: CodexUsage): boolean {
	return FIELDS.some((f) => next[f] !== null && prev[f] !== null && next[f]! < prev[f]!);
}

export function minus(next: CodexUsage, prev: CodexUsage): CodexUsage {
	const d = {} as CodexUsage;
	for (const f of FIELDS) d[f] = next[f] !== null && prev[f] !== null ? next[f]! - prev[f]! : null;
	return d;
}

export function isZero(u: CodexUsage): boolean {
	return !u.input && !u.output && !u.total;
}

export function codexTokens(u: CodexUsage): Tokens {
	const input = u.input;
	const clamp = (n: number | null) => (n === null || input === null ? n : Math.min(n, input));
	const output = u.output;
	return {
		input,
		cacheRead: clamp(u.cached),
		cacheWrite: clamp(u.cacheWrite),
		cacheWrite5m: null,
		cacheWrite1h: null,
		output,
		reasoning: output === null ? u.reasoning : u.reasoning === null ? null : Math.min(u.reasoning, output),
		total: u.total ?? (input !== null && output !== null ? input + output : null),
	};
}

/** Cumulative totals as a key fragment: the same reading in any copy of a rollout gets the same key. */
export function usageTuple(u: CodexUsage): string {
	return `${u.input ?? '-'}/${u.cached ?? '-'}/${u.output ?? '-'}/${u.reasoning ?? '-'}/${u.total ?? '-'}`;
}

const WINDOW_LABELS: Record<number, string> = {300: '5h', 10080: 'weekly'};

/** A `rate_limits` snapshot as a quota sample; windows are labelled by length, not slot. */
export function codexQuota(v: unknown, atMs: number): QuotaSample | null {
	const rl = obj(v);
	if (!rl) return null;
	const windows: QuotaWindow[] = [];
	for (const slot of ['primary', 'secondary']) {
		const w = obj(rl[slot]);
		if (!w || typeof w.used_percent !== 'number' || !Number.isFinite(w.used_percent)) continue;
		const minutes = count(w.window_minutes);
		const resetsAt = count(w.resets_at);
		const resetsIn = count(w.resets_in_seconds);
		windows.push({
			label: (minutes !== null && WINDOW_LABELS[minutes]) || slot,
			windowMinutes: minutes,
			usedPercent: Math.min(100, Math.max(0, w.used_percent)),
			resetsAt: resetsAt ?? (resetsIn !== null ? Math.round(atMs / 1000 + resetsIn) : null),
		});
	}
	if (windows.length === 0) return null;
	return {at: atMs, planType: str(rl.plan_type), windows};
}
