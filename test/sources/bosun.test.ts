import {appendFileSync, mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {collectSummary} from '../../source/ingest/read-once.js';
import {isInside, matchBosunRule} from '../../source/core/counting/bosun-rule.js';
import {countOnce} from '../../source/core/counting/count-once.js';
import {Ledger} from '../../source/core/ledger.js';
import {FileTracker} from '../../source/ingest/file-tracker.js';
import {readWholeLines} from '../../source/ingest/line-reader.js';
import {bosunAlertsSource} from '../../source/sources/bosun-alerts.js';
import {bosunDefinition, bosunLogDir} from '../../source/sources/bosun-definition.js';
import {bosunRepoRoot, bosunSource, isCumulative} from '../../source/sources/bosun.js';
import {makeRecord} from '../helpers/records.js';
import {copyFixture, tempDir} from '../helpers/temp.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
	while (cleanups.length > 0) cleanups.pop()!();
});

function fixtureRepo(): string {
	const t = tempDir('burn-bosun-');
	cleanups.push(t.cleanup);
	return copyFixture('bosun/repo', t.dir, 'repo');
}

const streamOf = (repo: string) => join(repo, '.cache', 'agent-work-logs', 'agent-work-stream.jsonl');

describe('bosun agent-work-stream.jsonl', () => {
	it('turns a growing series of usage readings into one aggregate record with the last values', async () => {
		const repo = fixtureRepo();
		const {records} = await readWholeLines(streamOf(repo), bosunSource);
		const a = records.filter((r) => r.runId === 've-7c1d-add-retry');
		expect(a).toHaveLength(1);
		expect(a[0]).toMatchObject({
			key: 'bosun:ve-7c1d-add-retry',
			source: 'bosun',
			issue: 'task-0001',
			provider: 'codex',
			model: 'gpt-5.3-codex',
			workspace: repo,
			granularity: 'per-session-aggregate',
			usageSource: 'provider_reported',
			reportedCostUsd: 0.12,
			startedAt: Date.parse('2026-10-02T13:00:00.000Z'),
			at: Date.parse('2026-10-02T13:05:40.000Z'),
		});
		expect(a[0]!.tokens).toMatchObject({input: 71000, output: 3000, total: 74000, cacheRead: null, reasoning: null});
	});

	it('counts readings that go down as per-event records, turn by turn', async () => {
		const {records} = await readWholeLines(streamOf(fixtureRepo()), bosunSource);
		const b = records.filter((r) => r.runId === 've-9a2b-fix-docs').sort((x, y) => x.at - y.at);
		expect(b.map((r) => r.turn)).toEqual([1, 2, 3]);
		expect(b.every((r) => r.granularity === 'per-turn')).toBe(true);
		expect(b.reduce((s, r) => s + r.tokens.total!, 0)).toBe(3900);
		expect(b.reduce((s, r) => s + r.reportedCostUsd!, 0)).toBeCloseTo(0.019, 6);
	});

	it('keeps a cost-only reading as cost-only with unknown (null) tokens, and reads nested usage spellings', async () => {
		const {records} = await readWholeLines(streamOf(fixtureRepo()), bosunSource);
		const c = records.find((r) => r.runId === 've-cost-only')!;
		expect(c).toMatchObject({granularity: 'cost-only', usageSource: 'unavailable', reportedCostUsd: 0.05});
		expect(c.tokens.input).toBeNull();
		expect(c.tokens.total).toBeNull();
		const d = records.find((r) => r.runId === 've-nested')!;
		expect(d.tokens).toMatchObject({input: 500, output: 50, total: 550});
	});

	it('never adds session_end or metrics rollups: total reported cost is the usage events only', async () => {
		const {records} = await readWholeLines(streamOf(fixtureRepo()), bosunSource);
		expect(records).toHaveLength(6);
		const cost = records.reduce((s, r) => s + (r.reportedCostUsd ?? 0), 0);
		expect(cost).toBeCloseTo(0.12 + 0.019 + 0.05, 6);
	});

	it('emits tool and error activity for the anomaly rules, and counts bad lines as problems', async () => {
		const {events, problems} = await readWholeLines(streamOf(fixtureRepo()), bosunSource);
		expect(events.map((e) => [e.kind, e.name])).toEqual([
			['tool_call', 'shell'],
			['tool_result', 'shell'],
			['error', 'rate_limit'],
		]);
		expect(events[1]!.ok).toBe(false);
		expect(events[2]).toMatchObject({runId: 've-7c1d-add-retry', issue: 'task-0001', detail: 'rate limited by provider'});
		expect(problems).toEqual([expect.objectContaining({kind: 'malformed-json', line: 18})]);
	});

	it('detects running totals only when readings never shrink', () => {
		const r = (total: number | null, cost: number | null = null) => ({prompt: null, completion: null, total, cost});
		expect(isCumulative([r(10)])).toBe(true);
		expect(isCumulative([r(10), r(10), r(30)])).toBe(true);
		expect(isCumulative([r(10), r(5)])).toBe(false);
		expect(isCumulative([r(10), r(null)])).toBe(false);
		expect(isCumulative([r(null, 0.1), r(null, 0.2)])).toBe(true);
	});

	it('finds the repo root and the log dir from either spelling', () => {
		const repo = fixtureRepo();
		expect(bosunRepoRoot(streamOf(repo))).toBe(repo);
		expect(bosunRepoRoot('/tmp/x/agent-work-stream.jsonl')).toBeNull();
		expect(bosunLogDir(repo)).toBe(join(repo, '.cache', 'agent-work-logs'));
		expect(bosunLogDir(join(repo, '.cache', 'agent-work-logs'))).toBe(join(repo, '.cache', 'agent-work-logs'));
		expect(bosunDefinition.matches('agent-work-stream.jsonl')).toBe(true);
		expect(bosunDefinition.matches('agent-work-stream-2026-09.jsonl.gz')).toBe(true);
		expect(bosunDefinition.matches('agent-metrics.jsonl')).toBe(false);
		expect(bosunDefinition.matches('agent-alerts.jsonl')).toBe(false);
	});
});

