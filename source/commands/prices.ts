/**
 * `burn prices [MODEL]`: the rates in use and where each came from (the embedded table, a sheet,
 * or a cost rule), with the table's as-of date. Without a model: every model in the book.
 */
import type {Match, MatchVia, PriceBook} from '../core/pricing/lookup.js';
import {resolveRates} from '../core/pricing/rates.js';
import {RATE_FIELDS, type PricedModel, type RateField, type RateOrigin} from '../core/pricing/types.js';
import {sanitize} from '../core/sanitize.js';
import {parseCommand} from './cli-kit.js';
import {EXIT} from './errors.js';
import {loadPrices, priceFlags, priceFlagsHelp} from './price-sheets.js';

export const pricesHelp = `
  Usage
    $ burn prices [MODEL] [options]

  Shows the prices burn applies: for one model, every rate (USD per million tokens), its
  long-context tiers and where each rate came from; without a model, every model in the table.
  A model with no rate is "unpriced" (exit 1): burn never shows it as $0.

  Options
    --json                 Machine-readable output
${priceFlagsHelp}

  Price sheet (YAML or JSON; rates in USD per million tokens; fields left out keep the
  embedded value or the cost rule's):
    models:
      claude-sonnet-4-6: {input: 3, output: 15}
      corp-llm:
        provider: other          # anthropic, openai, google or other
        input: 0.5
        output: 1.5
        cacheRead: 0.05
        tiers: [{above: 200000, input: 1, output: 3}]
    aliases:
      sonnet: claude-sonnet-4-6
  A LiteLLM model_prices_and_context_window.json file is accepted as a sheet too.

  Examples
    $ burn prices claude-sonnet-4-5-20250929
    $ burn prices gpt-5.5 --prices ~/corp-prices.yaml
    $ burn prices --json
`;

const LABELS: Record<RateField, string> = {
	input: 'input',
	output: 'output',
	cacheRead: 'cache read',
	cacheWrite5m: 'cache write 5m',
	cacheWrite1h: 'cache write 1h',
	reasoning: 'reasoning',
};

const VIA: Record<MatchVia, string> = {
	exact: 'exact id',
	provider: 'provider/model id',
	normalized: 'normalized id (case, prefix, spelling)',
	undated: 'id without its date suffix',
	alias: 'alias',
	'codex-variant': '-codex build priced as its base model',
};

/** `3`, `0.3`, `3.125`, `0.0375`: enough digits to be exact, no float noise. */
export function formatRate(n: number): string {
	const v = Math.round(n * 1e6) / 1e6;
	const s = String(v);
	return (s.split('.')[1]?.length ?? 0) >= 2 ? s : v.toFixed(2);
}

export function originText(o: RateOrigin): string {
	if (o.kind === 'embedded') return 'embedded';
	if (o.kind === 'sheet') return `sheet ${sanitize(o.path)}`;
	return `derived: ${o.rule}`;
}

interface ModelJson {
	query?: string;
	id: string;
	via?: MatchVia;
	alias?: string;
	provider: string;
	rates: Record<RateField, {usd: number; from: string}>;
	tiers: Array<{above: number; from: string} & Record<RateField, number>>;
}

function modelJson(priced: PricedModel, match?: Match, query?: string): ModelJson {
	const rates = {} as ModelJson['rates'];
	for (const f of RATE_FIELDS) rates[f] = {usd: priced.base[f], from: originText(priced.origins[f])};
	const out: ModelJson = {
		id: priced.id,
		provider: priced.provider,
		rates,
		tiers: priced.tiers.map((t) => ({above: t.above, ...pickRates(t), from: priced.tierOrigin ? originText(priced.tierOrigin) : 'embedded'})),
	};
	if (query !== undefined) out.query = query;
	if (match) out.via = match.via;
	if (match?.alias) out.alias = match.alias.name;
	return out;
}

function pickRates(r: Record<RateField, number>): Record<RateField, number> {
	const out = {} as Record<RateField, number>;
	for (const f of RATE_FIELDS) out[f] = r[f];
	return out;
}

function pad(s: string, n: number, right = false): string {
	return right ? s.padStart(n) : s.padEnd(n);
}

