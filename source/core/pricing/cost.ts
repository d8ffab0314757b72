/**
 * The cost of one call, and the Pricer the ledger applies when a view is computed.
 *
 * Token semantics are the record's (record.ts): `input` is the whole prompt (uncached + cache
 * read + cache write), `cacheWrite` is 5m + 1h + writes of unknown TTL, `output` includes
 * reasoning. So uncached input = input − cacheRead − cacheWrite, and reasoning is never added on
 * top of output: it is only re-priced when a model bills it at a distinct rate.
 */
import type {Tokens, UsageRecord} from '../record.js';
import type {PricedCost, Pricer} from '../totals.js';
import type {PriceBook} from './lookup.js';
import {ratesForPrompt, resolveRates} from './rates.js';
import type {PricedModel, ResolvedRates} from './types.js';

export interface CallCost {
	usd: number;
	/** The tier threshold applied, or null for base rates. */
	tier: number | null;
	parts: {input: number; cacheRead: number; cacheWrite5m: number; cacheWrite1h: number; output: number};
}

/**
 * Prices one call's tokens. Null when neither input nor output is known (nothing to price).
 * A field the source did not state counts as none of that kind: with cacheRead unknown, the whole
 * input is priced as uncached, which errs high rather than low.
 */
export function callCost(model: PricedModel, t: Tokens): CallCost | null {
	if (t.input === null && t.output === null) return null;
	const cacheRead = t.cacheRead ?? 0;
	const w5m = t.cacheWrite5m ?? 0;
	const w1h = t.cacheWrite1h ?? 0;
	const cacheWrite = t.cacheWrite ?? w5m + w1h;
	// The tier is chosen by the whole prompt of this call, then applies to all of its rates.
	const prompt = t.input ?? cacheRead + cacheWrite;
	const {rates, tier} = ratesForPrompt(model, prompt);
	const uncached = t.input === null ? 0 : Math.max(0, t.input - cacheRead - cacheWrite);
	// Writes whose TTL the source did not split are priced as 5-minute writes (the default TTL).
	const unknownTtl = Math.max(0, cacheWrite - w5m - w1h);
	const output = t.output ?? 0;
	const parts = {
		input: (uncached * rates.input) / 1e6,
		cacheRead: (cacheRead * rates.cacheRead) / 1e6,
		cacheWrite5m: ((w5m + unknownTtl) * rates.cacheWrite5m) / 1e6,
		cacheWrite1h: (w1h * rates.cacheWrite1h) / 1e6,
		output: outputCost(rates, output, t.reasoning) / 1e6,
	};
	const usd = parts.input + parts.cacheRead + parts.cacheWrite5m + parts.cacheWrite1h + parts.output;
	return {usd, tier, parts};
}

/** Output at the output rate; the reasoning subset at its own rate only when that differs. */
function outputCost(rates: ResolvedRates, output: number, reasoning: number | null): number {
	if (reasoning === null || rates.reasoning === rates.output) return output * rates.output;
	const r = Math.min(reasoning, output);
	return (output - r) * rates.output + r * rates.reasoning;
}

/** A reported cost of 0 is not a statement (OpenCode writes 0 for unpriced providers): compute instead. */
function statedCost(r: UsageRecord): number | null {
	return r.reportedCostUsd !== null && r.reportedCostUsd > 0 ? r.reportedCostUsd : null;
}

export interface Pricing {
	pricer: Pricer;
	/** The priced model for a record's model id (cached), or null when the book has no rate. */
	modelFor(model: string | null, provider: string | null): PricedModel | null;
}

/**
 * The ledger's pricer over a book. Basis, in order: estimated tokens → `estimated`; a stated cost →
 * `reported` (with reported − computed when the tokens can be priced); priced tokens → `computed`;
 * otherwise `unpriced` with usd null (no rate for the model, or no tokens). Never 0 for unknown.
 */
export function createPricing(book: PriceBook): Pricing {
	// By provider, then model: two lookups on strings the records already hold (their hashes are
	// kept), instead of building a combined key string per record.
	const cache = new Map<string, Map<string, PricedModel | null>>();
	// Records come in runs of one model: the last answer first, before building a cache key.
	let lastModel: string | null = null;
	let lastProvider: string | null = null;
	let lastHit: PricedModel | null = null;
	const modelFor = (model: string | null, provider: string | null): PricedModel | null => {
		if (model === null) return null;
		if (model === lastModel && provider === lastProvider) return lastHit;
		let hit: PricedModel | null | undefined = null;
		if (model.trim() !== '') {
			// A missing provider and an empty one were the same key before: keep them one.
			const p = provider ?? '';
			let models = cache.get(p);
			if (models === undefined) cache.set(p, (models = new Map()));
			hit = models.get(model);
			if (hit === undefined) {
				const match = book.lookup(model, provider);
				hit = match ? resolveRates(match.entry) : null;
				models.set(model, hit);
			}
		}
		lastModel = model;
		lastProvider = provider;
		lastHit = hit;
		return hit;
	};
	const pricer: Pricer = (r) => {
		const model = modelFor(r.model, r.provider);
		const computed = model ? callCost(model, r.tokens) : null;
		const stated = statedCost(r);
		if (r.usageSource === 'estimated' && computed) return {usd: computed.usd, basis: 'estimated'};
		if (stated !== null) {
			const out: PricedCost = {usd: stated, basis: 'reported'};
			if (computed) out.reportedDelta = stated - computed.usd;
			return out;
		}
		if (computed) return {usd: computed.usd, basis: 'computed'};
		return {usd: null, basis: 'unpriced', reason: model ? 'no-tokens' : 'no-rate'};
	};
	return {pricer, modelFor};
}

export function createPricer(book: PriceBook): Pricer {
	return createPricing(book).pricer;
}
