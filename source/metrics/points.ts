/**
 * The metrics mapping: a live snapshot in, metric points out. Pure (no I/O, no clock): the
 * scrape time comes in as `now`. One pass over the counted records groups them by the exported
 * series (provider, model, source and the chosen high-cardinality labels); the points are the
 * current totals. Counters here are the plain ledger totals: metrics/retraction.ts turns them
 * into counters that never go down.
 *
 * Unknown is never exported as 0: a token type no record of a series stated has no point (the
 * records that did not state it are counted in `burn.records.unstated`), an unpriced record adds
 * nothing to `burn.cost.usage` and one to `burn.records.unpriced`.
 */
import {DEFAULT_PARAMS, minutes} from '../core/anomalies/params.js';
import {NO_ISSUE, UNKNOWN_MODEL, type Ledger} from '../core/ledger.js';
import type {QuotaSample, UsageRecord} from '../core/record.js';
import type {LiveSnapshot} from '../core/snapshot.js';
import {TOKEN_TYPES, type LabelChoice} from './families.js';

export interface MetricPoint {
	/** OpenTelemetry family name (families.ts). */
	family: string;
	labels: Record<string, string>;
	value: number;
}

/** The spend-rate window (the same 5 minutes as the watch header's rate). */
export const RATE_WINDOW_MS = 5 * 60_000;
/** Flags count as live while their last evidence is this recent (the anomaly rules' `lifecycle.liveMinutes`). */
export const LIVE_FLAG_MS = minutes(DEFAULT_PARAMS.lifecycle.liveMinutes);

interface SeriesAcc {
	labels: Record<string, string>;
	records: number;
	/** Per token type: sum over the records that stated it, how many did, how many did not. */
	sum: number[];
	known: number[];
	unstated: number[];
	usd: Map<string, number>;
	unpriced: number;
}

/** The heavy part of the mapping, done once per snapshot. */
export interface Aggregate {
	series: SeriesAcc[];
	/** Priced records near the end of the data, for the spend rate at any later clock. */
	recent: Array<{at: number; issue: string; usd: number}>;
	quota: Map<string, {provider: string; window: string; used: number; at: number}>;
}

const HOUR = 3_600_000;
/** Money is kept to a billionth of a dollar: float noise below that is not a change. */
export const roundUsd9 = (usd: number): number => Math.round(usd * 1e9) / 1e9;

/** The uncached part of input, and the cache parts, of one record (null: not stated). */
function tokenParts(r: UsageRecord): Array<number | null> {
	const t = r.tokens;
	// `input` is the total billable input (cache included); a cache part the source did not state
	// cannot be taken out and stays in the uncached part. Never below 0 (inconsistent data).
	const uncached = t.input === null ? null : Math.max(0, t.input - (t.cacheRead ?? 0) - (t.cacheWrite ?? 0));
	return [uncached, t.cacheRead, t.cacheWrite, t.output];
}

/** The window names the rate-limit rule uses in its messages (core/anomalies/quota.ts). */
function windowName(label: string, windowMinutes: number | null): string {
	if (windowMinutes === 300) return '5-hour';
	if (windowMinutes === 10080) return 'weekly';
	if (windowMinutes !== null) return `${windowMinutes}-minute`;
	return label;
}

/** core/quota.ts's names for the known window lengths, as windowName names them. */
const STATUSLINE_WINDOWS: Record<string, string> = {'5h': '5-hour', '7d': 'weekly'};

export function aggregate(ledger: Ledger, labels: LabelChoice, dataNow: number): Aggregate {
	const byKey = new Map<string, SeriesAcc>();
	const recent: Aggregate['recent'] = [];
	const recentFrom = dataNow - RATE_WINDOW_MS - 60_000;
	const quota: Aggregate['quota'] = new Map();
	const latestQuota = new Map<string, {provider: string; sample: QuotaSample}>();
	for (const r of ledger.records()) {
		const provider = r.provider ?? UNKNOWN_MODEL;
		const model = r.model ?? UNKNOWN_MODEL;
		const issue = r.issue ?? NO_ISSUE;
		const key = `${provider}\u0000${model}\u0000${r.source}${labels.issue ? `\u0000${issue}` : ''}${labels.run ? `\u0000${r.runId}` : ''}`;
		let acc = byKey.get(key);
		if (!acc) {
			const l: Record<string, string> = {provider, model, source: r.source};
			if (labels.issue) l.issue = issue;
			if (labels.run) l.run = r.runId;
			acc = {labels: l, records: 0, sum: [0, 0, 0, 0], known: [0, 0, 0, 0], unstated: [0, 0, 0, 0], usd: new Map(), unpriced: 0};
			byKey.set(key, acc);
		}
		acc.records++;
		const parts = tokenParts(r);
		for (let i = 0; i < 4; i++) {
			const v = parts[i]!;
			if (v === null) acc.unstated[i]!++;
			else {
				acc.sum[i]! += v;
				acc.known[i]!++;
			}
		}
		const cost = ledger.costOf(r.key);
		if (cost !== null) {
			if (cost.usd === null) acc.unpriced++;
			else {
				acc.usd.set(cost.basis, (acc.usd.get(cost.basis) ?? 0) + cost.usd);
				if (r.at > recentFrom) recent.push({at: r.at, issue, usd: cost.usd});
			}
		}
		if (r.quota) {
			const qk = `${provider}\u0000${r.source}`;
			const was = latestQuota.get(qk);
			if (!was || r.quota.at > was.sample.at) latestQuota.set(qk, {provider, sample: r.quota});
		}
	}
	for (const {provider, sample} of latestQuota.values()) {
		for (const w of sample.windows) {
			const window = windowName(w.label, w.windowMinutes);
			const k = `${provider}\u0000${window}`;
			const was = quota.get(k);
			if (!was || sample.at > was.at) quota.set(k, {provider, window, used: w.usedPercent / 100, at: sample.at});
		}
	}
	return {series: [...byKey.values()], recent, quota};
}

