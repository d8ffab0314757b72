import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {validateFiles} from '../../source/commands/validate.js';
import {runCli} from '../helpers/cli.js';
import {copyFixture, tempDir} from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({dir, cleanup} = tempDir('burn-validate-')));
afterEach(() => cleanup());

const RUN = '0b5b7a40-1f0e-4c55-9d4c-1a2b3c4d5e6f';
const good = (over: Record<string, unknown> = {}) =>
	JSON.stringify({
		schemaVersion: 1,
		recordedAt: '2026-10-02T10:00:05Z',
		runID: RUN,
		turn: 1,
		issueIdentifier: 'MT-9',
		provider: 'claude',
		model: 'claude-sonnet-4-6',
		botRole: 'developer',
		inputTokens: 100,
		outputTokens: 10,
		totalTokens: 110,
		usageSource: 'provider_reported',
		startedAt: '2026-10-02T10:00:00Z',
		endedAt: '2026-10-02T10:00:05Z',
		...over,
	});

function file(name: string, lines: string[], tail = '\n'): string {
	const p = join(dir, name);
	writeFileSync(p, lines.join('\n') + tail);
	return p;
}

describe('burn validate rules', () => {
	it('names every violation with file, line, rule and field', async () => {
		const p = file('usage.jsonl', [
			good(),
			good({turn: 1}), // not after turn 1
			good({turn: 2, runID: 'not-a-uuid'}),
			good({turn: 3, recordedAt: '2026-10-02T12:00:05+02:00'}),
			'{not json',
			good({turn: 4, usageSource: 'unavailable'}),
			good({turn: 5, prompt: 'fix the bug'}),
			'[1,2]',
			good({turn: 6, botRole: 'pilot'}),
		]);
		const r = await validateFiles([p]);
		const seen = r.findings.map((f) => [f.line, f.severity, f.rule, f.field]);
		expect(seen).toEqual(
			expect.arrayContaining([
				[2, 'error', '§5.1 turn-order', 'turn'],
				[3, 'error', '§5.1 required', 'runID'],
				[4, 'error', '§5.1 utc', 'recordedAt'],
				[5, 'error', '§4.2 json', null],
				[6, 'error', '§5.1 required', 'inputTokens'],
				[7, 'error', '§8 content', 'prompt'],
				[8, 'error', '§4.2 object', null],
				[9, 'error', '§5.1 required', 'botRole'],
			]),
		);
		expect(r.ok).toBe(false);
		expect(r.findings.every((f) => f.path === p)).toBe(true);
	});

	it('SHOULD rules are warnings: totals, breakdown sums, non-UTC turn times, an unfinished last line', async () => {
		const p = file(
			'usage.jsonl',
			[
				good({totalTokens: 120}),
				good({turn: 2, inputUncachedTokens: 10, inputCachedReadTokens: 50, inputCacheWriteTokens: 30}),
				good({turn: 3, outputVisibleTokens: 8, outputReasoningTokens: 5}),
				good({turn: 4, startedAt: '2026-10-02T12:00:00+02:00'}),
				good({turn: 5}).slice(0, 30),
			],
			'',
		);
		const r = await validateFiles([p]);
		expect(r.findings.map((f) => [f.line, f.severity, f.rule])).toEqual([
			[1, 'warning', '§5.3 total'],
			[2, 'warning', '§5.2.1 input-breakdown'],
			[3, 'warning', '§5.2.2 output-breakdown'],
			[4, 'warning', '§5.1 utc'],
			[5, 'warning', '§4.2 incomplete-line'],
		]);
		expect(r.ok).toBe(true);
		expect(r.records).toBe(4);
	});

	it('flags a newer schemaVersion and counts records per version; turns are checked across the split stream', async () => {
		const sub = join(dir, 'telemetry');
		mkdirSync(sub);
		writeFileSync(join(sub, 'usage-1.jsonl'), good() + '\n');
		writeFileSync(join(sub, 'usage-2.jsonl'), good({schemaVersion: 2}) + '\n');
		const r = await validateFiles([join(sub, 'usage-1.jsonl'), join(sub, 'usage-2.jsonl')]);
		expect(r.schemaVersions).toEqual({'1': 1, '2': 1});
		expect(r.findings.map((f) => [f.path.endsWith('usage-2.jsonl'), f.line, f.rule, f.field])).toEqual([
			[true, 1, '§6 schema-version', 'schemaVersion'],
			[true, 1, '§5.1 turn-order', 'turn'],
		]);
	});
});

describe('burn validate (built CLI)', () => {
	it('exit 0 and a one-line verdict on a valid file', () => {
		const p = copyFixture('symphony/valid.jsonl', dir, 'usage.jsonl');
		const r = runCli(['validate', p], {cwd: dir});
		expect(r.code).toBe(0);
		expect(r.stdout.trim().split('\n').pop()).toMatch(/^✓ valid: \d+ records in 1 file, no violations/);
	});

	it('exit 1 with file:line, rule and field per violation; --json for CI', () => {
		const p = file('usage.jsonl', [good(), good({turn: 1}), good({turn: 2, runID: 'nope'})]);
		const r = runCli(['validate', dir], {cwd: dir});
		expect(r.code).toBe(1);
		const out = r.stdout.trim().split('\n');
		expect(out).toContain("usage.jsonl:2  error    §5.1 turn-order  turn  turn 1 is not after turn 1 of the same runID (" + p + ':1); turns must strictly increase within a runID');
		expect(out.some((l) => l.startsWith('usage.jsonl:3  error    §5.1 required  runID  '))).toBe(true);
		expect(out.pop()).toMatch(/^✗ invalid: 2 violations; 2 records in 1 file read/);
		const j = runCli(['validate', p, '--json'], {cwd: dir});
		expect(j.code).toBe(1);
		const doc = JSON.parse(j.stdout);
		expect(doc).toMatchObject({schema: 'burn.validate/1', ok: false, counts: {errors: 2, warnings: 0}});
		expect(doc.findings[0]).toMatchObject({path: p, line: 2, severity: 'error', rule: '§5.1 turn-order', field: 'turn'});
	});

	it('exit 2 on a path that does not exist or holds no usage files', () => {
		expect(runCli(['validate', join(dir, 'missing.jsonl')], {cwd: dir}).code).toBe(2);
		const empty = runCli(['validate', dir], {cwd: dir});
		expect(empty.code).toBe(2);
		expect(empty.stderr).toContain('no usage*.jsonl files');
	});

	it('validates what backfill writes (the fixture bakes to a clean file)', () => {
		const claude = copyFixture('claude/home', dir, 'home');
		const out = join(dir, 'bake', 'usage.jsonl');
		const b = runCli(['backfill', '--out', out, '--claude-dir', join(claude, '.claude')], {cwd: dir, env: {HOME: dir}});
		expect(b.code).toBe(0);
		expect(b.stderr).toBe(''); // no progress line in a pipe
		const v = runCli(['validate', out], {cwd: dir});
		expect(v.code).toBe(0);
	});
});
