/**
 * Thresholds for every anomaly kind, defaults from docs/anomalies.md. Every number is configurable
 * through the config file (`flags:` section, see config.ts); budgets come from `--budget` too.
 */
import type {z} from 'zod';
import {lazySchema} from '../zod.js';

const MIN = 60_000;

export const DEFAULT_PARAMS = {
	lifecycle: {
		/** Clear at this fraction of the raise threshold (hysteresis). */
		clearRatio: 0.8,
		cooldownMinutes: 5,
		/** A kind that fires this many times for one scope escalates one severity. */
		escalateAfter: 3,
		/** Watch shows flags whose last evidence is younger than this (warm-up rule). */
		liveMinutes: 10,
	},
	spendSpike: {
		rz: 4,
		critRz: 8,
		ratio: 2,
		critRatio: 5,
		minUsdPerMin: 0.05,
		minTokensPerMin: 50_000,
		baselineMinutes: 60,
		excludeRecentMinutes: 5,
		youngRunMinutes: 15,
		poolDays: 7,
		minSamples: 10,
		fastHalfLifeMinutes: 2,
	},
	runCostOutlier: {
		rz: 3,
		critRz: 5,
		minPeers: 8,
		fallbackRatio: 3,
		fallbackMinUsd: 2,
		fallbackMinTokens: 2_000_000,
		/** A run idle this long counts as completed (a peer). */
		completedAfterMinutes: 30,
		peerDays: 30,
	},
	budget: {
		warnShare: 0.8,
		critShare: 1,
		etaMinutes: 30,
		slowHalfLifeMinutes: 30,
		/** Budgets in USD; null = none. */
		run: null as number | null,
		issue: null as number | null,
		day: null as number | null,
	},
	loop: {streak: 6, critStreak: 12, share: 0.5, shareWindow: 20, shareMinCalls: 10, readSearchEditFactor: 3},
	errorLoop: {count: 4, critCount: 8, windowMinutes: 10},
	toolFailure: {streak: 3, critStreak: 6, wilson: 0.25, window: 20, minResults: 5},
	stall: {minMinutes: 5, gapFactor: 3, gapQuantile: 0.95, minGaps: 10, critFactor: 2, maxHours: 6},
	context: {fill: 0.85, critFill: 0.95, etaRequests: 3, etaMinFill: 0.6, slopeWindow: 10, minRequests: 3},
	cacheMiss: {writeShare: 0.5, of: 5, count: 3, baselineReadShare: 0.7, minBaseline: 3, ttlMinutes: 5, ttl1hMinutes: 60},
	/** A projection needs `minSamples` over `minSpanMinutes` and `minProjectUsed` % used (2 % used is no trend). */
	rateLimit: {used: 80, critUsed: 95, projected: 100, etaMinutes: 15, slopeMinutes: 30, minSamples: 3, minSpanMinutes: 10, minProjectUsed: 10},
	retryChurn: {attempts: 3, critCostFactor: 3, minRunsForMedian: 8},
	dataQuality: {parseErrorShare: 0.01, unpricedInfo: 0, unpricedWarn: 0.05, silentMinutes: 30, silentMinRecords: 20},
	/** $-based rules fall back to tokens when more than this share of the scope is unpriced. */
	unpricedFallbackShare: 0.05,
};

export type AnomalyParams = typeof DEFAULT_PARAMS;

export const minutes = (m: number) => m * MIN;

// Config file schema: every group and number optional, unknown keys rejected so typos are caught.
export const paramsOverrideSchema = lazySchema((z) => {
	const num = z.number().nonnegative();
	const partialOf = (group: Record<string, unknown>) => {
		const shape: Record<string, z.ZodTypeAny> = {};
		for (const [k, v] of Object.entries(group)) shape[k] = v === null || typeof v === 'number' ? num.nullable().optional() : z.any();
		return z.strictObject(shape).optional();
	};
	const groupShape: Record<string, z.ZodTypeAny> = {};
	for (const [k, v] of Object.entries(DEFAULT_PARAMS)) {
		groupShape[k] = typeof v === 'number' ? num.optional() : partialOf(v as Record<string, unknown>);
	}
	return z.strictObject(groupShape);
});

export type ParamsOverride = {[G in keyof AnomalyParams]?: AnomalyParams[G] extends number ? number : Partial<AnomalyParams[G]>};

/** Defaults with overrides applied (a deep copy: callers may not mutate the defaults). */
export function resolveParams(...overrides: Array<ParamsOverride | undefined>): AnomalyParams {
	const out = structuredClone(DEFAULT_PARAMS) as AnomalyParams;
	for (const o of overrides) {
		if (!o) continue;
		for (const [group, value] of Object.entries(o)) {
			if (value === undefined) continue;
			const g = group as keyof AnomalyParams;
			if (typeof value === 'number') (out as Record<string, unknown>)[g] = value;
			else {
				for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
					if (v !== undefined && (v === null ? k in (out[g] as object) && (g === 'budget') : true)) {
						(out[g] as Record<string, unknown>)[k] = v;
					}
				}
			}
		}
	}
	return out;
}
