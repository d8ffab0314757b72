import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {applyUsageRule} from '../../source/core/counting/usage-rule.js';
import {collectSummary} from '../../source/ingest/read-once.js';
import {tempDir, tok, writeLines} from './helpers.js';

const R1 = '0b5b7a40-1f0e-4c55-9d4c-000000000001';
const R2 = '0b5b7a40-1f0e-4c55-9d4c-000000000002';
const S1 = '5e551000-0000-4000-8000-000000000001';
const T1 = '0199c0de-0000-7000-8000-00000000c0de';
const WS = '/ws/symphony_workspaces';

function usage(runID: string, issue: string, provider: string, model: string, from: string, to: string, input: number, output: number) {
	return {
		schemaVersion: 1, recordedAt: to, runID, turn: 1, issueIdentifier: issue, provider, model, botRole: 'developer',
		inputTokens: input, outputTokens: output, totalTokens: input + output, usageSource: 'provider_reported',
		startedAt: from, endedAt: to, workspacePath: `${WS}/${issue}`,
	};
}

function claude(id: string, ts: string, cwd: string, u: object) {
	return {type: 'assistant', sessionId: S1, timestamp: ts, cwd, requestId: `req_${id}`, message: {id, model: 'claude-sonnet-4-6', content: [], usage: u}};
}

/** A repo running Symphony (usage.jsonl), plus Claude and Codex transcripts in the user's home. */
function world() {
	const repo = tempDir();
	const home = tempDir();
	fs.writeFileSync(path.join(repo, 'WORKFLOW.md'), '# workflow\n');
	writeLines(path.join(repo, '.symphony', 'telemetry', 'usage.jsonl'), [
		// Covered by the Claude transcript below: counted from it, attributed from here.
		usage(R1, 'MT-101', 'claude', 'claude-sonnet-4-6', '2026-10-02T10:00:00Z', '2026-10-02T10:05:00Z', 1000, 100),
		// No transcript for this Codex turn: counted as usage.jsonl says.
		usage(R2, 'MT-102', 'codex', 'gpt-5.3-codex', '2026-10-02T11:00:00Z', '2026-10-02T11:10:00Z', 5000, 50),
	]);
	writeLines(path.join(home, '.claude', 'projects', '-ws-symphony-workspaces-MT-101', `${S1}.jsonl`), [
		claude('m1', '2026-10-02T10:01:00.000Z', `${WS}/MT-101`, {input_tokens: 4, cache_read_input_tokens: 600, cache_creation_input_tokens: 300, output_tokens: 60}),
		claude('m2', '2026-10-02T10:03:00.000Z', `${WS}/MT-101/src`, {input_tokens: 2, cache_read_input_tokens: 900, cache_creation_input_tokens: 0, output_tokens: 40}),
		// After the turn: the transcript's own session run, issue from the workspace path.
		claude('m3', '2026-10-02T12:00:00.000Z', `${WS}/MT-101`, {input_tokens: 10, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, output_tokens: 5}),
	]);
	writeLines(path.join(home, '.codex', 'sessions', '2026', '10', '02', `rollout-2026-10-02T13-00-00-${T1}.jsonl`), [
		{timestamp: '2026-10-02T13:00:00.000Z', type: 'session_meta', payload: {id: T1, cwd: `${WS}/MT-103`, model_provider: 'openai'}},
		{timestamp: '2026-10-02T13:00:01.000Z', type: 'turn_context', payload: {cwd: `${WS}/MT-103`, model: 'gpt-5.4'}},
		{timestamp: '2026-10-02T13:00:09.000Z', type: 'event_msg', payload: {type: 'token_count', info: {total_token_usage: {input_tokens: 2000, cached_input_tokens: 1000, output_tokens: 20, reasoning_output_tokens: 8, total_tokens: 2020}, last_token_usage: {input_tokens: 2000, cached_input_tokens: 1000, output_tokens: 20, reasoning_output_tokens: 8, total_tokens: 2020}}, rate_limits: null}},
	]);
	return {repo, home};
}