describe('bosun agent-alerts.jsonl', () => {
	it('becomes external flags, one per type and attempt, repeats merged', async () => {
		const repo = fixtureRepo();
		const {flags = [], problems} = await readWholeLines(join(repo, '.cache', 'agent-work-logs', 'agent-alerts.jsonl'), bosunAlertsSource);
		expect(problems).toEqual([expect.objectContaining({kind: 'malformed-json', line: 5})]);
		expect(flags).toHaveLength(3);
		expect(flags.every((f) => f.external === 'bosun')).toBe(true);
		const loop = flags.find((f) => f.kind === 'bosun_error_loop')!;
		expect(loop).toMatchObject({
			id: 'bosun_error_loop:run:ve-7c1d-add-retry',
			scope: {type: 'run', id: 've-7c1d-add-retry'},
			severity: 'crit',
			value: 6,
			unit: 'count',
			firstAt: Date.parse('2026-10-02T13:01:20.000Z'),
			lastAt: Date.parse('2026-10-02T13:07:20.000Z'),
		});
		expect(flags.find((f) => f.kind === 'bosun_cost_anomaly')).toMatchObject({severity: 'info', value: 1.42, threshold: 1, unit: 'usd'});
		expect(flags.find((f) => f.kind === 'bosun_stuck_agent')).toMatchObject({severity: 'warn', value: 7, threshold: 5, unit: 'minutes'});
	});

	it('a missing alerts file is no flags and no problem; a line without a type is a problem', async () => {
		// The engine tracks the alerts file like any file: one that does not exist reads as nothing.
		const missing = new FileTracker('/nonexistent/agent-alerts.jsonl', {type: 'whole-lines', source: bosunAlertsSource}, {add: () => {}, retract: () => {}});
		expect(await missing.sync()).toBe('unchanged');
		expect({flags: missing.flags, problems: missing.problems.count}).toEqual({flags: [], problems: 0});
		const t = tempDir('burn-bosun-alerts-');
		cleanups.push(t.cleanup);
		const file = join(t.dir, 'agent-alerts.jsonl');
		writeFileSync(file, '{"timestamp":"2026-10-02T13:00:00Z"}\n');
		const r = await readWholeLines(file, bosunAlertsSource);
		expect(r.flags).toEqual([]);
		expect(r.problems[0]).toMatchObject({kind: 'invalid-record', line: 1});
	});
});

