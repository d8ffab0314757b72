import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {runCli} from '../helpers/cli.js';
import {copyFixture, tempDir} from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
	({dir, cleanup} = tempDir('burn-prices-'));
	// No real ~/.config/burn/prices.yaml may leak into a test.
	env = {HOME: join(dir, 'home'), XDG_CONFIG_HOME: ''};
});
afterEach(() => cleanup());

let turn = 0;
function line(issue: string, model: string, input: number | null, output: number | null): string {
	turn++;
	return JSON.stringify({
		schemaVersion: 1,
		recordedAt: `2026-10-02T10:0${turn % 10}:05Z`,
		runID: '0b5b7a40-1f0e-4c55-9d4c-1a2b3c4d5e6f',
		turn,
		issueIdentifier: issue,
		provider: 'claude',
		model,
		botRole: 'developer',
		inputTokens: input,
		outputTokens: output,
		totalTokens: input === null || output === null ? null : input + output,
		usageSource: input === null ? 'unavailable' : 'provider_reported',
		startedAt: `2026-10-02T10:0${turn % 10}:00Z`,
		endedAt: `2026-10-02T10:0${turn % 10}:05Z`,
	});
}

/** Two issues: MT-1 mixes a priced and an unknown model, MT-2 has only unknown models. */
function usageFile(): string {
	const file = join(dir, 'usage.jsonl');
	writeFileSync(
		file,
		[
			line('MT-1', 'claude-sonnet-4-6', 1_000_000, 100_000),
			line('MT-1', 'acme-llm-9', 50_000, 1_000),
			line('MT-2', 'acme-llm-9', 20_000, 500),
			line('MT-2', 'zeta-coder', 10_000, 200),
		].join('\n') + '\n',
	);
	return file;
}

/** `$0`, `$0.00`, `$0.0000` as a whole amount: what an unknown must never render as. */
const ZERO_DOLLARS = /\$0(?:\.0+)?(?![.\d])/;

describe('unknown models never cost $0', () => {
	it('text report: cells say unpriced, totals say ≥ with the count of unpriced models', () => {
		const file = usageFile();
		for (const by of ['model', 'issue']) {
			const r = runCli(['summary', '--once', '--usage', file, '--by', by, '--width', '120'], {cwd: dir, env});
			expect(r.code, r.stderr).toBe(0);
			expect(r.stdout).not.toMatch(ZERO_DOLLARS);
			const row = (name: string) => r.stdout.split('\n').find((l) => l.startsWith(name)) ?? '';
			if (by === 'model') {
				expect(row('acme-llm-9')).toMatch(/unpriced\s*$/);
				expect(row('zeta-coder')).toMatch(/unpriced\s*$/);
				// claude-sonnet-4-6: 1M × $3 + 100k × $15 = $4.50.
				expect(row('claude-sonnet-4-6')).toMatch(/\$4\.50\s*$/);
			} else {
				expect(row('MT-1')).toMatch(/≥ \$4\.50\s*$/);
				expect(row('MT-2')).toMatch(/unpriced\s*$/);
			}
			expect(row('Total')).toMatch(/≥ \$4\.50\s*$/);
			expect(r.stdout).toContain('Cost: ≥ $4.50 (2 unpriced models)');
			expect(r.stdout).toMatch(/Unpriced models.*acme-llm-9, zeta-coder/);
		}
	});

	it('markdown: same cells and total line', () => {
		const r = runCli(['summary', '--once', '--markdown', '--usage', usageFile(), '--by', 'model'], {cwd: dir, env});
		expect(r.code, r.stderr).toBe(0);
		expect(r.stdout).not.toMatch(ZERO_DOLLARS);
		expect(r.stdout).toMatch(/\| acme-llm-9 \|.*\| unpriced \|/);
		expect(r.stdout).toMatch(/\| \*\*Total\*\* \|.*\| ≥ \$4\.50 \|/);
		expect(r.stdout).toContain('**Cost:** ≥ $4.50 (2 unpriced models)');
	});

	it('JSON: usd null and the model listed, never 0', () => {
		const r = runCli(['summary', '--once', '--json', '--usage', usageFile()], {cwd: dir, env});
		expect(r.code, r.stderr).toBe(0);
		const doc = JSON.parse(r.stdout);
		expect(doc.byModel['acme-llm-9'].cost).toEqual({usd: null, basis: {computed: 0, reported: 0, estimated: 0, unpriced: 2}, unpricedModels: ['acme-llm-9']});
		expect(doc.byIssue['MT-2'].cost.usd).toBeNull();
		expect(doc.byIssue['MT-1'].cost).toMatchObject({usd: 4.5, unpricedModels: ['acme-llm-9']});
		expect(doc.totals.cost).toMatchObject({usd: 4.5, basis: {computed: 1, unpriced: 3}, unpricedModels: ['acme-llm-9', 'zeta-coder']});
		expect(doc.pricing).toEqual({asOf: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), sheets: []});
		for (const bucket of Object.values<{cost: {usd: number | null; unpricedModels: string[]}}>(doc.byModel)) {
			if (bucket.cost.unpricedModels.length > 0) expect(bucket.cost.usd).not.toBe(0);
		}
	});

	it('records without token counts are unpriced too, and said so', () => {
		const file = join(dir, 'usage.jsonl');
		writeFileSync(file, [line('MT-3', 'claude-sonnet-4-6', null, null)].join('\n') + '\n');
		const text = runCli(['summary', '--once', '--usage', file, '--width', '120'], {cwd: dir, env});
		expect(text.stdout).not.toMatch(ZERO_DOLLARS);
		expect(text.stdout).toContain('Cost: unpriced (1 record without token counts)');
		const doc = JSON.parse(runCli(['summary', '--once', '--json', '--usage', file], {cwd: dir, env}).stdout);
		expect(doc.totals.cost).toMatchObject({usd: null, unpricedModels: [], unpricedWithoutTokens: 1});
	});
});

