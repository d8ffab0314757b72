import {execFileSync} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {callCost, createPricer} from '../../source/core/pricing/cost.js';
import {PriceBook} from '../../source/core/pricing/lookup.js';
import {resolveRates} from '../../source/core/pricing/rates.js';
import {parsePriceSheet} from '../../source/core/pricing/sheet.js';
import {SheetError} from '../../source/core/pricing/types.js';
import {emptyTokens} from '../../source/core/record.js';
import {makeRecord} from '../helpers/records.js';
import {FIXTURES, REPO} from '../helpers/temp.js';

const fixture = (name: string) => readFileSync(join(FIXTURES, 'pricing', name), 'utf8');
const rates = (book: PriceBook, id: string) => resolveRates(book.lookup(id)!.entry)!;

function sheetError(text: string, path = 'prices.yaml', book = new PriceBook()): SheetError {
	try {
		book.addSheet(parsePriceSheet(text, path));
	} catch (error) {
		if (error instanceof SheetError) return error;
		throw error;
	}
	throw new Error('expected a SheetError');
}

describe('burn price sheets', () => {
	it('parses YAML: rates, tiers, aliases, as-of', () => {
		const s = parsePriceSheet(fixture('sheet.yaml'), 'sheet.yaml');
		expect(s.format).toBe('burn');
		expect(s.asOf).toBe('2026-08-01');
		expect(s.models['claude-sonnet-4-6']).toEqual({input: 2});
		expect(s.models['corp-llm']!.tiers).toEqual([{above: 100_000, input: 1, output: 3}]);
		expect(s.aliases).toEqual({'house-sonnet': 'claude-sonnet-4-6'});
	});

	it('parses the same sheet as JSON', () => {
		const s = parsePriceSheet(JSON.stringify({models: {'corp-llm': {input: 0.5, output: 1.5}}}), 'p.json');
		expect(s.models['corp-llm']).toEqual({input: 0.5, output: 1.5});
	});

	it('a sheet overrides the embedded table field by field, and says so', () => {
		const book = new PriceBook();
		book.addSheet(parsePriceSheet(fixture('sheet.yaml'), '/cfg/sheet.yaml'));
		const m = rates(book, 'claude-sonnet-4-6');
		expect(m.base.input).toBe(2);
		expect(m.origins.input).toEqual({kind: 'sheet', path: '/cfg/sheet.yaml'});
		expect(m.base.output).toBe(15);
		expect(m.origins.output).toEqual({kind: 'embedded'});
		// Cache rates follow the overridden input by the Anthropic rule.
		expect(m.base.cacheWrite1h).toBe(4);
		expect(m.origins.cacheWrite1h.kind).toBe('derived');
		// Aliases and new models.
		expect(book.lookup('house-sonnet')?.entry.id).toBe('claude-sonnet-4-6');
		expect(rates(book, 'corp-llm').tiers[0]).toMatchObject({above: 100_000, input: 1, output: 3});
	});

	it('a later sheet wins over an earlier one', () => {
		const book = new PriceBook();
		book.addSheet(parsePriceSheet('models: {gpt-5.5: {input: 4, output: 20}}', '/a.yaml'));
		book.addSheet(parsePriceSheet('models: {gpt-5.5: {output: 25}}', '/b.yaml'));
		const m = rates(book, 'gpt-5.5');
		expect([m.base.input, m.base.output, m.base.cacheRead]).toEqual([4, 25, 0.5]);
		expect(m.origins.input).toEqual({kind: 'sheet', path: '/a.yaml'});
		expect(m.origins.output).toEqual({kind: 'sheet', path: '/b.yaml'});
		expect(m.origins.cacheRead).toEqual({kind: 'embedded'});
		// The pricer uses the merged rates.
		const usd = createPricer(book)(makeRecord({model: 'gpt-5.5', tokens: {input: 100_000, output: 100_000}})).usd;
		expect(usd).toBeCloseTo((100_000 * 4 + 100_000 * 25) / 1e6, 10);
		// Tiers come whole from the last layer that states them: here still the embedded 272k tier.
		expect(m.tiers[0]).toMatchObject({above: 272_000, input: 10, output: 45});
		expect(m.tierOrigin).toEqual({kind: 'embedded'});
	});

	it('a sheet spelling of an embedded id overrides that model (no duplicate entry)', () => {
		const book = new PriceBook();
		const before = book.size;
		book.addSheet(parsePriceSheet('models: {claude-sonnet-4.5: {input: 1, output: 5}}', '/a.yaml'));
		expect(book.size).toBe(before);
		expect(rates(book, 'claude-sonnet-4-5-20250929').base.input).toBe(1);
	});

	it('a zero price from a sheet is a real price (local models), not unknown', () => {
		const book = new PriceBook();
		book.addSheet(parsePriceSheet('models: {local-llama: {input: 0, output: 0}}', '/a.yaml'));
		expect(createPricer(book)(makeRecord({model: 'local-llama'}))).toEqual({usd: 0, basis: 'computed'});
	});
});

