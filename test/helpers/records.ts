import {coverageOf, emptyTokens, type Tokens, type UsageRecord} from '../../source/core/record.js';

/** A record for core tests; every field can be overridden. */
export function makeRecord(overrides: Partial<Omit<UsageRecord, 'tokens'>> & {tokens?: Partial<Tokens>} = {}): UsageRecord {
	const tokens: Tokens = {...emptyTokens(), input: 100, output: 10, total: 110, ...overrides.tokens};
	return {
		key: 'k1',
		source: 'symphony',
		provider: 'claude',
		model: 'claude-sonnet-4-6',
		runId: 'run-1',
		turn: 1,
		issue: 'MT-1',
		workspace: null,
		startedAt: null,
		at: Date.parse('2026-10-02T10:00:00Z'),
		usageSource: 'provider_reported',
		reportedCostUsd: null,
		granularity: 'per-turn',
		origin: {path: '/a.jsonl', line: 1, offset: 0},
		...overrides,
		tokens,
		coverage: overrides.coverage ?? coverageOf(tokens),
	};
}