/** Counter points: the current ledger totals per series (not yet guarded against retraction). */
export function counterPoints(agg: Aggregate): MetricPoint[] {
	const out: MetricPoint[] = [];
	const unpriced = new Map<string, MetricPoint>();
	const unstated = new Map<string, MetricPoint>();
	for (const s of agg.series) {
		out.push({family: 'burn.records', labels: s.labels, value: s.records});
		for (let i = 0; i < 4; i++) {
			if (s.known[i]! > 0) out.push({family: 'burn.token.usage', labels: {type: TOKEN_TYPES[i]!, ...s.labels}, value: s.sum[i]!});
			if (s.unstated[i]! > 0) {
				const labels = {field: TOKEN_TYPES[i]!, provider: s.labels.provider!, model: s.labels.model!, source: s.labels.source!};
				const k = `${labels.field}\u0000${labels.provider}\u0000${labels.model}\u0000${labels.source}`;
				const p = unstated.get(k);
				if (p) p.value += s.unstated[i]!;
				else unstated.set(k, {family: 'burn.records.unstated', labels, value: s.unstated[i]!});
			}
		}
		for (const [basis, usd] of s.usd) out.push({family: 'burn.cost.usage', labels: {...s.labels, basis}, value: roundUsd9(usd)});
		if (s.unpriced > 0) {
			const k = `${s.labels.provider}\u0000${s.labels.model}`;
			const p = unpriced.get(k);
			if (p) p.value += s.unpriced;
			else unpriced.set(k, {family: 'burn.records.unpriced', labels: {provider: s.labels.provider!, model: s.labels.model!}, value: s.unpriced});
		}
	}
	out.push(...unpriced.values(), ...unstated.values());
	return out;
}

/** Gauge points at the scrape time `now` (the rate window and flag liveness move with it). */
export function gaugePoints(agg: Aggregate, snapshot: LiveSnapshot, now: number, labels: LabelChoice, liveFlagMs = LIVE_FLAG_MS): MetricPoint[] {
	const out: MetricPoint[] = [{family: 'burn.engine.ready', labels: {}, value: snapshot.ready ? 1 : 0}];
	const from = now - RATE_WINDOW_MS;
	const rate = new Map<string, number>();
	for (const r of agg.recent) {
		if (r.at <= from || r.at > now) continue;
		const k = labels.issue ? r.issue : '';
		rate.set(k, (rate.get(k) ?? 0) + r.usd);
	}
	for (const [issue, usd] of rate) {
		out.push({family: 'burn.spend.rate', labels: labels.issue ? {issue} : {}, value: roundUsd9((usd * HOUR) / RATE_WINDOW_MS)});
	}
	const flags = new Map<string, MetricPoint>();
	for (const f of snapshot.flags) {
		// The snapshot's flags were live when it was built; an idle engine builds none, so the
		// horizon is applied again at the scrape time.
		if (f.active === false || f.lastAt < now - liveFlagMs) continue;
		const l: Record<string, string> = {kind: f.kind, severity: f.severity, scope: f.scope.type};
		if (labels.issue) {
			const issue = f.scope.type === 'issue' ? f.scope.id : f.scope.type === 'run' ? snapshot.ledger.runLabels.get(f.scope.id)?.issue : undefined;
			if (issue) l.issue = issue;
		}
		const k = `${l.kind}\u0000${l.severity}\u0000${l.scope}\u0000${l.issue ?? ''}`;
		const p = flags.get(k);
		if (p) p.value++;
		else flags.set(k, {family: 'burn.flags.active', labels: l, value: 1});
	}
	out.push(...flags.values());
	for (const q of agg.quota.values()) out.push({family: 'burn.quota.used', labels: {provider: q.provider, window: q.window}, value: q.used});
	// The statusline's windows (Claude Code's) are not in the records: the quota store
	// (commands/watch-quota.ts) puts them in the document. A stale one has reset since: no point.
	for (const e of snapshot.doc.quota ?? []) {
		if (e.source !== 'statusline' || e.stale) continue;
		const window = STATUSLINE_WINDOWS[e.window] ?? e.window;
		if (!agg.quota.has(`${e.provider}\u0000${window}`)) out.push({family: 'burn.quota.used', labels: {provider: e.provider, window}, value: e.usedPercent / 100});
	}
	for (const s of snapshot.sources) out.push({family: 'burn.source.problems', labels: {source: s.kind, path: s.path}, value: s.problems});
	for (const [source, b] of Object.entries(snapshot.doc.bySource)) {
		if (b.lastAt !== null) out.push({family: 'burn.source.last_record', labels: {source}, value: Date.parse(b.lastAt) / 1000});
	}
	return out;
}
