import {describe, expect, it} from 'vitest';
import {callCost, createPricing} from '../../source/core/pricing/cost.js';
import {PriceBook} from '../../source/core/pricing/lookup.js';
import {resolveRates} from '../../source/core/pricing/rates.js';
import type {Tokens} from '../../source/core/record.js';
import {emptyTokens} from '../../source/core/record.js';
import {makeRecord} from '../helpers/records.js';

const book = new PriceBook();
const model = (id: string) => {
	const m = book.lookup(id);
	if (!m) throw new Error(`${id} not in the book`);
	return resolveRates(m.entry)!;
};
const tokens = (t: Partial<Tokens>): Tokens => ({...emptyTokens(), ...t});
/** Hand-computed values are written as (tokens × $/M) sums, divided once. */
const usd = (microDollars: number) => microDollars / 1e6;
const cost = (id: string, t: Partial<Tokens>) => callCost(model(id), tokens(t))!;

describe('per-call arithmetic (hand-computed)', () => {
	it('Anthropic: uncached input, cache read 0.1×, 5m writes 1.25×, 1h writes 2×, output', () => {
		// claude-sonnet-4-5: $3 in, $15 out → read 0.3, 5m 3.75, 1h 6.
		const c = cost('claude-sonnet-4-5', {input: 100_000, cacheRead: 60_000, cacheWrite: 30_000, cacheWrite5m: 10_000, cacheWrite1h: 20_000, output: 2_000});
		expect(c.usd).toBeCloseTo(usd(10_000 * 3 + 60_000 * 0.3 + 10_000 * 3.75 + 20_000 * 6 + 2_000 * 15), 10);
		expect(c.usd).toBeCloseTo(0.2355, 10);
		expect(c.tier).toBeNull();
	});

	it('1-hour cache writes cost 2× input, not the 5-minute 1.25×', () => {
		const five = cost('claude-opus-4-7', {input: 10_000, cacheWrite: 10_000, cacheWrite5m: 10_000, cacheWrite1h: 0, output: 0});
		const hour = cost('claude-opus-4-7', {input: 10_000, cacheWrite: 10_000, cacheWrite5m: 0, cacheWrite1h: 10_000, output: 0});
		expect(five.usd).toBeCloseTo(usd(10_000 * 6.25), 10);
		expect(hour.usd).toBeCloseTo(usd(10_000 * 10), 10);
	});

	it('cache writes without a TTL split are priced as 5-minute writes', () => {
		const c = cost('claude-opus-4-7', {input: 10_000, cacheWrite: 10_000, output: 0});
		expect(c.usd).toBeCloseTo(usd(10_000 * 6.25), 10);
		// A partial split: the rest of cacheWrite is unknown TTL → 5m.
		const partial = cost('claude-opus-4-7', {input: 10_000, cacheWrite: 10_000, cacheWrite1h: 4_000, output: 0});
		expect(partial.usd).toBeCloseTo(usd(4_000 * 10 + 6_000 * 6.25), 10);
	});

	it('long-context tier: a prompt of exactly the threshold stays at base rates', () => {
		const c = cost('claude-sonnet-4-5', {input: 200_000, output: 1_000});
		expect(c.tier).toBeNull();
		expect(c.usd).toBeCloseTo(usd(200_000 * 3 + 1_000 * 15), 10);
	});

	it('long-context tier: one token over applies the tier to every rate of the call', () => {
		const c = cost('claude-sonnet-4-5', {input: 200_001, output: 1_000});
		expect(c.tier).toBe(200_000);
		expect(c.usd).toBeCloseTo(usd(200_001 * 6 + 1_000 * 22.5), 10);
	});

	it('the tier is chosen by the whole prompt (cache included), not per bucket', () => {
		// 150k uncached + 100k cache read: no bucket is over 200k, the prompt is.
		const c = cost('claude-sonnet-4-5', {input: 250_000, cacheRead: 100_000, cacheWrite: 0, output: 1_000});
		expect(c.tier).toBe(200_000);
		expect(c.usd).toBeCloseTo(usd(150_000 * 6 + 100_000 * 0.6 + 1_000 * 22.5), 10);
		const writes = cost('claude-sonnet-4-5', {input: 200_001, cacheRead: 190_000, cacheWrite: 10_000, cacheWrite1h: 10_000, output: 0});
		expect(writes.usd).toBeCloseTo(usd(1 * 6 + 190_000 * 0.6 + 10_000 * 12), 10);
	});

	it('OpenAI tier at 272k, both sides', () => {
		expect(cost('gpt-5.5', {input: 272_000, cacheRead: 200_000, output: 100}).usd).toBeCloseTo(usd(72_000 * 5 + 200_000 * 0.5 + 100 * 30), 10);
		expect(cost('gpt-5.5', {input: 272_001, cacheRead: 200_000, output: 100}).usd).toBeCloseTo(usd(72_001 * 10 + 200_000 * 1 + 100 * 45), 10);
	});

	it('Codex: reasoning is inside output and never added again', () => {
		const c = cost('gpt-5.3-codex', {input: 50_000, cacheRead: 40_000, output: 5_000, reasoning: 3_000});
		expect(c.usd).toBeCloseTo(usd(10_000 * 1.75 + 40_000 * 0.175 + 5_000 * 14), 10);
	});

	it('Gemini: thoughts (inside output) are billed at the output rate, once', () => {
		const c = cost('gemini-2.5-flash', {input: 10_000, cacheRead: 4_000, output: 3_000, reasoning: 2_000});
		expect(c.usd).toBeCloseTo(usd(6_000 * 0.3 + 4_000 * 0.03 + 3_000 * 2.5), 10);
		const without = cost('gemini-2.5-flash', {input: 10_000, cacheRead: 4_000, output: 3_000});
		expect(c.usd).toBeCloseTo(without.usd, 12);
	});

	it('a distinct reasoning rate re-prices the reasoning part of output, not on top of it', () => {
		const b = new PriceBook();
		b.addSheet({path: 's.yaml', format: 'burn', asOf: null, models: {'think-1': {provider: 'other', input: 1, output: 10, reasoning: 20}}, aliases: {}});
		const c = callCost(resolveRates(b.lookup('think-1')!.entry)!, tokens({input: 0, output: 1_000, reasoning: 400}));
		expect(c!.usd).toBeCloseTo(usd(600 * 10 + 400 * 20), 10);
	});

	it('OpenAI cache writes: explicit rate on gpt-5.6, input rate before it', () => {
		const t = {input: 100_000, cacheRead: 50_000, cacheWrite: 20_000, output: 1_000};
		expect(cost('gpt-5.6', t).usd).toBeCloseTo(usd(30_000 * 5 + 50_000 * 0.5 + 20_000 * 6.25 + 1_000 * 30), 10);
		expect(cost('gpt-5.5', t).usd).toBeCloseTo(usd(30_000 * 5 + 50_000 * 0.5 + 20_000 * 5 + 1_000 * 30), 10);
	});

	it('Gemini tier applies to cache reads too', () => {
		expect(cost('gemini-3.1-pro-preview', {input: 300_000, cacheRead: 100_000, output: 1_000}).usd).toBeCloseTo(
			usd(200_000 * 4 + 100_000 * 0.4 + 1_000 * 18),
			10,
		);
	});

	it('nothing to price when neither input nor output is known', () => {
		expect(callCost(model('gpt-5'), tokens({}))).toBeNull();
	});
});

