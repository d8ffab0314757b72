/**
 * Per-request rules (records with per-message granularity only: a per-turn record sums many
 * requests, so its input says nothing about one context): A9 context pressure, A11 cache-miss
 * storm. Series are per run and agent (a subagent has its own context).
 */
import type {FlagNote} from '../flags.js';
import type {UsageRecord} from '../record.js';
import {formatAmount, round} from './spend.js';
import {lsqSlope, median} from './stats.js';
import {shortId, type Detector} from './types.js';

/**
 * Context windows by model family (tokens). Unknown models return null and A9 says "unknown".
 * A record's own `contextWindow` (Codex states it) wins over this table.
 */
const WINDOWS: Array<[RegExp, number]> = [
	[/\[1m\]|-1m\b/i, 1_000_000],
	[/^claude-/i, 200_000],
	[/^gpt-5/i, 400_000],
	[/^gpt-4\.1/i, 1_047_576],
	[/^gpt-4o/i, 128_000],
	[/^o[34](-mini)?\b/i, 200_000],
	[/^gemini-(1\.5|2\.0|2\.5|3)/i, 1_048_576],
];

export function contextWindowOf(model: string | null): number | null {
	if (!model) return null;
	const m = model.replace(/^.*\//, '');
	for (const [re, n] of WINDOWS) if (re.test(m)) return n;
	return null;
}

const seriesKey = (r: UsageRecord) => `${r.runId}\u0000${r.meta?.agentId ?? ''}`;
const perRequest = (r: UsageRecord) => r.granularity === 'per-message' && r.meta?.sidechain !== true;

// ── A9 context_pressure ─────────────────────────────────────────────────────────────────────

interface ContextSeries {
	n: number;
	points: Array<[number, number]>;
	maxSeen: number;
}

export function contextPressure(): Detector {
	const series = new Map<string, ContextSeries>();
	const unknownModels = new Set<string>();
	const st = {judged: 0};
	return {
		state: {series, unknownModels, st},
		onRecord(r, ctx) {
			if (!perRequest(r) || r.tokens.input === null) return;
			const p = ctx.params.context;
			const k = seriesKey(r);
			let s = series.get(k);
			if (!s) series.set(k, (s = {n: 0, points: [], maxSeen: 0}));
			const P = r.tokens.input;
			s.n++;
			s.points.push([s.n, P]);
			if (s.points.length > p.slopeWindow) s.points.shift();
			s.maxSeen = Math.max(s.maxSeen, P);
			let window = r.contextWindow ?? contextWindowOf(r.model);
			// A 200k model seen above 200k is running a 1M variant: evidence, not a guess.
			if (window !== null && window === 200_000 && s.maxSeen > window) window = 1_000_000;
			if (window === null) {
				unknownModels.add(r.model ?? '(unknown)');
				return;
			}
			st.judged++;
			const fill = P / window;
			const slope = s.points.length >= p.minRequests ? lsqSlope(s.points) : null;
			const eta = slope !== null && slope > 0 && P < window ? (window - P) / slope : Infinity;
			const etaTerm = fill >= p.etaMinFill && eta !== Infinity ? p.etaRequests / Math.max(eta, 1e-9) : 0;
			const byFill = fill / p.fill >= etaTerm;
			if (ctx.life.quiet('context_pressure', 'run', r.runId, Math.max(fill / p.fill, etaTerm))) return;
			ctx.life.observe({
				kind: 'context_pressure',
				scope: {type: 'run', id: r.runId},
				at: r.at,
				ratio: Math.max(fill / p.fill, etaTerm),
				severity: fill >= p.critFill ? 'crit' : 'warn',
				value: round(fill),
				threshold: p.fill,
				unit: 'ratio',
				baseline: {window: `${formatAmount(window, 'tokens')} window`, n: s.points.length},
				message: () => byFill
					? `Run ${shortId(r.runId)} is using ${Math.round(fill * 100)}% of ${r.model ?? 'its'} context (${formatAmount(P, 'tokens')} of ${formatAmount(window, 'tokens')}): expect compaction or lost context soon; consider a fresh session.`
					: `Run ${shortId(r.runId)}'s context (${Math.round(fill * 100)}% full) will fill in about ${eta.toFixed(1)} requests at its current growth.`,
				evidence: () => `${formatAmount(P, 'tokens')} input (${Math.round(fill * 100)}%)`,
			});
		},
		atNow(_now, _ctx, _data, out) {
			if (unknownModels.size > 0) {
				out.notes.push(noteUnknown('context_pressure', `context window unknown for ${[...unknownModels].sort().slice(0, 5).join(', ')}${unknownModels.size > 5 ? ', …' : ''}: not judged`));
			} else if (st.judged === 0) {
				out.notes.push(noteUnknown('context_pressure', 'no per-request records (per-turn sources sum many requests): not judged'));
			}
		},
	};
}

export function noteUnknown(kind: string, message: string): FlagNote {
	return {kind, state: 'unknown', message};
}

// ── A11 cache_miss_storm ────────────────────────────────────────────────────────────────────

interface CacheSeries {
	prevAt: number | null;
	readShares: number[];
	recent: Array<{w: number; gap: number; write: number}>;
	saw1h: boolean;
}

export function cacheMissStorm(): Detector {
	const series = new Map<string, CacheSeries>();
	return {
		state: {series},
		onRecord(r, ctx) {
			const t = r.tokens;
			if (!perRequest(r) || t.input === null || t.input <= 0 || t.cacheWrite === null || t.cacheRead === null) return;
			const p = ctx.params.cacheMiss;
			const k = seriesKey(r);
			let s = series.get(k);
			if (!s) series.set(k, (s = {prevAt: null, readShares: [], recent: [], saw1h: false}));
			if ((t.cacheWrite1h ?? 0) > 0) s.saw1h = true;
			const gap = s.prevAt === null ? Infinity : r.at - s.prevAt;
			s.prevAt = r.at;
			const w = t.cacheWrite / t.input;
			s.recent.push({w, gap, write: t.cacheWrite});
			if (s.recent.length > p.of) s.recent.shift();
			// Baseline: read shares of the requests before the current window of `of` requests.
			const before = Math.max(0, s.readShares.length - (p.of - 1));
			const baseline = median(s.readShares, before);
			s.readShares.push(t.cacheRead / t.input);
			if (s.readShares.length > 20 + p.of) s.readShares.shift();
			if (baseline === null || before < p.minBaseline || baseline < p.baselineReadShare) return;
			const ttl = (s.saw1h ? p.ttl1hMinutes : p.ttlMinutes) * 60_000;
			const misses = s.recent.filter((x) => x.w >= p.writeShare);
			const unexplained = misses.filter((x) => x.gap < ttl);
			const written = misses.reduce((sum, x) => sum + x.write, 0);
			const storm = unexplained.length >= p.count;
			// The message may be built later (lifecycle.ts): it reads this, not the series' state.
			const requests = s.recent.length;
			if (ctx.life.quiet('cache_miss_storm', 'run', r.runId, misses.length / p.count)) return;
			ctx.life.observe({
				kind: 'cache_miss_storm',
				scope: {type: 'run', id: r.runId},
				at: r.at,
				ratio: misses.length / p.count,
				severity: storm ? 'warn' : 'info',
				value: storm ? unexplained.length : misses.length,
				threshold: p.count,
				unit: 'count',
				baseline: {median: round(baseline), n: before, window: 'read share before'},
				message: () => storm
					? `Run ${shortId(r.runId)} rewrote its prompt cache in ${unexplained.length} of its last ${requests} requests though it used to read ${Math.round(baseline * 100)}% from cache (${formatAmount(written, 'tokens')} written): something is changing the prompt prefix (tools, system prompt, model switch).`
					: `Run ${shortId(r.runId)} re-cached ${formatAmount(written, 'tokens')} after idle gaps longer than the cache TTL (${ttl / 60_000} min): idle re-cache, expected but paid for.`,
				evidence: () => `write share ${Math.round(w * 100)}%${gap === Infinity ? '' : `, ${Math.round(gap / 1000)} s after the previous request`}`,
			});
		},
	};
}
