import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {collectSummary} from '../../source/ingest/read-once.js';
import {instrumentationDefinition, instrumentationRoot} from '../../source/sources/instrumentation-definition.js';
import {readInstrumentationReport} from '../../source/sources/instrumentation.js';
import {copyFixture, tempDir} from '../helpers/temp.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
	while (cleanups.length > 0) cleanups.pop()!();
});

function fixtureRepo(): string {
	const t = tempDir('burn-instr-');
	cleanups.push(t.cleanup);
	copyFixture('instrumentation/output', t.dir, 'output');
	return t.dir;
}

describe('pipeline instrumentation', () => {
	it('reads the calls sink per call: run = run_id, stage in meta, cost as reported, problems counted', async () => {
		const repo = fixtureRepo();
		const {ledger, doc} = await collectSummary({discovery: {cwd: repo, home: repo, env: {}, flags: {instrumentationDir: [repo]}}});
		const runA = ledger.runRecords('run-a');
		expect(runA).toHaveLength(4);
		const first = runA.find((r) => r.key === 'instrumentation:run-a:req-a1')!;
		expect(first).toMatchObject({
			source: 'instrumentation',
			provider: 'openai',
			model: 'gpt-4.1-mini',
			granularity: 'per-message',
			reportedCostUsd: 0.00036,
			// Naive Python ISO with microseconds: read as UTC, to the millisecond.
			at: Date.parse('2026-10-03T08:00:01.250Z'),
			startedAt: Date.parse('2026-10-03T08:00:01.250Z') - 850,
			meta: {stage: 'extract'},
		});
		expect(first.tokens).toMatchObject({input: 1200, output: 300, total: 1500, cacheRead: null});
		// A call without request_id is keyed by its line; its null cost stays null (never $0).
		expect(runA.find((r) => r.key === 'instrumentation:run-a:line:3')).toMatchObject({reportedCostUsd: null, meta: {stage: 'summarize'}});
		// Epoch seconds are read as seconds; a negative count is unknown, with a problem.
		const bad = runA.find((r) => r.key === 'instrumentation:run-a:req-a4')!;
		expect(bad.at).toBe(1791014410 * 1000);
		expect(bad.tokens.input).toBeNull();
		const kinds = doc.problems.items.filter((p) => p.path.includes('run-a')).map((p) => [p.kind, p.line, p.field ?? null]);
		expect(kinds).toEqual(
			expect.arrayContaining([
				['invalid-record', 4, 'prompt_tokens'],
				['malformed-json', 5, null],
			]),
		);
	});

	it('never counts the run report when the sink exists (run-a), and reads it when it is the only record (run-b)', async () => {
		const repo = fixtureRepo();
		const runA = await readInstrumentationReport(join(repo, 'output', 'runs', 'run-a', 'instrumentation.json'));
		expect(runA.records).toEqual([]);
		const runB = await readInstrumentationReport(join(repo, 'output', 'runs', 'run-b', 'instrumentation.json'));
		expect(runB.problems).toEqual([]);
		expect(runB.records.map((r) => [r.key, r.meta?.stage, r.granularity])).toEqual([
			['instrumentation:run-b:req-b1', 'clean', 'per-message'],
			['instrumentation:run-b:clean:2', 'clean', 'per-message'],
			['instrumentation:run-b:label:totals', 'label', 'per-session-aggregate'],
		]);
		const sum = runB.records.reduce((s, r) => s + r.tokens.input!, 0);
		expect(sum).toBe(7100); // the report's own run total: nothing counted twice, nothing lost
		expect(runB.records[2]).toMatchObject({model: null, reportedCostUsd: 0.0009, at: Date.parse('2026-10-04T09:10:00Z'), startedAt: Date.parse('2026-10-04T09:05:00Z')});
	});

	it('totals over the whole output dir: sink for run-a, report for run-b', async () => {
		const repo = fixtureRepo();
		const {doc} = await collectSummary({discovery: {cwd: repo, home: repo, env: {}, flags: {instrumentationDir: [join(repo, 'output', 'runs')]}}});
		expect(doc.bySource.instrumentation?.records).toBe(7);
		expect(doc.byRun['run-a']?.records).toBe(4);
		expect(doc.byRun['run-b']?.records).toBe(3);
		expect(doc.byRun['run-b']?.tokens.input.value).toBe(7100);
	});

	it('accepts a repo, the runs dir or one run dir', () => {
		const repo = fixtureRepo();
		expect(instrumentationRoot(repo)).toBe(join(repo, 'output', 'runs'));
		expect(instrumentationRoot(join(repo, 'output', 'runs', 'run-a'))).toBe(join(repo, 'output', 'runs', 'run-a'));
		expect(instrumentationDefinition.matches('run-a/instrumentation_calls.jsonl')).toBe(true);
		expect(instrumentationDefinition.matches('instrumentation.json')).toBe(true);
		expect(instrumentationDefinition.matches('run-a/stage/instrumentation.json')).toBe(false);
		expect(instrumentationDefinition.matches('run-a/instrumentation.md')).toBe(false);
	});
});
