/**
 * Price sheets: burn's own YAML/JSON format, or a LiteLLM `model_prices_and_context_window.json`
 * (so users can refresh prices without waiting for a release). Pure: text in, sheet out; a sheet
 * that cannot be used is a SheetError naming the file and the key.
 *
 * burn format (rates in USD per million tokens; a field left out keeps the embedded value or the
 * cost rule's):
 *
 *   asOf: 2026-08-01
 *   models:
 *     claude-sonnet-4-6: {input: 3, output: 15}
 *     corp-llm: {provider: other, input: 0.5, output: 1.5, tiers: [{above: 200000, input: 1, output: 3}]}
 *   aliases:
 *     sonnet: claude-sonnet-4-6
 */
import {parseYaml} from '../yaml.js';
import {lazySchema} from '../zod.js';
import {inferProvider, type PriceSheet, type SheetModel} from './lookup.js';
import {keyPath, SheetError, type PriceProvider, type Tier} from './types.js';

export {keyPath};

const sheetSchema = lazySchema((z) => {
	const rate = z.number({error: 'expected a number (USD per million tokens)'}).finite().nonnegative({error: 'must be 0 or more'});
	const provider = z.enum(['anthropic', 'openai', 'google', 'other']);

	const tierSchema = z
		.object({
			above: z.number({error: 'expected a token count'}).int().positive(),
			input: rate,
			output: rate,
			cacheRead: rate.optional(),
			cacheWrite5m: rate.optional(),
			cacheWrite1h: rate.optional(),
			reasoning: rate.optional(),
		})
		.strict();

	const modelSchema = z
		.object({
			provider: provider.optional(),
			input: rate.optional(),
			output: rate.optional(),
			cacheRead: rate.optional(),
			cacheWrite5m: rate.optional(),
			cacheWrite1h: rate.optional(),
			reasoning: rate.optional(),
			tiers: z.array(tierSchema).optional(),
		})
		.strict();

	return z
		.object({
			asOf: z.union([z.string(), z.number()]).optional(),
			models: z.record(z.string().min(1), modelSchema).optional(),
			aliases: z.record(z.string().min(1), z.string({error: 'expected the model id the alias stands for'}).min(1)).optional(),
		})
		.strict();
});

