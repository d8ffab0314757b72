import {describe, expect, it} from 'vitest';
import {fidelityClass} from '../../source/core/fidelity.js';
import {coverageOf, emptyTokens, type Granularity, type Tokens} from '../../source/core/record.js';

const tokens = (t: Partial<Tokens>): Tokens => ({...emptyTokens(), ...t});
const all = tokens({input: 10, output: 2, cacheRead: 0, cacheWrite: 0, total: 12});

describe('fidelityClass', () => {
	const cases: Array<[string, Granularity, Tokens, boolean, string]> = [
		['per-turn with cache and tool detail', 'per-turn', all, true, 'full'],
		['per-message with cache and tool detail', 'per-message', all, true, 'full'],
		['usage without tool detail', 'per-turn', all, false, 'usage-only'],
		['usage without cache split', 'per-turn', tokens({input: 10, output: 2}), true, 'usage-only'],
		['output unknown', 'per-turn', tokens({input: 10}), true, 'partial'],
		['nothing known (unavailable)', 'per-turn', emptyTokens(), false, 'partial'],
		['session aggregate', 'per-session-aggregate', all, true, 'aggregate-only'],
		['cost only', 'cost-only', emptyTokens(), false, 'cost-only'],
	];
	it.each(cases)('%s', (_name, granularity, t, toolCalls, expected) => {
		expect(fidelityClass(granularity, coverageOf(t, {hasToolCalls: toolCalls}))).toBe(expected);
	});

	it('coverage is availability, not value: an explicit 0 is known', () => {
		const c = coverageOf(tokens({input: 0, output: 0, cacheRead: null}));
		expect(c.hasInputTokens).toBe(true);
		expect(c.hasOutputTokens).toBe(true);
		expect(c.hasCacheReadTokens).toBe(false);
	});
});