describe('price sheets on the command line', () => {
	it('a malformed sheet is a usage error naming the file and the key (exit 2)', () => {
		const bad = join(dir, 'bad.yaml');
		writeFileSync(bad, 'models:\n  acme-llm-9:\n    input: cheap\n    output: 1\n');
		const r = runCli(['summary', '--once', '--usage', usageFile(), '--prices', bad], {cwd: dir, env});
		expect(r.code).toBe(2);
		expect(r.stderr).toContain(bad);
		expect(r.stderr).toContain('models.acme-llm-9.input');
		expect(r.stdout).toBe('');
	});

	it('a missing --prices file is a usage error (exit 2)', () => {
		const r = runCli(['summary', '--once', '--usage', usageFile(), '--prices', 'nope.yaml'], {cwd: dir, env});
		expect(r.code).toBe(2);
		expect(r.stderr).toMatch(/--prices nope\.yaml: no such file/);
	});

	it('the default sheet ($XDG_CONFIG_HOME/burn/prices.yaml) applies, then --prices on top', () => {
		const cfg = join(dir, 'xdg', 'burn');
		mkdirSync(cfg, {recursive: true});
		writeFileSync(join(cfg, 'prices.yaml'), 'models:\n  acme-llm-9: {input: 1, output: 2}\n  zeta-coder: {input: 1, output: 1}\n');
		const later = join(dir, 'later.yaml');
		writeFileSync(later, 'models:\n  zeta-coder: {input: 100}\n');
		const withEnv = {...env, XDG_CONFIG_HOME: join(dir, 'xdg')};
		const doc = JSON.parse(runCli(['summary', '--once', '--json', '--usage', usageFile(), '--prices', later], {cwd: dir, env: withEnv}).stdout);
		expect(doc.pricing.sheets).toEqual([join(cfg, 'prices.yaml'), later]);
		expect(doc.totals.cost.unpricedModels).toEqual([]);
		// acme: 70k × $1 + 1.5k × $2; zeta: 10k × $100 + 200 × $1.
		expect(doc.byModel['acme-llm-9'].cost.usd).toBeCloseTo((70_000 * 1 + 1_500 * 2) / 1e6, 9);
		expect(doc.byModel['zeta-coder'].cost.usd).toBeCloseTo((10_000 * 100 + 200 * 1) / 1e6, 9);
	});

	it('falls back to ~/.config/burn/prices.yaml when XDG_CONFIG_HOME is unset', () => {
		const cfg = join(dir, 'home', '.config', 'burn');
		mkdirSync(cfg, {recursive: true});
		writeFileSync(join(cfg, 'prices.yaml'), 'models:\n  acme-llm-9: {input: 1, output: 2}\n');
		const r = runCli(['prices', 'acme-llm-9', '--json'], {cwd: dir, env});
		expect(r.code, r.stderr).toBe(0);
		expect(JSON.parse(r.stdout).rates.input).toEqual({usd: 1, from: `sheet ${join(cfg, 'prices.yaml')}`});
	});

	it('accepts a LiteLLM price file as a sheet', () => {
		const litellm = copyFixture('pricing/litellm-small.json', dir);
		const doc = JSON.parse(runCli(['summary', '--once', '--json', '--usage', usageFile(), '--prices', litellm], {cwd: dir, env}).stdout);
		// claude-sonnet-4-6 at the file's rates; its 1M-token prompt is in the file's >200k tier ($8 / $30).
		expect(doc.byModel['claude-sonnet-4-6'].cost.usd).toBeCloseTo(1_000_000 * 8e-6 + 100_000 * 30e-6, 9);
		expect(doc.pricing.sheets).toEqual([litellm]);
	});
});

describe('burn prices', () => {
	it('shows a model\'s rates, tiers and origins', () => {
		const r = runCli(['prices', 'anthropic/claude-sonnet-4-5-20250929'], {cwd: dir, env});
		expect(r.code, r.stderr).toBe(0);
		expect(r.stdout).toMatch(/→ claude-sonnet-4-5/);
		expect(r.stdout).toMatch(/prices as of \d{4}-\d{2}-\d{2}/);
		expect(r.stdout).toMatch(/cache write 1h\s+6\.00\s+12\.00\s+derived: 2× input/);
		expect(r.stdout).toMatch(/input\s+3\.00\s+6\.00\s+embedded/);
	});

	it('an unknown model is unpriced (exit 1), not $0', () => {
		const r = runCli(['prices', 'acme-llm-9'], {cwd: dir, env});
		expect(r.code).toBe(1);
		expect(r.stdout).toMatch(/acme-llm-9: unpriced/);
		expect(r.stdout).not.toMatch(ZERO_DOLLARS);
	});

	it('lists every model with --json, with the as-of date', () => {
		const r = runCli(['prices', '--json'], {cwd: dir, env});
		const doc = JSON.parse(r.stdout);
		expect(doc.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
		expect(doc.models.length).toBeGreaterThan(60);
		expect(doc.models.find((m: {id: string}) => m.id === 'gpt-5.6').rates.cacheWrite5m).toEqual({usd: 6.25, from: 'embedded'});
	});
});
