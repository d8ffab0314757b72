/**
 * Vendor-reported rate-limit windows as they stand at `now`: one entry per provider and window,
 * from the newest sample of each (Codex `rate_limits`, usage.jsonl `quota`, Claude Code's
 * statusline `rate_limits`). Pure: samples and `now` in, entries out (docs/quota.md).
 *
 * - `stale`: the window's reset time has passed since the sample, so the sampled percentage no
 *   longer describes it (the window is reset, not "53 % used").
 * - `pace` = used % ÷ elapsed % of the window: 1 means on track to use exactly the window by its
 *   reset, 2 twice as fast. Needs the window's length and reset time, and a minimum of evidence
 *   (`QUOTA_EVIDENCE`), else null: 2 % used ten seconds into a window says nothing about its end.
 * - `projectedFullAt`: when the window fills at the window-average rate, if that is before reset.
 */

import type {Flag} from './flags.js';

/** One window in one sample. `resetsAt` in epoch seconds, as the vendors report it. */
export interface QuotaSampleWindow {
	/** The source's own name for the window (`5h`, `weekly`, `primary`, `five_hour`, …). */
	label: string;
	windowMinutes: number | null;
	usedPercent: number;
	resetsAt: number | null;
}

/** A sample of one provider's windows at one time, wherever it was read. */
export interface ProviderQuotaSample {
	/** `anthropic`, `openai`, … (the record's provider; Claude Code's statusline is `anthropic`). */
	provider: string;
	/** Where it was read: a source kind (`codex`, `symphony`) or `statusline`. */
	source: string;
	/** Epoch ms. */
	at: number;
	windows: QuotaSampleWindow[];
}

/** One entry of `burn.summary/1` `quota`. Times are ISO strings; unknown is null. */
export interface QuotaEntry {
	provider: string;
	/** `5h`, `7d`, or the source's own name for a window of another length. */
	window: string;
	usedPercent: number;
	resetsAt: string | null;
	sampledAt: string;
	source: string;
	/** used % ÷ elapsed % of the window; null without enough evidence or when stale. */
	pace: number | null;
	projectedFullAt: string | null;
	stale: boolean;
}

/** Below these, a window's pace and projection are not computed (too little evidence). */
export const QUOTA_EVIDENCE = {
	/** Share of the window that must have elapsed at the sample. */
	minElapsedShare: 0.05,
	/** And at least this many minutes of it. */
	minElapsedMinutes: 10,
	/** And at least this much used. */
	minUsedPercent: 5,
};

const KNOWN_LENGTHS: Record<number, string> = {300: '5h', 10080: '7d'};

/** Claude Code's window names and lengths (`rate_limits.five_hour` / `seven_day`). */
export const CLAUDE_WINDOWS: Record<string, number> = {five_hour: 300, seven_day: 10080};

export function windowName(w: Pick<QuotaSampleWindow, 'label' | 'windowMinutes'>): string {
	if (w.windowMinutes !== null && KNOWN_LENGTHS[w.windowMinutes]) return KNOWN_LENGTHS[w.windowMinutes]!;
	if (w.label === 'weekly' || w.label === 'seven_day') return '7d';
	if (w.label === 'five_hour') return '5h';
	return w.label;
}

