/**
 * A12 rate-limit proximity, from vendor-reported windows only (Codex `rate_limits`, usage.jsonl
 * `quota`). Local history never stands in for a plan limit: other machines and web usage count
 * against the same window, and limits change. No samples → the rule says "unknown".
 */
import type {QuotaSample, SourceKind} from '../record.js';
import {minutes} from './params.js';
import {round} from './spend.js';
import {lsqSlope} from './stats.js';
import {noteUnknown} from './context.js';
import type {Detector, FoldContext} from './types.js';

interface WindowSeries {
	samples: Array<{at: number; used: number}>;
	resetsAt: number | null;
}

function windowName(label: string, windowMinutes: number | null): string {
	if (windowMinutes === 300) return '5-hour';
	if (windowMinutes === 10080) return 'weekly';
	if (windowMinutes !== null) return `${windowMinutes}-minute`;
	return label;
}

export function rateLimitProximity() {
	const series = new Map<string, WindowSeries>();
	const st = {samples: 0};
	const take = (source: SourceKind, q: QuotaSample, ctx: FoldContext) => {
		const p = ctx.params.rateLimit;
		st.samples++;
		for (const w of q.windows) {
			const name = windowName(w.label, w.windowMinutes);
			const k = `${source} ${name}`;
			let s = series.get(k);
			if (!s) series.set(k, (s = {samples: [], resetsAt: w.resetsAt}));
			const last = s.samples[s.samples.length - 1];
			// Codex repeats its latest sample on every record until a new one arrives: count it once.
			if (last && q.at <= last.at) continue;
			// A new window (reset time moved on, or usage fell back): the old slope means nothing.
			if ((w.resetsAt !== null && s.resetsAt !== null && w.resetsAt !== s.resetsAt) || (last && w.usedPercent < last.used - 5)) s.samples = [];
			s.resetsAt = w.resetsAt;
			s.samples.push({at: q.at, used: w.usedPercent});
			while (s.samples.length > 0 && s.samples[0]!.at < q.at - minutes(p.slopeMinutes)) s.samples.shift();
			const used = w.usedPercent;
			const slopePerMin = s.samples.length >= p.minSamples ? lsqSlope(s.samples.map((x) => [x.at / 60_000, x.used] as [number, number])) : null;
			const minsToReset = w.resetsAt !== null ? (w.resetsAt * 1000 - q.at) / 60_000 : null;
			const projected = slopePerMin !== null && minsToReset !== null && minsToReset > 0 ? used + Math.max(0, slopePerMin) * minsToReset : null;
			const eta = slopePerMin !== null && slopePerMin > 0 ? (100 - used) / slopePerMin : Infinity;
			const etaBeforeReset = minsToReset === null || eta < minsToReset;
			const ratio = Math.max(used / p.used, projected !== null ? projected / p.projected : 0);
			const crit = used >= p.critUsed || (eta < p.etaMinutes && etaBeforeReset);
			const reset = minsToReset !== null ? `; resets in ${formatMinutes(minsToReset)}` : '';
			ctx.life.observe({
				kind: 'rate_limit_proximity',
				scope: {type: 'source', id: k},
				at: q.at,
				ratio,
				severity: crit ? 'crit' : 'warn',
				value: round(used),
				threshold: p.used,
				unit: 'percent',
				baseline: {n: s.samples.length, window: `${p.slopeMinutes}m slope`},
				message: () =>
					used >= p.used
						? `The ${source} ${name} rate-limit window is ${Math.round(used)}% used${eta !== Infinity && etaBeforeReset ? `, full in about ${formatMinutes(eta)}` : ''}${reset}: slow down or expect to be throttled.`
						: `The ${source} ${name} rate-limit window is ${Math.round(used)}% used but on track for ${Math.round(projected ?? used)}% before it resets${reset}.`,
				evidence: () => `${used.toFixed(1)}% used${slopePerMin !== null ? `, ${slopePerMin.toFixed(2)} %/min` : ''}`,
			});
		}
	};
	const detector: Detector = {
		state: {series, st},
		onRecord(r, ctx) {
			if (r.quota) take(r.source, r.quota, ctx);
		},
		atNow(_now, _ctx, _data, out) {
			if (st.samples === 0) out.notes.push(noteUnknown('rate_limit_proximity', 'no vendor-reported rate-limit windows in the data: unknown (never guessed from history)'));
		},
	};
	return detector;
}

function formatMinutes(m: number): string {
	if (m < 90) return `${Math.max(0, Math.round(m))} min`;
	if (m < 48 * 60) return `${(m / 60).toFixed(1)} h`;
	return `${(m / 1440).toFixed(1)} d`;
}
