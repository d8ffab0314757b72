import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {gzipSync} from 'node:zlib';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {collectSummary} from '../../source/ingest/read-once.js';
import {parseSymphonyChunk, symphonySource} from '../../source/sources/symphony.js';
import {readLineFile} from '../../source/ingest/line-reader.js';
import type {UsageRecord} from '../../source/core/record.js';
import {copyFixture, FIXTURES, tempDir} from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({dir, cleanup} = tempDir()));
afterEach(() => cleanup());

const summaryOf = async (...usage: string[]) =>
	(await collectSummary({discovery: {cwd: dir, home: dir, env: {}, flags: {usage}}})).doc;

describe('Symphony usage.jsonl source', () => {
	it('reads valid records with breakdowns, estimated and unavailable ones', async () => {
		const doc = await summaryOf(copyFixture('symphony/valid.jsonl', dir, 'usage.jsonl'));
		expect(doc.problems.count).toBe(0);
		expect(doc.totals.records).toBe(5);
		expect(doc.totals.tokens.input).toEqual({value: 64135, known: 4, missing: 1});
		expect(doc.totals.tokens.output).toEqual({value: 2487, known: 4, missing: 1});
		expect(doc.totals.tokens.total).toEqual({value: 66622, known: 4, missing: 1});
		expect(doc.totals.tokens.cacheRead).toEqual({value: 20311, known: 1, missing: 4});
		expect(doc.totals.tokens.cacheWrite).toEqual({value: 1820, known: 1, missing: 4});
		expect(doc.totals.tokens.reasoning).toEqual({value: 200, known: 1, missing: 4});
		expect(doc.fidelity.usageSource).toEqual({provider_reported: 3, estimated: 1, unavailable: 1});
		expect(doc.fidelity.byClass).toMatchObject({'usage-only': 4, partial: 1, full: 0});
		expect(doc.fidelity.byGranularity['per-turn']).toBe(5);
		expect(Object.keys(doc.byIssue)).toEqual(['MT-649', 'MT-650']);
		expect(doc.byIssue['MT-649']!.tokens.input).toEqual({value: 52135, known: 2, missing: 1});
		expect(doc.byRun['0b5b7a40-1f0e-4c55-9d4c-1a2b3c4d5e6f']).toMatchObject({
			issue: 'MT-649',
			provider: 'anthropic',
			model: 'claude-sonnet-4-6',
			botRole: 'developer',
			records: 3,
		});
		expect(doc.byModel['gpt-5.3-codex']!.tokens.total.value).toBe(13100);
		expect(doc.byProvider.openai!.records).toBe(2);
		expect(doc.bySource.symphony!.records).toBe(5);
	});

	it('keeps the optional fields: cache split, quota, pull request, mode, exit reason, workspace', () => {
		const bytes = readFileSync(join(FIXTURES, 'symphony/valid.jsonl'));
		const result = parseSymphonyChunk(bytes, symphonySource.initialState('x'), {path: 'x', offset: 0, line: 1});
		const [first, second, third, fourth, fifth] = result.records as UsageRecord[];
		expect(first!.tokens).toMatchObject({cacheWrite5m: 0, cacheWrite1h: 1820, cacheRead: 20311});
		expect(first!.workspace).toBe('/srv/symphony_workspaces/MT-649');
		expect(first!.meta).toMatchObject({mode: 'fresh', exitReason: 'turn_completed', botRole: 'developer'});
		expect(second!.quota).toEqual({
			at: Date.parse('2026-10-02T10:01:30Z'),
			planType: 'max',
			windows: [{label: 'primary', windowMinutes: 300, usedPercent: 41.5, resetsAt: 1791000000}],
		});
		expect(third!.tokens.input).toBeNull();
		expect(third!.usageSource).toBe('unavailable');
		expect(fourth!.usageSource).toBe('estimated');
		expect(fifth!.meta?.pullRequest).toEqual({repo: 'acme/api', number: 42, headSHA: 'abc123', url: 'https://example.com/pr/42'});
		expect(first!.origin).toEqual({path: 'x', line: 1, offset: 0});
	});

	it('reports every broken line with file, line and reason, and counts the good ones', async () => {
		const file = copyFixture('symphony/problems.jsonl', dir, 'usage.jsonl');
		const doc = await summaryOf(file);
		// BOM line, unavailable turn 3, turn 4; the identical repeat of turn 1 counts once.
		expect(doc.totals.records).toBe(3);
		expect(doc.totals.tokens.input).toEqual({value: 3000, known: 2, missing: 1});
		const byLine = Object.fromEntries(doc.problems.items.map((p) => [p.line, p]));
		expect(byLine[3]).toMatchObject({kind: 'malformed-json', path: file});
		expect(byLine[4]).toMatchObject({kind: 'invalid-record', field: 'model'});
		expect(byLine[5]).toMatchObject({kind: 'invalid-record', field: 'turn'});
		expect(byLine[6]).toMatchObject({kind: 'not-an-object'});
		expect(byLine[8]).toMatchObject({kind: 'duplicate-conflict', field: 'tokens.input'});
		expect(byLine[8]!.reason).toContain(`${file}:1`);
		expect(byLine[11]).toMatchObject({kind: 'incomplete-line'});
		expect(byLine[7]).toBeUndefined(); // identical duplicate: not a problem
		expect(byLine[2]).toBeUndefined(); // empty line tolerated
		expect(doc.problems.count).toBe(6);
		expect(doc.problems.byKind).toEqual({
			'malformed-json': 1,
			'invalid-record': 2,
			'not-an-object': 1,
			'incomplete-line': 1,
			'duplicate-conflict': 1,
		});
	});

	it('does not count turn 0 and rejects tokens on an unavailable record', () => {
		const line = (o: object) => Buffer.from(JSON.stringify(o) + '\n');
		const base = {
			schemaVersion: 1,
			recordedAt: '2026-10-02T10:00:05Z',
			runID: '0b5b7a40-1f0e-4c55-9d4c-1a2b3c4d5e6f',
			issueIdentifier: 'MT-1',
			provider: 'claude',
			model: 'm',
			botRole: 'developer',
			startedAt: '2026-10-02T10:00:00Z',
			endedAt: '2026-10-02T10:00:05Z',
		};
		const r = parseSymphonyChunk(
			Buffer.concat([
				line({...base, turn: 0, inputTokens: 1, outputTokens: 1, totalTokens: 2, usageSource: 'provider_reported'}),
				line({...base, turn: 1, inputTokens: 0, outputTokens: 5, totalTokens: 5, usageSource: 'unavailable'}),
				line({...base, turn: 2, inputTokens: 0, outputTokens: 0, totalTokens: 0, usageSource: 'provider_reported'}),
				line({...base, turn: 3, startedAt: '2026-10-02T11:00:00Z', inputTokens: 1, outputTokens: 1, totalTokens: 2, usageSource: 'provider_reported'}),
			]),
			{reportedVersions: []},
			{path: 'f', offset: 0, line: 1},
		);
		expect(r.records.map((x) => x.turn)).toEqual([2]);
		// An explicit 0 is a measured zero, not unknown.
		expect(r.records[0]!.tokens.input).toBe(0);
		expect(r.problems.map((p) => [p.line, p.field])).toEqual([
			[1, 'turn'],
			[2, 'inputTokens'],
			[2, 'outputTokens'],
			[2, 'totalTokens'],
			[4, 'startedAt'],
		]);
	});

	it('reads a newer schemaVersion best-effort and flags it loudly, once per file', async () => {
		const file = copyFixture('symphony/v2.jsonl', dir, 'usage.jsonl');
		writeFileSync(file, readFileSync(file, 'utf8').repeat(2));
		const doc = await summaryOf(file);
		expect(doc.totals.records).toBe(1);
		expect(doc.problems.byKind['schema-version']).toBe(1);
		expect(doc.problems.items[0]).toMatchObject({kind: 'schema-version', field: 'schemaVersion', line: 1});
		expect(doc.warnings[0]).toContain('schemaVersion 2 is newer');
	});

	it('treats usage*.jsonl and usage*.jsonl.gz in a directory as one stream and ignores other files', async () => {
		const split = copyFixture('symphony/split', dir);
		writeFileSync(join(split, 'usage-1.jsonl.gz'), gzipSync(readFileSync(join(split, 'usage-1.src'))));
		const doc = await summaryOf(split);
		expect(doc.sources).toEqual([{kind: 'symphony', path: split, files: 2, records: 2, problems: 0}]);
		expect(doc.totals.tokens.input.value).toBe(300);
		expect(doc.byRun['4f9f1e84-5d42-4a99-b18a-5e6f708192a3']!.records).toBe(2);
	});

	it('reads a very long valid line, and skips an over-long one without buffering it', async () => {
		const valid = readFileSync(join(FIXTURES, 'symphony/valid.jsonl'), 'utf8').split('\n')[0]!;
		const long = valid.replace('"mode":"fresh"', `"mode":"fresh","padding":"${'x'.repeat(5_000_000)}"`);
		const file = join(dir, 'usage.jsonl');
		writeFileSync(file, long + '\n' + valid.replace('"turn":1', '"turn":2') + '\n');
		const doc = await summaryOf(file);
		expect(doc.totals.records).toBe(2);
		expect(doc.problems.count).toBe(0);

		const problems: string[] = [];
		let records = 0;
		const read = await readLineFile(file, symphonySource, symphonySource.initialState(file), (r) => {
			records += r.records.length;
			problems.push(...r.problems.map((p) => `${p.kind}@${p.line}`));
		}, {maxLineBytes: 1024 * 1024});
		expect(problems).toEqual(['line-too-long@1']);
		expect(records).toBe(1);
		expect(read.consumedLines).toBe(2);
	});

	it('finds .symphony/telemetry under the working directory and its parents up to WORKFLOW.md', async () => {
		const root = join(dir, 'repo');
		const telemetry = join(root, '.symphony', 'telemetry');
		copyFixture('symphony/valid.jsonl', telemetry, 'usage.jsonl');
		writeFileSync(join(root, 'WORKFLOW.md'), '# workflow\n');
		const deep = join(root, 'packages', 'api');
		copyFixture('symphony/split/usage-2.jsonl', join(deep, '.symphony', 'telemetry'), 'usage.jsonl');
		// Above WORKFLOW.md: must not be read.
		copyFixture('symphony/v2.jsonl', join(dir, '.symphony', 'telemetry'), 'usage.jsonl');
		const {doc} = await collectSummary({discovery: {cwd: deep, home: dir, env: {}, flags: {usage: []}}});
		expect(doc.sources.map((s) => s.path)).toEqual([join(deep, '.symphony', 'telemetry'), telemetry]);
		expect(doc.totals.records).toBe(6);
		expect(doc.missing.filter((m) => m.kind === 'symphony').map((m) => m.path)).toEqual([join(root, 'packages', '.symphony', 'telemetry')]);
	});

	it('reads BURN_USAGE as a path list', async () => {
		const a = copyFixture('symphony/valid.jsonl', join(dir, 'a'), 'usage.jsonl');
		const b = copyFixture('symphony/split/usage-2.jsonl', join(dir, 'b'), 'usage.jsonl');
		const {doc} = await collectSummary({discovery: {cwd: dir, home: dir, env: {BURN_USAGE: `${a}:${b}`}, flags: {usage: []}}});
		expect(doc.totals.records).toBe(6);
	});

	it('resumes across chunks split anywhere, consuming only complete lines', () => {
		const bytes = readFileSync(join(FIXTURES, 'symphony/valid.jsonl'));
		const whole = parseSymphonyChunk(bytes, {reportedVersions: []}, {path: 'f', offset: 0, line: 1}).records;
		for (const cut of [1, 100, 417, bytes.length - 1]) {
			const first = parseSymphonyChunk(bytes.subarray(0, cut), {reportedVersions: []}, {path: 'f', offset: 0, line: 1});
			const rest = bytes.subarray(first.consumedBytes);
			const second = parseSymphonyChunk(rest, first.state, {path: 'f', offset: first.consumedBytes, line: 1 + first.consumedLines});
			expect([...first.records, ...second.records]).toEqual(whole);
		}
	});
});

