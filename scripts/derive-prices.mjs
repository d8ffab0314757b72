#!/usr/bin/env node
/**
 * Derives burn's compact embedded price table from a LiteLLM `model_prices_and_context_window.json`
 * snapshot and prints it as TypeScript (source/core/pricing/table.ts).
 *
 *   node scripts/derive-prices.mjs <litellm.json> [as-of YYYY-MM-DD] > source/core/pricing/table.ts
 *
 * Prices are facts; the snapshot is only read, never copied. The table keeps current Anthropic,
 * OpenAI and Google text models that coding agents use (no Bedrock/Vertex regional duplicates,
 * no audio/image/embedding models) and leaves out every rate the cost rules can derive:
 * Anthropic cache rates (read 0.1×, write 5m 1.25×, 1h 2× input), a reasoning rate equal to the
 * output rate, and tier cache rates that scale with the tier's input rate.
 */
import {readFileSync} from 'node:fs';

const [file, asOfArg] = process.argv.slice(2);
if (!file) {
	process.stderr.write('usage: derive-prices.mjs <litellm.json> [as-of YYYY-MM-DD]\n');
	process.exit(2);
}
const asOf = asOfArg ?? /(\d{4}-\d{2}-\d{2})/.exec(file)?.[1] ?? new Date().toISOString().slice(0, 10);
const data = JSON.parse(readFileSync(file, 'utf8'));

const PROVIDERS = {anthropic: 'anthropic', openai: 'openai', gemini: 'google', 'vertex_ai-language-models': 'google'};

/** Which ids agents write: chat/responses text models of the three providers, current families. */
const KEEP = [
	/^claude-(opus|sonnet|haiku)-\d/,
	/^claude-\d-(opus|sonnet)-\d{8}$/,
	/^claude-3-7-sonnet/,
	/^claude-3-5-haiku/,
	/^claude-3-haiku-20240307$/,
	/^claude-(fable|mythos)-\d/,
	/^gpt-5/,
	/^gpt-4\.1/,
	/^gpt-4o(-mini)?(-\d{4}-\d{2}-\d{2})?$/,
	/^o[134](-mini|-pro)?(-\d{4}-\d{2}-\d{2})?$/,
	/^codex-/,
	/^gemini-(2\.5|3|3\.\d)-(pro|flash|flash-lite)(-preview)?$/,
	/^gemini-3(\.\d)?-pro-(high|low|preview)$/,
	/^gemini-(flash|flash-lite|pro)-latest$/,
];
const DROP = /(audio|realtime|tts|transcribe|image|embedding|search|deep-research|native|live|computer-use|robotics|-v\d+:\d+$|customtools|chat-latest)/;
const DATE = /-(\d{8}|\d{4}-\d{2}-\d{2})$/;

const perM = (x) => (typeof x === 'number' ? Math.round(x * 1e6 * 1e6) / 1e6 : undefined);
const close = (a, b) => a !== undefined && b !== undefined && Math.abs(a - b) < 1e-9;

function ratesOf(v, suffix = '') {
	return {
		input: perM(v[`input_cost_per_token${suffix}`]),
		output: perM(v[`output_cost_per_token${suffix}`]),
		cacheRead: perM(v[`cache_read_input_token_cost${suffix}`]),
		cacheWrite5m: perM(v[`cache_creation_input_token_cost${suffix}`]),
		cacheWrite1h: perM(suffix ? v[`cache_creation_input_token_cost_above_1hr${suffix}`] : v.cache_creation_input_token_cost_above_1hr),
	};
}