describe('bosun vs transcripts: counted once', () => {
	const at = (iso: string) => Date.parse(iso);
	const bosun = makeRecord({
		key: 'bosun:att-1',
		source: 'bosun',
		runId: 'att-1',
		issue: 'task-9',
		turn: null,
		workspace: '/repo',
		startedAt: at('2026-10-02T13:00:00Z'),
		at: at('2026-10-02T13:10:00Z'),
		origin: {path: '/repo/.cache/agent-work-logs/agent-work-stream.jsonl', line: 2, offset: 0},
		tokens: {input: 5000, output: 500, total: 5500},
	});
	const transcript = (key: string, iso: string, workspace = '/repo/sub') =>
		makeRecord({key, source: 'claude', runId: 'sess-1', issue: null, turn: null, workspace, at: at(iso), origin: {path: '/t/sess-1.jsonl', line: 1, offset: 0}});

	it('is inside: same dir or below, not a sibling with a common prefix', () => {
		expect(isInside('/repo', '/repo')).toBe(true);
		expect(isInside('/repo/a/b', '/repo/')).toBe(true);
		expect(isInside('/repository', '/repo')).toBe(false);
	});

	it('a transcript call in the repo during the attempt covers it; outside the window or the repo it does not', () => {
		expect(matchBosunRule([bosun, transcript('c1', '2026-10-02T13:05:00Z')]).covered.has('att-1')).toBe(true);
		expect(matchBosunRule([bosun, transcript('c1', '2026-10-02T15:00:00Z')]).covered.size).toBe(0);
		expect(matchBosunRule([bosun, transcript('c1', '2026-10-02T13:05:00Z', '/elsewhere')]).covered.size).toBe(0);
	});

	it('drops the covered bosun record and lends its task id to the transcript records', () => {
		const ledger = new Ledger();
		ledger.add([bosun, transcript('c1', '2026-10-02T13:05:00Z'), transcript('c2', '2026-10-02T13:06:00Z')]);
		const {ledger: counted, bosun: stats} = countOnce(ledger);
		expect(stats).toEqual({coveredRuns: 1, droppedRecords: 1, attributedRecords: 2});
		expect(counted.by.source.get('bosun')).toBeUndefined();
		expect(counted.by.issue.get('task-9')?.records).toBe(2);
		expect(counted.totals.tokens.input.sum).toBe(200);
	});

	it('end to end: with --bosun-dir and a transcript of the same run, the spend is counted once', async () => {
		const repo = fixtureRepo();
		const t = tempDir('burn-bosun-claude-');
		cleanups.push(t.cleanup);
		const projects = join(t.dir, '.claude', 'projects', '-repo');
		mkdirSync(projects, {recursive: true});
		const line = (id: string, ts: string, out: number) =>
			JSON.stringify({
				type: 'assistant',
				uuid: `a-${id}`,
				sessionId: '3c1e0f7a-0000-4000-8000-0000000000b1',
				timestamp: ts,
				cwd: repo,
				version: '2.1.240',
				requestId: `req_${id}`,
				message: {id: `msg_${id}`, type: 'message', role: 'assistant', model: 'gpt-5.3-codex', content: [], usage: {input_tokens: 100, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, output_tokens: out}},
			}) + '\n';
		const file = join(projects, '3c1e0f7a-0000-4000-8000-0000000000b1.jsonl');
		writeFileSync(file, line('1', '2026-10-02T13:02:00.000Z', 10));
		appendFileSync(file, line('2', '2026-10-02T13:03:00.000Z', 20));
		const {doc, bosun, externalFlags} = await collectSummary({
			discovery: {cwd: t.dir, home: t.dir, env: {}, flags: {bosunDir: [repo], claudeDir: [join(t.dir, '.claude')]}},
		});
		expect(bosun).toMatchObject({coveredRuns: 1, droppedRecords: 1, attributedRecords: 2});
		expect(externalFlags.map((f) => f.kind).sort()).toEqual(['bosun_cost_anomaly', 'bosun_error_loop', 'bosun_stuck_agent']);
		// task-0001 is now the two transcript calls, not bosun's 74,000-token aggregate.
		expect(doc.byIssue['task-0001']?.records).toBe(2);
		expect(doc.byIssue['task-0001']?.tokens.total.value).toBe(230);
		// The other attempts have no transcript: bosun is their fallback.
		expect(doc.byIssue['task-0002']?.records).toBe(3);
	});
});
