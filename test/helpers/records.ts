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

const pad = (n: number) => String(n).padStart(12, '0');

/** One Symphony usage.jsonl line (spec §5.1), LF-terminated. */
export function usageLine(run: number, turn: number, input: number, output: number, extra: Record<string, unknown> = {}): string {
	const at = new Date(Date.UTC(2026, 10, 20, 10, 0, 0) + (run * 100 + turn) * 60_000).toISOString();
	return (
		JSON.stringify({
			schemaVersion: 1,
			recordedAt: at,
			runID: `00000000-0000-4000-8000-${pad(run)}`,
			turn,
			issueIdentifier: `MT-${run}`,
			provider: 'claude',
			model: 'claude-sonnet-4-6',
			botRole: 'developer',
			inputTokens: input,
			outputTokens: output,
			totalTokens: input + output,
			usageSource: 'provider_reported',
			startedAt: at,
			endedAt: at,
			...extra,
		}) + '\n'
	);
}