const warnings = [];
const entries = [];
for (const [id, v] of Object.entries(data)) {
	if (!v || typeof v !== 'object') continue;
	const provider = PROVIDERS[v.litellm_provider];
	if (!provider || !['chat', 'responses'].includes(v.mode)) continue;
	if (!KEEP.some((re) => re.test(id)) || DROP.test(id)) continue;
	const base = ratesOf(v);
	if (base.input === undefined || base.output === undefined) continue;
	if (base.input === 0 && base.output === 0) continue;
	const e = {id, provider, input: base.input, output: base.output};
	if (provider === 'anthropic') {
		// The documented multipliers are the rule; keep a stated rate only where it really differs.
		if (base.cacheRead !== undefined && !close(base.cacheRead, base.input * 0.1)) e.cacheRead = base.cacheRead;
		if (base.cacheWrite5m !== undefined && !close(base.cacheWrite5m, base.input * 1.25)) e.cacheWrite5m = base.cacheWrite5m;
		if (base.cacheWrite1h !== undefined && !close(base.cacheWrite1h, base.input * 2)) {
			// Old LiteLLM rows carry a copied 1h rate (e.g. $6 on Haiku 3); the 2× rule wins.
			warnings.push(`${id}: 1h cache write ${base.cacheWrite1h} is not 2× input ${base.input}; using the rule`);
		}
	} else {
		if (base.cacheRead !== undefined) e.cacheRead = base.cacheRead;
		// Google's cache_creation rates are storage, not writes; only OpenAI bills explicit writes.
		if (provider === 'openai' && base.cacheWrite5m !== undefined) e.cacheWrite5m = base.cacheWrite5m;
	}
	const reasoning = perM(v.output_cost_per_reasoning_token);
	if (reasoning !== undefined && !close(reasoning, base.output)) e.reasoning = reasoning;
	const tiers = new Set();
	for (const k of Object.keys(v)) {
		const m = /^input_cost_per_token_above_(\d+)k_tokens$/.exec(k);
		if (m) tiers.add(Number(m[1]) * 1000);
	}
	for (const above of [...tiers].sort((a, b) => a - b)) {
		const t = ratesOf(v, `_above_${above / 1000}k_tokens`);
		if (t.input === undefined || t.output === undefined) continue;
		const scale = t.input / base.input;
		const tier = {above, input: t.input, output: t.output};
		const expectRead = (e.cacheRead ?? (provider === 'anthropic' ? base.input * 0.1 : undefined)) * scale;
		if (t.cacheRead !== undefined && !close(t.cacheRead, expectRead)) tier.cacheRead = t.cacheRead;
		if (provider === 'openai') {
			const expectWrite = (e.cacheWrite5m ?? NaN) * scale;
			if (t.cacheWrite5m !== undefined && !close(t.cacheWrite5m, expectWrite)) tier.cacheWrite5m = t.cacheWrite5m;
		}
		e.tiers = [...(e.tiers ?? []), tier];
	}
	entries.push(e);
}

// A dated id priced like its undated id is reachable by normalization: leave it out.
const byId = new Map(entries.map((e) => [e.id, e]));
const same = (a, b) => JSON.stringify({...a, id: ''}) === JSON.stringify({...b, id: ''});
const kept = entries.filter((e) => {
	const undated = e.id.replace(DATE, '');
	return undated === e.id || !byId.has(undated) || !same(byId.get(undated), e);
});
kept.sort((a, b) => a.provider.localeCompare(b.provider) || a.id.localeCompare(b.id, 'en', {numeric: true}));

const num = (n) => String(n);
const fields = (o) =>
	['input', 'output', 'cacheRead', 'cacheWrite5m', 'cacheWrite1h', 'reasoning']
		.filter((k) => o[k] !== undefined)
		.map((k) => `${k}: ${num(o[k])}`)
		.join(', ');
const lines = [];
lines.push('/**');
lines.push(' * The embedded price table: USD per million tokens. Generated by scripts/derive-prices.mjs from a');
lines.push(' * LiteLLM price snapshot (public list prices); refresh it with that script, never by hand.');
lines.push(' * Rates the cost rules derive are left out (see cost.ts): Anthropic cache read 0.1×, write 5m');
lines.push(' * 1.25×, 1h 2× input; a reasoning rate equal to output; tier cache rates scaled by the tier input.');
lines.push(' */');
lines.push("import type {TableEntry} from './types.js';");
lines.push('');
lines.push(`export const AS_OF = '${asOf}';`);
lines.push(`export const TABLE_SOURCE = 'LiteLLM model_prices_and_context_window.json snapshot of ${asOf}';`);
lines.push('');
lines.push('export const EMBEDDED_TABLE: Record<string, TableEntry> = {');
for (const e of kept) {
	const tiers = e.tiers ? `, tiers: [${e.tiers.map((t) => `{above: ${t.above}, ${fields(t)}}`).join(', ')}]` : '';
	lines.push(`\t'${e.id}': {provider: '${e.provider}', ${fields(e)}${tiers}},`);
}
lines.push('};');
process.stdout.write(lines.join('\n') + '\n');
for (const w of warnings) process.stderr.write(`note: ${w}\n`);
process.stderr.write(`${kept.length} models (of ${entries.length} matched)\n`);