describe('cost basis', () => {
	const {pricer} = createPricing(new PriceBook());

	it('computed from measured tokens', () => {
		const c = pricer(makeRecord({model: 'claude-sonnet-4-6', tokens: {input: 1_000, output: 100}}));
		expect(c.basis).toBe('computed');
		expect(c.usd).toBeCloseTo(usd(1_000 * 3 + 100 * 15), 12);
	});

	it('estimated when the tokens were estimated', () => {
		const c = pricer(makeRecord({usageSource: 'estimated', tokens: {input: 1_000, output: 100}}));
		expect(c.basis).toBe('estimated');
		expect(c.usd).toBeCloseTo(usd(1_000 * 3 + 100 * 15), 10);
	});

	it('reported cost is kept, with the difference from the computed one', () => {
		const c = pricer(makeRecord({reportedCostUsd: 0.01, tokens: {input: 1_000, output: 100}}));
		expect(c.basis).toBe('reported');
		expect(c.usd).toBe(0.01);
		expect(c.reportedDelta).toBeCloseTo(0.01 - usd(4_500), 10);
	});

	it('a reported cost of 0 is not a statement: computed instead', () => {
		expect(pricer(makeRecord({reportedCostUsd: 0, tokens: {input: 1_000, output: 100}})).basis).toBe('computed');
	});

	it('unknown model: unpriced with usd null, never 0, even with a reported 0', () => {
		for (const r of [makeRecord({model: 'acme-llm-9'}), makeRecord({model: 'acme-llm-9', reportedCostUsd: 0}), makeRecord({model: null})]) {
			const c = pricer(r);
			expect(c).toEqual({usd: null, basis: 'unpriced', reason: 'no-rate'});
		}
	});

	it('unknown model with a stated cost: reported, no delta', () => {
		expect(pricer(makeRecord({model: 'acme-llm-9', reportedCostUsd: 0.5}))).toEqual({usd: 0.5, basis: 'reported'});
	});

	it('known model without token counts: unpriced (no tokens), usd null', () => {
		const c = pricer(makeRecord({usageSource: 'unavailable', tokens: {input: null, output: null, total: null}}));
		expect(c).toEqual({usd: null, basis: 'unpriced', reason: 'no-tokens'});
	});
});
