/**
 * Rates for the watch view, from the snapshot: recent spend per item (a 5-minute window, the
 * headline rate recommended in docs/anomalies.md), spend per minute for the sparkline, and today's
 * total. Only runs active in the window are read record by record, and only when they changed,
 * so this stays cheap when the ledger is large.
 */
import {dimensionKey, type Dimension, type Ledger} from '../../core/ledger.js';
import type {UsageRecord} from '../../core/record.js';
import type {LiveSnapshot} from '../../core/snapshot.js';
import type {Totals} from '../../core/totals.js';

export const RECENT_MS = 5 * 60_000;
const MINUTE = 60_000;

export interface Spend {
	/** Priced spend, USD. */
	usd: number;
	/** Known total tokens. */
	tokens: number;
	/** Records in the window that had no price. */
	unpriced: number;
	records: number;
}

export interface RecentSpend {
	total: Spend;
	by: Record<'issue' | 'run' | 'model' | 'provider', Map<string, Spend>>;
	windowMs: number;
}

const cache = new WeakMap<LiveSnapshot, Map<number, RecentSpend>>();

interface RunWindow {
	/** Changes whenever the run's records change (a new turn, a better version, a retraction). */
	stamp: string;
	/** Records kept: those after `from`, with their price. */
	from: number;
	recent: Array<{r: UsageRecord; usd: number | null}>;
}

/** Per ledger, each recently active run's last records: only runs that changed are re-read. */
const runWindows = new WeakMap<Ledger, Map<string, RunWindow>>();
/** Keep a minute more than asked, so a slightly older clock (pause) needs no re-read. */
const KEEP_MARGIN_MS = 60_000;

const emptySpend = (): Spend => ({usd: 0, tokens: 0, unpriced: 0, records: 0});

function runWindow(ledger: Ledger, runId: string, t: Totals, from: number): RunWindow['recent'] {
	let windows = runWindows.get(ledger);
	if (!windows) runWindows.set(ledger, (windows = new Map()));
	const stamp = `${t.records}|${t.lastAt}|${t.usd}|${t.priced}|${t.tokens.total.sum}`;
	const hit = windows.get(runId);
	if (hit && hit.stamp === stamp && hit.from <= from) return hit.recent;
	const keepFrom = from - KEEP_MARGIN_MS;
	const recent: RunWindow['recent'] = [];
	for (const r of ledger.runRecords(runId)) if (r.at > keepFrom) recent.push({r, usd: ledger.costOf(r.key)?.usd ?? null});
	windows.set(runId, {stamp, from: keepFrom, recent});
	return recent;
}

/** Spend in `(now − windowMs, now]`, per issue, run, model and provider. Memoized per snapshot and clock. */
export function recentSpend(snapshot: LiveSnapshot, now: number, windowMs = RECENT_MS): RecentSpend {
	let perNow = cache.get(snapshot);
	if (!perNow) cache.set(snapshot, (perNow = new Map()));
	const hit = perNow.get(now);
	if (hit && hit.windowMs === windowMs) return hit;
	const out: RecentSpend = {
		total: emptySpend(),
		by: {issue: new Map(), run: new Map(), model: new Map(), provider: new Map()},
		windowMs,
	};
	const from = now - windowMs;
	const {ledger} = snapshot;
	for (const [runId, t] of ledger.by.run) {
		if (t.lastAt === null || t.lastAt <= from) continue;
		for (const {r, usd} of runWindow(ledger, runId, t, from)) {
			if (r.at <= from || r.at > now) continue;
			const add = (s: Spend) => {
				s.records++;
				s.tokens += r.tokens.total ?? 0;
				if (usd === null) s.unpriced++;
				else s.usd += usd;
			};
			add(out.total);
			for (const d of ['issue', 'run', 'model', 'provider'] as const satisfies readonly Dimension[]) {
				const key = dimensionKey(r, d);
				let s = out.by[d].get(key);
				if (!s) out.by[d].set(key, (s = emptySpend()));
				add(s);
			}
		}
	}
	if (perNow.size > 4) perNow.clear();
	perNow.set(now, out);
	return out;
}

/** USD per hour, or tokens per minute, over the window. */
export function rateOf(s: Spend, priced: boolean, windowMs = RECENT_MS): number {
	return priced ? (s.usd * 3_600_000) / windowMs : (s.tokens * MINUTE) / windowMs;
}

/**
 * Per-minute values (USD when priced, else tokens) for the last `count` minutes, oldest first.
 * A priced view's minute that had records but no dollars is `null` (unpriced, not free).
 */
export function sparkSeries(snapshot: LiveSnapshot, now: number, count: number, priced: boolean): Array<number | null> {
	if (count <= 0) return [];
	const last = Math.floor(now / MINUTE) * MINUTE;
	const first = last - (count - 1) * MINUTE;
	const out = new Array<number | null>(count).fill(0);
	for (const m of snapshot.minutes) {
		if (m.minute < first || m.minute > last) continue;
		out[(m.minute - first) / MINUTE] = priced ? (m.usd === 0 && m.records > 0 ? null : m.usd) : m.tokens;
	}
	return out;
}

/** The epoch ms of the first minute `sparkSeries` returns for `count` minutes. */
export function seriesStart(now: number, count: number): number {
	return Math.floor(now / MINUTE) * MINUTE - (count - 1) * MINUTE;
}

/** Local midnight of the day containing `now`. */
export function dayStart(now: number): number {
	const d = new Date(now);
	d.setHours(0, 0, 0, 0);
	return d.getTime();
}

/** Today's spend (local day) from the minute buckets. */
export function todayTotal(snapshot: LiveSnapshot, now: number, priced: boolean): number {
	const from = dayStart(now);
	let sum = 0;
	for (const m of snapshot.minutes) if (m.minute >= from && m.minute <= now) sum += priced ? m.usd : m.tokens;
	return sum;
}

/** `12s`, `4m`, `3h`, `2d`: how long ago. */
export function formatAge(ms: number | null, now: number): string {
	if (ms === null) return '—';
	const s = Math.max(0, Math.floor((now - ms) / 1000));
	if (s < 60) return `${s}s`;
	if (s < 3600) return `${Math.floor(s / 60)}m`;
	if (s < 86_400) return `${Math.floor(s / 3600)}h`;
	return `${Math.floor(s / 86_400)}d`;
}

/** `45s`, `3m05s`, `1h02m`. */
export function formatDuration(ms: number | null): string {
	if (ms === null || ms < 0) return '—';
	const s = Math.round(ms / 1000);
	if (s < 60) return `${s}s`;
	if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
	return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** `HH:MM` or `HH:MM:SS`, local time. */
export function clockTime(ms: number | null, seconds = false): string {
	if (ms === null) return '—';
	const d = new Date(ms);
	const p = (n: number) => String(n).padStart(2, '0');
	return `${p(d.getHours())}:${p(d.getMinutes())}${seconds ? `:${p(d.getSeconds())}` : ''}`;
}

/** A rate for a narrow cell: `$4.20`, `$0.031`, `12.3k`. */
export function formatRate(value: number, priced: boolean): string {
	if (!priced) {
		if (value < 1000) return String(Math.round(value));
		if (value < 1e6) return `${(value / 1e3).toFixed(value < 1e4 ? 2 : value < 1e5 ? 1 : 0)}k`;
		return `${(value / 1e6).toFixed(value < 1e7 ? 2 : 1)}M`;
	}
	if (value === 0) return '$0';
	if (value < 0.1) return `$${value.toFixed(3)}`;
	if (value < 1000) return `$${value.toFixed(2)}`;
	return `$${Math.round(value).toLocaleString('en-US')}`;
}