function lengthMinutes(w: QuotaSampleWindow, name: string): number | null {
	if (w.windowMinutes !== null && w.windowMinutes > 0) return w.windowMinutes;
	if (name === '5h') return 300;
	if (name === '7d') return 10080;
	return null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The window's state at the sample and at `now`: the numbers entries and flags share. */
export interface WindowState {
	name: string;
	stale: boolean;
	pace: number | null;
	projectedFullAt: number | null;
	/** Epoch ms, or null. */
	resetsAtMs: number | null;
}

export function windowState(w: QuotaSampleWindow, sampledAt: number, now: number): WindowState {
	const name = windowName(w);
	const resetsAtMs = w.resetsAt !== null && Number.isFinite(w.resetsAt) ? w.resetsAt * 1000 : null;
	const length = lengthMinutes(w, name);
	// Without a reset time, a sample older than the window's length has seen a reset too.
	const stale = resetsAtMs !== null ? resetsAtMs <= now : length !== null && now - sampledAt >= length * 60_000;
	let pace: number | null = null;
	let projectedFullAt: number | null = null;
	if (!stale && resetsAtMs !== null && length !== null) {
		const lengthMs = length * 60_000;
		const start = resetsAtMs - lengthMs;
		const elapsed = sampledAt - start;
		const e = QUOTA_EVIDENCE;
		if (elapsed >= Math.max(e.minElapsedShare * lengthMs, e.minElapsedMinutes * 60_000) && elapsed <= lengthMs && w.usedPercent >= e.minUsedPercent) {
			pace = w.usedPercent / ((elapsed / lengthMs) * 100);
			const full = start + (elapsed * 100) / w.usedPercent;
			if (w.usedPercent >= 100) projectedFullAt = sampledAt;
			else if (full < resetsAtMs) projectedFullAt = full;
		}
	}
	return {name, stale, pace, projectedFullAt, resetsAtMs};
}

/** The newest sample per (provider, window) wins; entries sorted by provider, then 5h, 7d, others. */
export function quotaEntries(samples: Iterable<ProviderQuotaSample>, now: number): QuotaEntry[] {
	const newest = new Map<string, {s: ProviderQuotaSample; w: QuotaSampleWindow; name: string}>();
	for (const s of samples) {
		for (const w of s.windows) {
			if (!Number.isFinite(w.usedPercent)) continue;
			const name = windowName(w);
			const key = `${s.provider}\u0000${name}`;
			const had = newest.get(key);
			if (!had || s.at > had.s.at || (s.at === had.s.at && (w.resetsAt ?? 0) > (had.w.resetsAt ?? 0))) newest.set(key, {s, w, name});
		}
	}
	const order = (name: string) => (name === '5h' ? 0 : name === '7d' ? 1 : 2);
	return [...newest.values()]
		.sort((a, b) => (a.s.provider < b.s.provider ? -1 : a.s.provider > b.s.provider ? 1 : order(a.name) - order(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)))
		.map(({s, w}) => {
			const st = windowState(w, s.at, now);
			return {
				provider: s.provider,
				window: st.name,
				usedPercent: Math.round(Math.min(100, Math.max(0, w.usedPercent)) * 100) / 100,
				resetsAt: st.resetsAtMs === null ? null : iso(st.resetsAtMs),
				sampledAt: iso(s.at),
				source: s.source,
				pace: st.pace === null ? null : Math.round(st.pace * 100) / 100,
				projectedFullAt: st.projectedFullAt === null ? null : iso(st.projectedFullAt),
				stale: st.stale,
			};
		});
}

/** Samples carried by records (`r.quota`), newest per source and provider only matter. */
export function recordQuotaSamples(records: Iterable<{source: string; provider: string | null; quota?: {at: number; windows: QuotaSampleWindow[]} | null}>): ProviderQuotaSample[] {
	const newest = new Map<string, ProviderQuotaSample>();
	for (const r of records) {
		const q = r.quota;
		if (!q || q.windows.length === 0) continue;
		const provider = r.provider ?? (r.source === 'codex' ? 'openai' : r.source);
		const key = `${r.source}\u0000${provider}\u0000${q.windows.map((w) => windowName(w)).join(',')}`;
		const had = newest.get(key);
		if (!had || q.at > had.at) newest.set(key, {provider, source: r.source, at: q.at, windows: q.windows});
	}
	return [...newest.values()];
}

/** "resets in 2 h 10 min" style, from now. */
export function formatDuration(ms: number): string {
	const m = Math.max(0, ms / 60_000);
	if (m < 1) return '<1 min';
	if (m < 90) return `${Math.round(m)} min`;
	if (m < 48 * 60) return `${(m / 60).toFixed(1)} h`;
	return `${(m / 1440).toFixed(1)} d`;
}

/**
 * Local clock time of a reset: `14:00` within a day, else `Fri 14:00`. `tz` offset is the
 * caller's (minutes east of UTC, i.e. `-new Date().getTimezoneOffset()`), so this stays pure.
 */
export function formatResetClock(resetsAtMs: number, now: number, tzOffsetMinutes: number): string {
	const local = new Date(resetsAtMs + tzOffsetMinutes * 60_000);
	const hh = String(local.getUTCHours()).padStart(2, '0');
	const mm = String(local.getUTCMinutes()).padStart(2, '0');
	if (resetsAtMs - now < 20 * 3_600_000) return `${hh}:${mm}`;
	const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][local.getUTCDay()];
	return `${day} ${hh}:${mm}`;
}

