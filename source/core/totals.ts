/**
 * Additive totals with coverage. Every token field keeps its sum over the records that stated it
 * (`known`) and how many did not (`missing`); a sum over partly-known records is partial, and a
 * field no record stated is `null`, never 0. Totals can subtract a record as well as add one, so
 * the ledger can replace a record by a better version of itself without double counting.
 *
 * Money is summed exactly, in integer nano-dollars (each record's cost rounded once to 1e-9 USD;
 * sums stay exact below 2^53 nano-dollars, about $9M): the same records in any order, or added
 * and subtracted again, give the same total bit for bit. `usd` is that sum in dollars.
 * First/last times are those of the records counted now: subtracting the record at an end
 * marks the range stale (`rangeStale`), and the ledger recomputes it before a document is built.
 */
import {recordFidelity} from './fidelity.js';
import type {FidelityClass, Granularity, TokenField, UsageRecord, UsageSource} from './record.js';
import {TOKEN_FIELDS} from './record.js';

export interface FieldTotal {
	sum: number;
	known: number;
	missing: number;
}

/** How a record's cost was arrived at. */
export type CostBasis = 'computed' | 'reported' | 'estimated' | 'unpriced';

export interface PricedCost {
	/** null when unpriced. */
	usd: number | null;
	basis: CostBasis;
	/** The reported cost differs from what the tokens would cost (reported minus computed), USD. */
	reportedDelta?: number;
	/** Why a cost is unpriced: no rate for the model (listed in `unpricedModels`), or no token counts. */
	reason?: 'no-rate' | 'no-tokens';
}

/** Prices one record. Applied when totals are computed, never stored with records. */
export type Pricer = (record: UsageRecord) => PricedCost;

export interface Totals {
	records: number;
	tokens: Record<TokenField, FieldTotal>;
	/** Sum of priced costs (USD), over `priced` records: `usdNano / 1e9`. */
	usd: number;
	/** The exact sum, integer nano-dollars. */
	usdNano: number;
	priced: number;
	basis: Record<CostBasis, number>;
	/** Unpriced records per model. */
	unpricedModels: Map<string, number>;
	/** Sum of (reported − computed) where both exist: `reportedDeltaNano / 1e9`. */
	reportedDelta: number;
	reportedDeltaNano: number;
	byClass: Record<FidelityClass, number>;
	byGranularity: Record<Granularity, number>;
	usageSource: Record<UsageSource, number>;
	firstAt: number | null;
	lastAt: number | null;
	/** A record at firstAt or lastAt was subtracted: the range may be wider than the records now counted. */
	rangeStale: boolean;
	/** Bumped on every add or subtract, so views can tell an unchanged row without comparing it. */
	changes: number;
}

/**
 * The `unpricedModels` of totals that have none yet: shared, and replaced by a map of their own on
 * the first unpriced record (a row per run or issue is kept for the whole read; most never need one).
 * Only `applyCounted` writes the map.
 */
const NO_UNPRICED_MODELS: Map<string, number> = new Map();

export function emptyTotals(): Totals {
	const tokens = {} as Record<TokenField, FieldTotal>;
	for (const f of TOKEN_FIELDS) tokens[f] = {sum: 0, known: 0, missing: 0};
	return {
		records: 0,
		tokens,
		usd: 0,
		usdNano: 0,
		priced: 0,
		basis: {computed: 0, reported: 0, estimated: 0, unpriced: 0},
		unpricedModels: NO_UNPRICED_MODELS,
		reportedDelta: 0,
		reportedDeltaNano: 0,
		byClass: {full: 0, 'usage-only': 0, 'aggregate-only': 0, 'cost-only': 0, partial: 0},
		byGranularity: {'per-turn': 0, 'per-message': 0, 'per-session-aggregate': 0, 'cost-only': 0},
		usageSource: {provider_reported: 0, estimated: 0, unavailable: 0},
		firstAt: null,
		lastAt: null,
		rangeStale: false,
		changes: 0,
	};
}

/**
 * Adds (`sign` = 1) or subtracts (`sign` = -1) one record and its price. Subtracting the record at
 * either end of the time range marks it stale (see the header); no records left clears it.
 */
export function applyRecord(t: Totals, r: UsageRecord, cost: PricedCost | null, sign: 1 | -1): void {
	applyCounted(t, r, cost, sign, recordFidelity(r));
}