describe('malformed sheets name the file and the key', () => {
	it.each([
		['models:\n  gpt-5.5: {input: "3", output: 15}\n', 'models["gpt-5.5"].input', /number/],
		['models:\n  gpt-5.5: {input: -1}\n', 'models["gpt-5.5"].input', /0 or more/],
		['models:\n  gpt-5.5: {inptu: 3}\n', 'models["gpt-5.5"].inptu', /unknown key/],
		['model:\n  gpt-5.5: {input: 3}\n', 'model', /unknown key/],
		['models:\n  corp: {input: 1}\n', 'models.corp.output', /needs both input and output/],
		['models:\n  corp: {input: 1, output: 2, tiers: [{above: 0, input: 1, output: 2}]}\n', 'models.corp.tiers[0].above', /./],
		['models:\n  corp: {input: 1, output: 2, tiers: [{above: 10, input: 1}]}\n', 'models.corp.tiers[0].output', /./],
		['aliases:\n  fast: acme-unknown-9\n', 'aliases.fast', /not a known model/],
	])('%j → %s', (text, key, detail) => {
		const e = sheetError(text, '/home/u/.config/burn/prices.yaml');
		expect(e.path).toBe('/home/u/.config/burn/prices.yaml');
		expect(e.key).toBe(key);
		expect(e.detail).toMatch(detail);
		expect(e.message).toContain('/home/u/.config/burn/prices.yaml');
		expect(e.message).toContain(key);
	});

	it('syntax errors name the file', () => {
		expect(sheetError('models: {gpt-5.5: [', 'bad.yaml').message).toMatch(/^price sheet bad\.yaml: not valid YAML/);
		expect(sheetError('{"models": ', 'bad.json').message).toMatch(/^price sheet bad\.json: not valid JSON/);
		expect(sheetError('- 1\n- 2\n', 'list.yaml').detail).toMatch(/expected a mapping/);
	});

	it('an empty sheet is allowed (a placeholder default file)', () => {
		expect(parsePriceSheet('', 'empty.yaml').models).toEqual({});
	});
});

describe('LiteLLM price files as sheets', () => {
	const sheet = parsePriceSheet(fixture('litellm-small.json'), 'litellm-small.json');

	it('is detected and converted to per-million rates with tiers', () => {
		expect(sheet.format).toBe('litellm');
		expect(Object.keys(sheet.models).sort()).toEqual(['acme-coder-2', 'claude-sonnet-4-6', 'gemini-9-pro']);
		expect(sheet.models['claude-sonnet-4-6']).toEqual({
			provider: 'anthropic',
			input: 4,
			output: 20,
			cacheRead: 0.4,
			cacheWrite5m: 5,
			cacheWrite1h: 8,
			tiers: [{above: 200_000, input: 8, output: 30, cacheRead: 0.8}],
		});
		// Google cache_creation is storage, not a write rate; the reasoning rate is kept.
		expect(sheet.models['gemini-9-pro']).toEqual({provider: 'google', input: 2, output: 12, reasoning: 12});
		expect(sheet.models['acme-coder-2']).toMatchObject({provider: 'other', input: 0.5, output: 1.5, cacheRead: 0.05});
	});

	it('merges over the embedded table and prices calls with it', () => {
		const book = new PriceBook();
		book.addSheet(sheet);
		const m = rates(book, 'claude-sonnet-4-6');
		expect(m.origins.input).toEqual({kind: 'sheet', path: 'litellm-small.json'});
		const c = callCost(m, {...emptyTokens(), input: 300_000, cacheRead: 100_000, cacheWrite: 50_000, cacheWrite1h: 50_000, output: 1_000});
		// Tier: 1h write scales with the tier input (8 × 8/4 = 16).
		expect(c!.usd).toBeCloseTo((150_000 * 8 + 100_000 * 0.8 + 50_000 * 16 + 1_000 * 30) / 1e6, 10);
		expect(book.lookup('acme-coder-2')?.entry.provider).toBe('other');
	});

	it('a bad cost field names the model and the key', () => {
		const e = sheetError(JSON.stringify({'m-1': {input_cost_per_token: 'free', output_cost_per_token: 0}}), 'litellm.json');
		expect(e.key).toBe('m-1.input_cost_per_token');
	});
});

describe('scripts/derive-prices.mjs', () => {
	const snapshot = join(REPO, '..', 'shared', 'data', 'litellm-model-prices-2026-07-24.json');
	it.skipIf(!existsSync(snapshot))('reproduces the committed table from the shared snapshot', () => {
		const out = execFileSync(process.execPath, [join(REPO, 'scripts', 'derive-prices.mjs'), snapshot], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']});
		expect(out).toBe(readFileSync(join(REPO, 'source', 'core', 'pricing', 'table.ts'), 'utf8'));
	});
});