function parseText(text: string, path: string): unknown {
	const json = /\.json$/i.test(path);
	try {
		return json ? JSON.parse(text) : parseYaml(text);
	} catch (error) {
		const message = (error as Error).message.split('\n')[0];
		throw new SheetError(path, null, `not valid ${json ? 'JSON' : 'YAML'}: ${message}`);
	}
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function looksLikeLiteLlm(doc: Record<string, unknown>): boolean {
	if ('models' in doc || 'aliases' in doc || 'asOf' in doc) return false;
	return Object.values(doc).some((v) => isObject(v) && ('input_cost_per_token' in v || 'output_cost_per_token' in v));
}

export function parsePriceSheet(text: string, path: string): PriceSheet {
	const doc = parseText(text, path);
	if (doc === null || doc === undefined) return {path, format: 'burn', asOf: null, models: {}, aliases: {}};
	if (!isObject(doc)) throw new SheetError(path, null, 'expected a mapping with `models:` (burn format) or LiteLLM model entries');
	if (looksLikeLiteLlm(doc)) return fromLiteLlm(doc, path);
	const parsed = sheetSchema().safeParse(doc);
	if (!parsed.success) {
		const issue = parsed.error.issues[0]!;
		if (issue.code === 'unrecognized_keys') {
			const expected =
				issue.path.length === 0
					? 'asOf, models, aliases'
					: issue.path.includes('tiers')
						? 'above, input, output, cacheRead, cacheWrite5m, cacheWrite1h, reasoning'
						: 'provider, input, output, cacheRead, cacheWrite5m, cacheWrite1h, reasoning, tiers';
			throw new SheetError(path, keyPath([...issue.path, issue.keys[0]!]), `unknown key (expected one of: ${expected})`);
		}
		throw new SheetError(path, keyPath(issue.path) || null, issue.message);
	}
	const models: Record<string, SheetModel> = {};
	for (const [id, m] of Object.entries(parsed.data.models ?? {})) {
		const {tiers, ...rest} = m;
		const model: SheetModel = {...rest};
		if (tiers) {
			const seen = new Set<number>();
			for (const [i, t] of tiers.entries()) {
				if (seen.has(t.above)) throw new SheetError(path, keyPath(['models', id, 'tiers', i, 'above']), `two tiers above ${t.above}`);
				seen.add(t.above);
			}
			model.tiers = [...tiers].sort((a, b) => a.above - b.above);
		}
		models[id] = model;
	}
	return {path, format: 'burn', asOf: parsed.data.asOf === undefined ? null : String(parsed.data.asOf), models, aliases: parsed.data.aliases ?? {}};
}

const LITELLM_PROVIDERS: Record<string, PriceProvider> = {
	anthropic: 'anthropic',
	openai: 'openai',
	'text-completion-openai': 'openai',
	azure: 'openai',
	gemini: 'google',
	'vertex_ai-language-models': 'google',
};

/** A LiteLLM file: per-token USD rates become per-million; `_above_<N>k_tokens` keys become tiers. */
function fromLiteLlm(doc: Record<string, unknown>, path: string): PriceSheet {
	const models: Record<string, SheetModel> = {};
	for (const [id, v] of Object.entries(doc)) {
		if (id === 'sample_spec' || !isObject(v)) continue;
		const num = (key: string): number | undefined => {
			const x = v[key];
			if (x === undefined || x === null) return undefined;
			if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new SheetError(path, keyPath([id, key]), `expected a non-negative number, got ${JSON.stringify(x)}`);
			return Math.round(x * 1e12) / 1e6;
		};
		const input = num('input_cost_per_token');
		const output = num('output_cost_per_token');
		if (input === undefined || output === undefined) continue;
		const litellmProvider = typeof v.litellm_provider === 'string' ? v.litellm_provider : '';
		const prov = LITELLM_PROVIDERS[litellmProvider] ?? inferProvider(id);
		const m: SheetModel = {provider: prov, input, output};
		const cacheRead = num('cache_read_input_token_cost');
		if (cacheRead !== undefined) m.cacheRead = cacheRead;
		// Google's cache_creation rates are context-cache storage, not per-call writes.
		if (prov !== 'google') {
			const w5m = num('cache_creation_input_token_cost');
			const w1h = num('cache_creation_input_token_cost_above_1hr');
			if (w5m !== undefined) m.cacheWrite5m = w5m;
			if (w1h !== undefined) m.cacheWrite1h = w1h;
		}
		const reasoning = num('output_cost_per_reasoning_token');
		if (reasoning !== undefined) m.reasoning = reasoning;
		const tiers: Tier[] = [];
		for (const key of Object.keys(v)) {
			const match = /^input_cost_per_token_above_(\d+)k_tokens$/.exec(key);
			if (!match) continue;
			const suffix = `_above_${match[1]}k_tokens`;
			const tierInput = num(key)!;
			const tier: Tier = {above: Number(match[1]) * 1000, input: tierInput, output: num(`output_cost_per_token${suffix}`) ?? output};
			const read = num(`cache_read_input_token_cost${suffix}`);
			if (read !== undefined) tier.cacheRead = read;
			if (prov !== 'google') {
				const w5m = num(`cache_creation_input_token_cost${suffix}`);
				const w1h = num(`cache_creation_input_token_cost_above_1hr${suffix}`);
				if (w5m !== undefined) tier.cacheWrite5m = w5m;
				if (w1h !== undefined) tier.cacheWrite1h = w1h;
			}
			tiers.push(tier);
		}
		if (tiers.length > 0) m.tiers = tiers.sort((a, b) => a.above - b.above);
		models[id] = m;
	}
	if (Object.keys(models).length === 0) throw new SheetError(path, null, 'a LiteLLM price file with no model that has input_cost_per_token and output_cost_per_token');
	return {path, format: 'litellm', asOf: null, models, aliases: {}};
}