/** `applyRecord` with the record's fidelity class computed once by the caller (the ledger adds to six totals). */
export function applyCounted(t: Totals, r: UsageRecord, cost: PricedCost | null, sign: 1 | -1, cls: FidelityClass): void {
	t.records += sign;
	t.changes++;
	const k = r.tokens;
	const tt = t.tokens;
	addField(tt.input, k.input, sign);
	addField(tt.cacheRead, k.cacheRead, sign);
	addField(tt.cacheWrite, k.cacheWrite, sign);
	addField(tt.output, k.output, sign);
	addField(tt.reasoning, k.reasoning, sign);
	addField(tt.total, k.total, sign);
	bumpClass(t.byClass, cls, sign);
	bumpGranularity(t.byGranularity, r.granularity, sign);
	bumpUsageSource(t.usageSource, r.usageSource, sign);
	if (cost) {
		bumpBasis(t.basis, cost.basis, sign);
		if (cost.usd === null && cost.reason !== 'no-tokens') {
			const model = r.model ?? '(unknown)';
			const n = (t.unpricedModels.get(model) ?? 0) + sign;
			if (n <= 0) t.unpricedModels.delete(model);
			else {
				if (t.unpricedModels === NO_UNPRICED_MODELS) t.unpricedModels = new Map();
				t.unpricedModels.set(model, n);
			}
		} else if (cost.usd !== null) {
			t.usdNano += sign * toNano(cost.usd);
			t.usd = t.usdNano / 1e9;
			t.priced += sign;
		}
		if (cost.reportedDelta !== undefined) {
			t.reportedDeltaNano += sign * toNano(cost.reportedDelta);
			t.reportedDelta = t.reportedDeltaNano / 1e9;
		}
	}
	if (sign === 1) {
		if (t.firstAt === null || r.at < t.firstAt) t.firstAt = r.at;
		if (t.lastAt === null || r.at > t.lastAt) t.lastAt = r.at;
	} else if (t.records === 0) {
		t.firstAt = null;
		t.lastAt = null;
		t.rangeStale = false;
	} else if (r.at === t.firstAt || r.at === t.lastAt) {
		t.rangeStale = true;
	}
}

/** A cost in integer nano-dollars (the unit totals sum in). */
export function toNano(usd: number): number {
	return Math.round(usd * 1e9);
}

// Named stores instead of `counts[key] += sign`: a keyed store with changing keys is a
// dictionary lookup per call, and the ledger makes six of these per record.
function bumpClass(c: Record<FidelityClass, number>, k: FidelityClass, sign: 1 | -1): void {
	switch (k) {
		case 'full':
			c.full += sign;
			return;
		case 'usage-only':
			c['usage-only'] += sign;
			return;
		case 'aggregate-only':
			c['aggregate-only'] += sign;
			return;
		case 'cost-only':
			c['cost-only'] += sign;
			return;
		case 'partial':
			c.partial += sign;
			return;
		default:
			bumpOther(c, k, sign);
	}
}

function bumpGranularity(c: Record<Granularity, number>, k: Granularity, sign: 1 | -1): void {
	switch (k) {
		case 'per-turn':
			c['per-turn'] += sign;
			return;
		case 'per-message':
			c['per-message'] += sign;
			return;
		case 'per-session-aggregate':
			c['per-session-aggregate'] += sign;
			return;
		case 'cost-only':
			c['cost-only'] += sign;
			return;
		default:
			bumpOther(c, k, sign);
	}
}

function bumpUsageSource(c: Record<UsageSource, number>, k: UsageSource, sign: 1 | -1): void {
	switch (k) {
		case 'provider_reported':
			c.provider_reported += sign;
			return;
		case 'estimated':
			c.estimated += sign;
			return;
		case 'unavailable':
			c.unavailable += sign;
			return;
		default:
			bumpOther(c, k, sign);
	}
}

function bumpBasis(c: Record<CostBasis, number>, k: CostBasis, sign: 1 | -1): void {
	switch (k) {
		case 'computed':
			c.computed += sign;
			return;
		case 'reported':
			c.reported += sign;
			return;
		case 'estimated':
			c.estimated += sign;
			return;
		case 'unpriced':
			c.unpriced += sign;
			return;
		default:
			bumpOther(c, k, sign);
	}
}

/** A value outside the known set (a newer source): counted all the same. */
function bumpOther(c: object, k: string, sign: 1 | -1): void {
	const o = c as Record<string, number>;
	o[k] = (o[k] ?? 0) + sign;
}

function addField(ft: FieldTotal, v: number | null, sign: 1 | -1): void {
	if (v === null) ft.missing += sign;
	else {
		ft.sum += sign * v;
		ft.known += sign;
	}
}

/** The value of a field total: null when no record stated it. */
export function fieldValue(ft: FieldTotal): number | null {
	return ft.known > 0 ? ft.sum : null;
}

/** Partial: some records stated the field and some did not. */
export function isPartial(ft: FieldTotal): boolean {
	return ft.known > 0 && ft.missing > 0;
}

/** Total tokens of a record for "which copy is larger" decisions: unknowns count as 0 here only. */
export function recordTokenMass(r: UsageRecord): number {
	const t = r.tokens;
	return (t.input ?? 0) + (t.output ?? 0);
}