/** `5h 42% ↻14:00 ×1.3`: one window for a header or a status line. */
export function quotaBrief(e: QuotaEntry, now: number, tzOffsetMinutes: number): string {
	if (e.stale) return `${e.window} reset`;
	const reset = e.resetsAt === null ? '' : ` ↻${formatResetClock(Date.parse(e.resetsAt), now, tzOffsetMinutes)}`;
	const pace = e.pace === null ? '' : ` ×${e.pace.toFixed(1)}`;
	return `${e.window} ${Math.round(e.usedPercent)}%${reset}${pace}`;
}

/** Thresholds for window flags; the same numbers as `flags.rateLimit` (anomalies/params.ts). */
export interface QuotaFlagThresholds {
	used: number;
	critUsed: number;
	etaMinutes: number;
}

export const QUOTA_FLAG_DEFAULTS: QuotaFlagThresholds = {used: 80, critUsed: 95, etaMinutes: 15};

/**
 * `rate_limit_proximity` flags for windows no record carries (the statusline's Claude windows;
 * records' windows go through the A12 detector with its slope): warn at `used` % or when the
 * window's pace fills it before the reset, crit at `critUsed` % or full within `etaMinutes`.
 * Judged on the newest sample at `now`; a stale window raises nothing.
 */
export function quotaFlags(entries: readonly QuotaEntry[], now: number, t: QuotaFlagThresholds = QUOTA_FLAG_DEFAULTS): Flag[] {
	const out: Flag[] = [];
	for (const e of entries) {
		if (e.stale) continue;
		const full = e.projectedFullAt === null ? null : Date.parse(e.projectedFullAt);
		const reset = e.resetsAt === null ? null : Date.parse(e.resetsAt);
		if (e.usedPercent < t.used && full === null) continue;
		const crit = e.usedPercent >= t.critUsed || (full !== null && full - now < t.etaMinutes * 60_000);
		const at = Date.parse(e.sampledAt);
		const name = `${e.provider} ${e.window}`;
		const resets = reset === null ? '' : `; resets in ${formatDuration(reset - now)}`;
		const message =
			e.usedPercent >= t.used
				? `The ${name} rate-limit window is ${Math.round(e.usedPercent)}% used${resets}: slow down or expect to be throttled.`
				: `The ${name} rate-limit window is ${Math.round(e.usedPercent)}% used and at this pace (×${(e.pace ?? 0).toFixed(1)}) full in ${formatDuration(full! - now)}, before it resets${reset === null ? '' : ` in ${formatDuration(reset - now)}`}.`;
		out.push({
			id: `rate_limit_proximity:source:${name}`,
			kind: 'rate_limit_proximity',
			scope: {type: 'source', id: name},
			severity: crit ? 'crit' : 'warn',
			value: e.usedPercent,
			threshold: t.used,
			unit: 'percent',
			baseline: {n: 1, window: `${e.source} sample`},
			firstAt: at,
			lastAt: at,
			message,
			active: true,
			clearedAt: null,
			fired: 1,
		});
	}
	return out;
}
