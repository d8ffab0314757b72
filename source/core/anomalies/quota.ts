/**
 * A12 rate-limit proximity, from vendor-reported windows only (Codex `rate_limits`, usage.jsonl
 * `quota`). Local history never stands in for a plan limit: other machines and web usage count
 * against the same window, and limits change. No samples → the rule says "unknown".
 *
 * Judged at `now` as well as at each sample: a window whose reset time has passed is reset, not
 * "53 % used" (its flag is cleared at the reset), and "resets in" is measured from `now`. A
 * projection needs a minimum of evidence (samples, span, percentage used): 2 % used is no trend.
 */
import type {Flag} from '../flags.js';
import type {QuotaSample, SourceKind} from '../record.js';
import {formatDuration} from '../quota.js';
import {flagId} from './lifecycle.js';
import {minutes} from './params.js';
import {round} from './spend.js';
import {lsqSlope} from './stats.js';
import {noteUnknown} from './context.js';
import type {Detector, FoldContext} from './types.js';

interface WindowSeries {
	source: SourceKind;
	name: string;
	samples: Array<{at: number; used: number}>;
	resetsAt: number | null;
	/** The last judgement, re-worded at `now`. */
	used: number;
	eta: number;
	at: number;
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
			if (!s) series.set(k, (s = {source, name, samples: [], resetsAt: w.resetsAt, used: 0, eta: Infinity, at: q.at}));
			const last = s.samples[s.samples.length - 1];
			// Codex repeats its latest sample on every record until a new one arrives: count it once.
			if (last && q.at <= last.at) continue;
			// A new window (reset time moved on, or usage fell back): the old slope means nothing.
			if ((w.resetsAt !== null && s.resetsAt !== null && w.resetsAt !== s.resetsAt) || (last && w.usedPercent < last.used - 5)) s.samples = [];
			s.resetsAt = w.resetsAt;
			const scope = {type: 'source' as const, id: k};
			const minsToReset = w.resetsAt !== null ? (w.resetsAt * 1000 - q.at) / 60_000 : null;
			if (minsToReset !== null && minsToReset <= 0) {
				// The sample describes a window that had already reset when it was taken: nothing is used of the current one.
				s.samples = [];
				s.used = 0;
				ctx.life.observe({kind: 'rate_limit_proximity', scope, at: q.at, ratio: 0, severity: 'warn', value: 0, threshold: p.used, unit: 'percent', baseline: null, message: ''});
				continue;
			}
			s.samples.push({at: q.at, used: w.usedPercent});
			while (s.samples.length > 0 && s.samples[0]!.at < q.at - minutes(p.slopeMinutes)) s.samples.shift();
			const used = w.usedPercent;
			const span = s.samples.length > 0 ? q.at - s.samples[0]!.at : 0;
			const enough = s.samples.length >= p.minSamples && span >= minutes(p.minSpanMinutes) && used >= p.minProjectUsed;
			const slopePerMin = enough ? lsqSlope(s.samples.map((x) => [x.at / 60_000, x.used] as [number, number])) : null;
			const projected = slopePerMin !== null && minsToReset !== null ? used + Math.max(0, slopePerMin) * minsToReset : null;
			const eta = slopePerMin !== null && slopePerMin > 0 ? (100 - used) / slopePerMin : Infinity;
			const etaBeforeReset = minsToReset === null || eta < minsToReset;
			s.used = used;
			s.eta = etaBeforeReset ? eta : Infinity;
			s.at = q.at;
			const ratio = Math.max(used / p.used, projected !== null ? projected / p.projected : 0);
			const crit = used >= p.critUsed || (eta < p.etaMinutes && etaBeforeReset);
			ctx.life.observe({
				kind: 'rate_limit_proximity',
				scope,
				at: q.at,
				ratio,
				severity: crit ? 'crit' : 'warn',
				value: round(used),
				threshold: p.used,
				unit: 'percent',
				baseline: {n: s.samples.length, window: `${p.slopeMinutes}m slope`},
				// Re-worded at `now` in atNow (the reset is measured from then); this is the sample's view.
				// Built now: the sentence reads the series' state, which later samples change.
				message: sentence(s, used, projected, p.used, w.resetsAt !== null ? w.resetsAt * 1000 - q.at : null),
				evidence: () => `${used.toFixed(1)}% used${slopePerMin !== null ? `, ${slopePerMin.toFixed(2)} %/min` : ''}`,
			});
		}
	};
	const detector: Detector = {
		state: {series, st},
		onRecord(r, ctx) {
			if (r.quota) take(r.source, r.quota, ctx);
		},
		atNow(now, _ctx, _data, out) {
			if (st.samples === 0) out.notes.push(noteUnknown('rate_limit_proximity', 'no vendor-reported rate-limit windows in the data: unknown (never guessed from history)'));
			for (const [k, s] of series) {
				const i = out.flags.findIndex((f) => f.id === flagId('rate_limit_proximity', {type: 'source', id: k}));
				if (i < 0) continue;
				out.flags[i] = atNowFlag(out.flags[i]!, s, now);
			}
		},
	};
	return detector;
}

/** The flag as of `now`: cleared at the reset when the reset has passed; "resets in" from now. */
function atNowFlag(f: Flag, s: WindowSeries, now: number): Flag {
	const resetMs = s.resetsAt !== null ? s.resetsAt * 1000 : null;
	if (f.active === false) return f;
	if (resetMs !== null && resetMs <= now) {
		const message = f.message.replace(RESETS_IN, '').replace(FULL_IN, '');
		return {...f, active: false, clearedAt: Math.max(f.lastAt, resetMs), message: `${message} (the window reset at ${new Date(resetMs).toISOString()})`};
	}
	const eta = s.eta - (now - s.at) / 60_000;
	let message = resetMs === null ? f.message : f.message.replace(RESETS_IN, `; resets in ${formatDuration(resetMs - now)}`);
	message = message.replace(FULL_IN, s.eta !== Infinity && eta > 0 ? `, full in about ${formatDuration(eta * 60_000)}` : '');
	return message === f.message ? f : {...f, message};
}

const DURATION = '(?:<1 min|\\d+(?:\\.\\d)? (?:min|h|d))';
const RESETS_IN = new RegExp(`; resets in ${DURATION}`);
const FULL_IN = new RegExp(`, full in about ${DURATION}`);

/** The sentence at the sample: "resets in" and "full in" are measured from the sample here, re-measured from `now` in atNow. */
function sentence(s: WindowSeries, used: number, projected: number | null, warnAt: number, msToReset: number | null): string {
	const reset = msToReset !== null ? `; resets in ${formatDuration(msToReset)}` : '';
	const name = `The ${s.source} ${s.name} rate-limit window`;
	if (used >= warnAt) return `${name} is ${Math.round(used)}% used${s.eta !== Infinity ? `, full in about ${formatDuration(s.eta * 60_000)}` : ''}${reset}: slow down or expect to be throttled.`;
	return `${name} is ${Math.round(used)}% used but on track for ${Math.round(projected ?? used)}% before it resets${reset}.`;
}