describe('summary across usage.jsonl, Claude and Codex', () => {
	it('counts each call once and says which source each total came from', async () => {
		const {repo, home} = world();
		const {doc} = await collectSummary({discovery: {cwd: repo, home, env: {}, flags: {}}});
		expect(tok(doc.totals)).toMatchObject({records: 5, total: 1906 + 15 + 5050 + 2020});
		expect(Object.fromEntries(Object.entries(doc.bySource).map(([k, v]) => [k, tok(v)!.total]))).toEqual({claude: 1921, codex: 2020, symphony: 5050});
		expect(tok(doc.byIssue['MT-101'])).toEqual({records: 3, input: 1816, cacheRead: 1500, cacheWrite: 300, output: 105, reasoning: null, total: 1921});
		expect(tok(doc.byIssue['MT-102'])).toMatchObject({records: 1, input: 5000, output: 50, total: 5050});
		expect(tok(doc.byIssue['MT-103'])).toEqual({records: 1, input: 2000, cacheRead: 1000, cacheWrite: null, output: 20, reasoning: 8, total: 2020});
		expect(doc.byIssue['MT-101']!.sources).toEqual({claude: 3});
		expect(doc.byIssue['MT-102']!.sources).toEqual({symphony: 1});
		// The covered turn's run is usage.jsonl's, its numbers the transcript's.
		expect(tok(doc.byRun[R1])).toMatchObject({records: 2, input: 1806, output: 100, total: 1906});
		expect(doc.byRun[R1]).toMatchObject({issue: 'MT-101', source: 'claude', botRole: 'developer'});
		expect(tok(doc.byRun[S1])).toMatchObject({records: 1, total: 15});
		expect(doc.byRun[S1]!.issue).toBe('MT-101');
		expect(tok(doc.byRun[R2])).toMatchObject({records: 1, total: 5050});
		expect(tok(doc.byRun[T1])).toMatchObject({records: 1, total: 2020});
		expect(Object.fromEntries(Object.entries(doc.byModel).map(([k, v]) => [k, tok(v)!.total]))).toEqual({'claude-sonnet-4-6': 1921, 'gpt-5.3-codex': 5050, 'gpt-5.4': 2020});
		expect(doc.totals.sources).toEqual({claude: 3, codex: 1, symphony: 1});
		expect(doc.overlap).toMatchObject({candidateTurns: 2, coveredTurns: 1, reattributedRecords: 2, usageTotalTokens: 1100, transcriptTotalTokens: 1906});
	});

	it('--issue filters after the overlap rule (the re-attributed issue counts)', async () => {
		const {repo, home} = world();
		const {doc} = await collectSummary({discovery: {cwd: repo, home, env: {}, flags: {}}, filters: {since: null, until: null, issue: 'MT-101'}});
		expect(tok(doc.totals)).toMatchObject({records: 3, total: 1921});
	});

	it('the rule is order-independent and respects the agent family', () => {
		const base = {source: 'symphony' as const, provider: 'codex', model: 'm', runId: 'R', turn: 1, issue: 'X-1', workspace: '/w/X-1', startedAt: 1000, at: 5000, tokens: {input: 1, cacheRead: null, cacheWrite: null, cacheWrite5m: null, cacheWrite1h: null, output: 1, reasoning: null, total: 2}, usageSource: 'provider_reported' as const, reportedCostUsd: null, granularity: 'per-turn' as const, coverage: {} as never, origin: {path: 'u', line: 1, offset: 0}, key: 'symphony:R:1'};
		const call = {...base, source: 'claude' as const, provider: 'anthropic', runId: 'S', turn: null, issue: null, startedAt: null, at: 3000, key: 'claude:m', granularity: 'per-message' as const};
		// A Claude call does not cover a Codex turn.
		expect(applyUsageRule([call, base]).report.coveredTurns).toBe(0);
		const codexCall = {...call, source: 'codex' as const, key: 'codex:x'};
		const a = applyUsageRule([codexCall, base]);
		const b = applyUsageRule([base, codexCall]);
		expect(a.records).toEqual(b.records);
		expect(a.records).toHaveLength(1);
		expect(a.records[0]).toMatchObject({key: 'codex:x', runId: 'R', issue: 'X-1', turn: 1});
		// Outside the window (beyond the slack) it stays its own run.
		expect(applyUsageRule([{...codexCall, at: 9000}, base]).report.coveredTurns).toBe(0);
	});
});
