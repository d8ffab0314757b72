import {describe, expect, it} from 'vitest';
import {canonicalKey, EMBEDDED_ALIASES, normalizeModelId, PriceBook, stripDate} from '../../source/core/pricing/lookup.js';
import {AS_OF, EMBEDDED_TABLE} from '../../source/core/pricing/table.js';

const book = new PriceBook();
const resolved = (id: string, provider?: string) => book.lookup(id, provider)?.entry.id ?? null;

describe('the embedded table', () => {
	it('records its as-of date and stays compact', () => {
		expect(AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
		const n = Object.keys(EMBEDDED_TABLE).length;
		expect(n).toBeGreaterThanOrEqual(60);
		expect(n).toBeLessThanOrEqual(150);
	});

	it('covers the three providers agents use, with no regional duplicates', () => {
		const providers = new Set(Object.values(EMBEDDED_TABLE).map((e) => e.provider));
		expect([...providers].sort()).toEqual(['anthropic', 'google', 'openai']);
		for (const id of Object.keys(EMBEDDED_TABLE)) expect(id).not.toMatch(/\/|^(us|eu|apac)\.|-v\d+:\d+$/);
	});

	it('has no two ids that normalize to the same key (lookup would be ambiguous)', () => {
		const seen = new Map<string, string>();
		for (const id of Object.keys(EMBEDDED_TABLE)) {
			const key = canonicalKey(id);
			expect(seen.get(key), `${id} vs ${seen.get(key)}`).toBeUndefined();
			seen.set(key, id);
		}
	});

	it('every tier is above its base and rates are per million (sane magnitudes)', () => {
		for (const [id, e] of Object.entries(EMBEDDED_TABLE)) {
			expect(e.input, id).toBeGreaterThan(0.01);
			expect(e.output, id).toBeGreaterThanOrEqual(e.input);
			for (const t of e.tiers ?? []) expect(t.input, id).toBeGreaterThan(e.input);
		}
	});

	it('every embedded alias resolves', () => {
		for (const [name, target] of Object.entries(EMBEDDED_ALIASES)) expect(resolved(target), name).not.toBeNull();
	});
});

describe('model lookup', () => {
	it.each([
		['claude-sonnet-4-6', 'claude-sonnet-4-6', 'exact'],
		['Claude-Sonnet-4-6', 'claude-sonnet-4-6', 'normalized'],
		['anthropic/claude-sonnet-4-6', 'claude-sonnet-4-6', 'normalized'],
		['openrouter/anthropic/claude-opus-4-7', 'claude-opus-4-7', 'normalized'],
		['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5', 'undated'],
		['claude-sonnet-4-5@20250929', 'claude-sonnet-4-5', 'undated'],
		['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5', 'undated'],
		['claude-opus-4-6[1m]', 'claude-opus-4-6', 'normalized'],
		['claude-sonnet-4.5', 'claude-sonnet-4-5', 'normalized'],
		['gpt-5-1', 'gpt-5.1', 'normalized'],
		['gpt-5.1-codex', 'gpt-5.1-codex', 'exact'],
		['openai/gpt-5.3-codex', 'gpt-5.3-codex', 'normalized'],
		['gpt-5-2025-08-07', 'gpt-5', 'undated'],
		['gpt-4o-2024-05-13', 'gpt-4o-2024-05-13', 'exact'],
		['gpt-4o-2024-11-20', 'gpt-4o', 'undated'],
		['claude-opus-4', 'claude-opus-4-20250514', 'undated'],
		['models/gemini-2.5-pro', 'gemini-2.5-pro', 'normalized'],
		['google/gemini-3.1-pro-preview', 'gemini-3.1-pro-preview', 'normalized'],
		['gemini-3-pro-high', 'gemini-3-pro-preview', 'alias'],
		['gpt-5.5-codex', 'gpt-5.5', 'codex-variant'],
	])('%s → %s (%s)', (query, id, via) => {
		const m = book.lookup(query);
		expect(m?.entry.id).toBe(id);
		expect(m?.via).toBe(via);
	});

	it.each([
		'claude-sonnet-4-6-experimental',
		'my-claude-sonnet-4-6',
		'claude-sonnet',
		'sonnet',
		'gpt-5.6-mega',
		'gpt-5-turbo',
		'gpt',
		'gemini',
		'gemini-2.5-ultra',
		'o3-mini-high-plus',
		'claude-sonnet-4-7',
		'qwen3-coder-plus',
		'',
	])('no fuzzy match: %j is unpriced', (query) => {
		expect(resolved(query)).toBeNull();
	});

	it('a -codex build falls back only to an OpenAI base model', () => {
		expect(resolved('claude-sonnet-4-6-codex')).toBeNull();
	});

	it('uses provider/model ids from a sheet (OpenCode providerID/modelID)', () => {
		const b = new PriceBook();
		b.addSheet({path: 's.yaml', format: 'burn', asOf: null, models: {'github-copilot/gpt-5.5': {input: 0, output: 0}}, aliases: {}});
		expect(b.lookup('gpt-5.5', 'github-copilot')?.entry.id).toBe('github-copilot/gpt-5.5');
		expect(b.lookup('gpt-5.5', 'openai')?.entry.id).toBe('gpt-5.5');
		// A provider-prefixed sheet id is reachable only exactly, never by stripping the prefix.
		expect(b.lookup('gpt-5.5')?.entry.id).toBe('gpt-5.5');
	});

	it('normalization helpers', () => {
		expect(normalizeModelId(' EU.Anthropic.Claude-Haiku-4-5-20251001-v1:0 ')).toBe('claude-haiku-4-5-20251001');
		expect(stripDate('claude-haiku-4-5-20251001')).toBe('claude-haiku-4-5');
		expect(stripDate('gpt-5-2025-08-07')).toBe('gpt-5');
		expect(stripDate('gemini-2.5-flash-lite-preview-09-2025')).toBe('gemini-2.5-flash-lite-preview-09-2025');
	});
});
