/**
 * Turns a book entry (the rates a table or sheet states) into every rate a call needs, each with
 * where it came from. The rules for rates nobody stated:
 * - Anthropic: cache read 0.1×, cache write 5m 1.25×, 1h 2× the input rate.
 * - Others: no cache-read discount listed → the input rate; no cache-write rate → the input rate
 *   (OpenAI before gpt-5.6 bills writes as plain input, docs/transcript-formats.md §2.4 step 5); no 1h
 *   rate → the 5m rate.
 * - Reasoning is part of output and billed at the output rate unless a distinct rate is stated
 *   (Gemini thoughts are output-priced; OpenAI reasoning is inside output).
 * - A tier states input and output; its cache rates scale with its input rate, its reasoning
 *   rate follows its output rate, unless the tier states them.
 */
import type {BookEntry} from './lookup.js';
import type {PricedModel, RateField, RateOrigin, ResolvedRates, ResolvedTier} from './types.js';

const derived = (rule: string): RateOrigin => ({kind: 'derived', rule});

export function resolveRates(entry: BookEntry): PricedModel | null {
	const r = entry.rates;
	if (r.input === undefined || r.output === undefined) return null;
	const anthropic = entry.provider === 'anthropic';
	const origins = {} as Record<RateField, RateOrigin>;
	const pick = (f: RateField, fallback: number, rule: string): number => {
		const v = r[f];
		if (v !== undefined) {
			origins[f] = entry.origins[f] ?? {kind: 'embedded'};
			return v;
		}
		origins[f] = derived(rule);
		return fallback;
	};
	const input = pick('input', r.input, '');
	const output = pick('output', r.output, '');
	const cacheRead = pick('cacheRead', anthropic ? input * 0.1 : input, anthropic ? '0.1× input (Anthropic)' : 'input rate (no cache-read rate listed)');
	const cacheWrite5m = pick(
		'cacheWrite5m',
		anthropic ? input * 1.25 : input,
		anthropic ? '1.25× input (Anthropic 5-minute write)' : 'input rate (no cache-write rate listed)',
	);
	const cacheWrite1h = pick('cacheWrite1h', anthropic ? input * 2 : cacheWrite5m, anthropic ? '2× input (Anthropic 1-hour write)' : 'the 5-minute write rate');
	const reasoning = pick('reasoning', output, 'output rate (reasoning is part of output)');
	const base: ResolvedRates = {input, output, cacheRead, cacheWrite5m, cacheWrite1h, reasoning};

	const tiers: ResolvedTier[] = entry.tiers.map((t) => {
		const inScale = base.input > 0 ? t.input / base.input : 1;
		const outScale = base.output > 0 ? t.output / base.output : 1;
		return {
			above: t.above,
			input: t.input,
			output: t.output,
			cacheRead: t.cacheRead ?? base.cacheRead * inScale,
			cacheWrite5m: t.cacheWrite5m ?? base.cacheWrite5m * inScale,
			cacheWrite1h: t.cacheWrite1h ?? base.cacheWrite1h * inScale,
			reasoning: t.reasoning ?? base.reasoning * outScale,
		};
	});
	tiers.sort((a, b) => a.above - b.above);
	return {id: entry.id, provider: entry.provider, base, tiers, origins, tierOrigin: entry.tierOrigin};
}

/** The rates of one call: the highest tier whose threshold the whole prompt exceeds, else the base. */
export function ratesForPrompt(model: PricedModel, promptTokens: number): {rates: ResolvedRates; tier: number | null} {
	let chosen: ResolvedTier | null = null;
	for (const t of model.tiers) if (promptTokens > t.above) chosen = t;
	return chosen ? {rates: chosen, tier: chosen.above} : {rates: model.base, tier: null};
}
