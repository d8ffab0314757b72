/**
 * Counters that never go down (docs/metrics.md, "Retractions").
 *
 * burn's totals can shrink: a source file that was truncated or replaced is re-read from zero and
 * its old records retracted; a count-once rule can move a record to another issue; a price sheet
 * can lower a cost. Prometheus reads any decrease of a counter as a restart from 0 and `increase()`
 * would then count the whole remaining total again, so a decrease is never exported. Per series:
 *
 *   exported  only grows: it follows `current + retracted` upwards
 *   retracted what was withdrawn after being exported, in the sibling `<name>.retracted`
 *   exported − retracted = burn's current total (what `summary --json` says), once settled
 *
 * A shrink is booked as retracted only after it lasted `graceMs` (default 30 s): a file rewritten
 * in place (truncated, then written again) brings the same records back within that time and
 * then nothing is booked and nothing is counted twice. While a shrink is pending the counter holds
 * its value. A series that vanished (all its records withdrawn) keeps its last value.
 *
 * The state (exported and retracted per series) is saved in the cache directory, so a restart
 * resumes every counter where it was, and a shrink that happened while burn was down is found
 * by the first read after the restart and booked like any other.
 */
import type {MetricPoint} from './points.js';
import {roundUsd9} from './points.js';

interface Series {
	family: string;
	labels: Record<string, string>;
	/** The current ledger total (0 when the series is gone). */
	net: number;
	retracted: number;
	exported: number;
	/** Clock time a shrink was first seen; null when none is pending. */
	shrinkSince: number | null;
}

export interface SavedRetractionState {
	version: 1;
	series: Array<[family: string, labels: Record<string, string>, exported: number, retracted: number]>;
	/** OTLP delta mode: each counter series' value at the last push (metrics/otlp.ts), by series key. */
	otlpDelta?: Record<string, number>;
}

export interface RetractionOptions {
	/** How long a shrink must last before it is booked as retracted (ms). */
	graceMs?: number;
}

export const DEFAULT_RETRACTION_GRACE_MS = 30_000;

/** Below this a difference is float noise (money is rounded to 1e-9 USD, tokens are integers). */
const EPSILON = 1e-8;

export function seriesKey(family: string, labels: Record<string, string>): string {
	const keys = Object.keys(labels).sort();
	let k = family;
	for (const name of keys) k += `\u0000${name}=${labels[name]}`;
	return k;
}

export class RetractionGuard {
	private readonly series = new Map<string, Series>();
	private readonly graceMs: number;

	constructor(saved?: SavedRetractionState | null, options: RetractionOptions = {}) {
		this.graceMs = options.graceMs ?? DEFAULT_RETRACTION_GRACE_MS;
		if (saved?.version !== 1 || !Array.isArray(saved.series)) return;
		for (const entry of saved.series) {
			const [family, labels, exported, retracted] = entry;
			if (typeof family !== 'string' || typeof exported !== 'number' || typeof retracted !== 'number' || !labels || typeof labels !== 'object') continue;
			// Until the first read says otherwise, the series stands where it was exported.
			this.series.set(seriesKey(family, labels), {family, labels, net: exported - retracted, retracted, exported, shrinkSince: null});
		}
	}

	/**
	 * Takes the current totals of every counter series at clock time `now` (`keys`: their
	 * `seriesKey`s, when the caller keeps them across calls). Returns whether an
	 * exported value rose (`grew`) and whether a retraction was booked (`retracted`: worth saving
	 * at once).
	 */
	update(points: readonly MetricPoint[], now: number, keys?: readonly string[]): {grew: boolean; retracted: boolean} {
		const seen = new Set<string>();
		let grew = false;
		let retracted = false;
		for (let i = 0; i < points.length; i++) {
			const p = points[i]!;
			const key = keys?.[i] ?? seriesKey(p.family, p.labels);
			seen.add(key);
			let s = this.series.get(key);
			if (!s) {
				this.series.set(key, (s = {family: p.family, labels: p.labels, net: 0, retracted: 0, exported: 0, shrinkSince: null}));
			}
			s.net = p.value;
		}
		for (const [key, s] of this.series) {
			if (!seen.has(key)) s.net = 0;
			const deficit = s.exported - s.retracted - s.net;
			if (deficit > EPSILON) {
				s.shrinkSince ??= now;
				if (now - s.shrinkSince >= this.graceMs) {
					s.retracted = roundUsd9(s.retracted + deficit);
					s.shrinkSince = null;
					retracted = true;
				}
				continue;
			}
			s.shrinkSince = null;
			const next = roundUsd9(s.net + s.retracted);
			if (next > s.exported + EPSILON) {
				s.exported = next;
				grew = true;
			}
		}
		return {grew, retracted};
	}

	/** The exported counters and, where something was withdrawn, their `.retracted` siblings. */
	points(): MetricPoint[] {
		const out: MetricPoint[] = [];
		for (const s of this.series.values()) {
			out.push({family: s.family, labels: s.labels, value: s.exported});
			if (s.retracted > 0) out.push({family: `${s.family}.retracted`, labels: s.labels, value: s.retracted});
		}
		return out;
	}

	/** A shrink is waiting for its grace time (the caller should look again by then). */
	get pending(): boolean {
		for (const s of this.series.values()) if (s.shrinkSince !== null) return true;
		return false;
	}

	save(): SavedRetractionState {
		return {version: 1, series: [...this.series.values()].map((s) => [s.family, s.labels, s.exported, s.retracted])};
	}
}