function oneModelText(book: PriceBook, sheets: string[], query: string, priced: PricedModel, match: Match): string {
	const lines: string[] = [];
	const via = match.via === 'exact' ? '' : ` (matched by ${VIA[match.via]}${match.alias ? ` "${sanitize(match.alias.name)}", ${originText(match.alias.origin)}` : ''})`;
	lines.push(`${sanitize(query)} → ${sanitize(priced.id)}${via}`);
	lines.push(`provider: ${priced.provider} · prices as of ${book.asOf} (embedded table)${sheets.map((s) => ` + ${sanitize(s)}`).join('')}`);
	lines.push('');
	const tierHeads = priced.tiers.map((t) => `> ${t.above.toLocaleString('en-US')}`);
	lines.push(`${pad('USD per 1M tokens', 18)}${pad('base', 10, true)}${tierHeads.map((h) => pad(h, 12, true)).join('')}  from`);
	for (const f of RATE_FIELDS) {
		lines.push(
			`${pad(LABELS[f], 18)}${pad(formatRate(priced.base[f]), 10, true)}${priced.tiers.map((t) => pad(formatRate(t[f]), 12, true)).join('')}  ${originText(priced.origins[f])}`,
		);
	}
	if (priced.tiers.length > 0) {
		lines.push('');
		lines.push(
			`A tier applies to every rate of a call whose whole prompt (input incl. cache read and write) is above its threshold; tiers from ${priced.tierOrigin ? originText(priced.tierOrigin) : 'embedded'}.`,
		);
	}
	return lines.join('\n') + '\n';
}

function allModelsText(book: PriceBook, sheets: string[]): string {
	const lines: string[] = [];
	lines.push(`Prices as of ${book.asOf} (embedded table)${sheets.map((s) => ` + ${sanitize(s)}`).join('')} · ${book.size} models · USD per 1M tokens`);
	lines.push('');
	const ids = book.ids().sort((a, b) => a.localeCompare(b, 'en', {numeric: true}));
	const width = Math.min(40, Math.max(5, ...ids.map((id) => id.length)));
	lines.push(`${pad('model', width)}  ${pad('provider', 9)}${pad('input', 9, true)}${pad('output', 9, true)}${pad('cache R', 9, true)}${pad('cache W', 9, true)}  tiers   from`);
	for (const id of ids) {
		const priced = resolveRates(book.get(id)!);
		if (!priced) continue;
		const fromSheet = RATE_FIELDS.some((f) => priced.origins[f].kind === 'sheet') || priced.tierOrigin?.kind === 'sheet';
		lines.push(
			`${pad(sanitize(id).slice(0, width), width)}  ${pad(priced.provider, 9)}${pad(formatRate(priced.base.input), 9, true)}${pad(formatRate(priced.base.output), 9, true)}${pad(formatRate(priced.base.cacheRead), 9, true)}${pad(formatRate(priced.base.cacheWrite5m), 9, true)}  ${pad(priced.tiers.map((t) => `>${t.above / 1000}k`).join(',') || '—', 6)}  ${fromSheet ? 'sheet' : 'embedded'}`,
		);
	}
	return lines.join('\n') + '\n';
}

export interface PricesArgs {
	argv: string[];
	env?: NodeJS.ProcessEnv;
	cwd?: string;
	stdout?: NodeJS.WritableStream;
}

export async function runPrices({argv, env = process.env, cwd = process.cwd(), stdout = process.stdout}: PricesArgs): Promise<number> {
	const cli = parseCommand({name: 'prices', help: pricesHelp, importMeta: import.meta, flags: {json: {type: 'boolean', default: false}, ...priceFlags}}, argv, env, cwd);
	const loaded = loadPrices(cli.flags, env, cwd);
	const {book, sheets} = loaded;
	const query = cli.input.join(' ').trim();
	if (query === '') {
		if (cli.flags.json) {
			const models = book
				.ids()
				.sort()
				.map((id) => resolveRates(book.get(id)!))
				.filter((m): m is PricedModel => m !== null)
				.map((m) => modelJson(m));
			stdout.write(JSON.stringify({asOf: book.asOf, sheets, models, aliases: book.aliasList().map((a) => ({name: a.name, target: a.target, from: originText(a.origin)}))}, null, 2) + '\n');
		} else stdout.write(allModelsText(book, sheets));
		return EXIT.ok;
	}
	const match = book.lookup(query);
	const priced = match ? resolveRates(match.entry) : null;
	if (!match || !priced) {
		if (cli.flags.json) stdout.write(JSON.stringify({asOf: book.asOf, sheets, query, unpriced: true}, null, 2) + '\n');
		else {
			stdout.write(
				`${sanitize(query)}: unpriced — no rate in the embedded table (as of ${book.asOf})${sheets.length > 0 ? ' or the sheets given' : ''}.\n` +
					`burn shows its cost as "unpriced", never $0. Add it to a price sheet (burn prices --help) or pass --prices <file>.\n`,
			);
		}
		return EXIT.failure;
	}
	if (cli.flags.json) stdout.write(JSON.stringify({asOf: book.asOf, sheets, ...modelJson(priced, match, query)}, null, 2) + '\n');
	else stdout.write(oneModelText(book, sheets, query, priced, match));
	return EXIT.ok;
}
