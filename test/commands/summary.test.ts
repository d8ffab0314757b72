import {spawn} from 'node:child_process';
import {existsSync, mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {Writable} from 'node:stream';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {runSummary} from '../../source/commands/summary.js';
import {runCli} from '../helpers/cli.js';
import {usageLine} from '../helpers/records.js';
import {CLI, copyFixture, FIXTURES, tempDir} from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({dir, cleanup} = tempDir()));
afterEach(() => cleanup());

const unavailableOnly = () => {
	const file = join(dir, 'usage.jsonl');
	writeFileSync(
		file,
		JSON.stringify({
			schemaVersion: 1,
			recordedAt: '2026-10-02T10:00:05Z',
			runID: '0b5b7a40-1f0e-4c55-9d4c-1a2b3c4d5e6f',
			turn: 1,
			issueIdentifier: 'MT-9',
			provider: 'claude',
			model: 'claude-sonnet-4-6',
			botRole: 'developer',
			inputTokens: null,
			outputTokens: null,
			totalTokens: null,
			usageSource: 'unavailable',
			startedAt: '2026-10-02T10:00:00Z',
			endedAt: '2026-10-02T10:00:05Z',
		}) + '\n',
	);
	return file;
};

describe('burn summary --once', () => {
	it('--by provider has one row per provider: the agent names usage.jsonl writes fold into the company', () => {
		const file = join(dir, 'usage.jsonl');
		const line = (turn: number, provider: string, model: string) =>
			JSON.stringify({
				schemaVersion: 1,
				recordedAt: `2026-10-02T10:0${turn}:05Z`,
				runID: `0b5b7a40-1f0e-4c55-9d4c-1a2b3c4d5e6${turn}`,
				turn: 1,
				issueIdentifier: 'MT-9',
				provider,
				model,
				botRole: 'developer',
				inputTokens: 100,
				outputTokens: 10,
				totalTokens: 110,
				usageSource: 'provider_reported',
				startedAt: `2026-10-02T10:0${turn}:00Z`,
				endedAt: `2026-10-02T10:0${turn}:05Z`,
			});
		const lines = [line(1, 'claude', 'claude-sonnet-4-6'), line(2, 'anthropic', 'claude-sonnet-4-6'), line(3, 'codex', 'gpt-5.3-codex'), line(4, 'OpenAI', 'gpt-5.3-codex')];
		writeFileSync(file, lines.join('\n') + '\n');
		const r = runCli(['summary', '--once', '--json', '--usage', file], {cwd: dir});
		expect(r.code).toBe(0);
		const doc = JSON.parse(r.stdout);
		expect(Object.keys(doc.byProvider).sort()).toEqual(['anthropic', 'openai']);
		expect(doc.byProvider.anthropic.records).toBe(2);
		expect(doc.byProvider.openai.records).toBe(2);
		const text = runCli(['summary', '--once', '--by', 'provider', '--usage', file], {cwd: dir, env: {COLUMNS: '100'}});
		expect(text.code).toBe(0);
		expect(text.stdout).toMatch(/anthropic/);
		expect(text.stdout).not.toMatch(/\bclaude\b|\bcodex\b/);
	});

	it('--json writes only the burn.summary/1 document', () => {
		const file = copyFixture('symphony/valid.jsonl', dir, 'usage.jsonl');
		const r = runCli(['summary', '--once', '--json', '--usage', file], {cwd: dir});
		expect(r.code).toBe(0);
		const doc = JSON.parse(r.stdout);
		expect(doc.schema).toBe('burn.summary/1');
		expect(doc.range).toEqual({from: '2026-10-02T10:00:05.000Z', to: '2026-10-02T11:01:20.000Z'});
		expect(doc.sources).toEqual([{kind: 'symphony', path: file, files: 1, records: 5, problems: 0}]);
		expect(Object.keys(doc)).toEqual(expect.arrayContaining(['totals', 'byIssue', 'byRun', 'byModel', 'byProvider', 'bySource', 'fidelity', 'problems']));
		expect(doc.byRun['1c6c8b51-2a1f-4d66-8e5d-2b3c4d5e6f70']).toMatchObject({issue: 'MT-650', provider: 'openai', model: 'gpt-5.3-codex'});
	});

	it('text: header, table by issue, fidelity line, partial footnote, problems with a hint', () => {
		copyFixture('symphony/valid.jsonl', dir, 'valid.jsonl');
		copyFixture('symphony/problems.jsonl', dir, 'usage-2.jsonl');
		const r = runCli(['summary', '--once', '--usage', join(dir, 'valid.jsonl'), '--usage', join(dir, 'usage-2.jsonl'), '--width', '100'], {cwd: dir});
		expect(r.code).toBe(0);
		const out = r.stdout;
		// Two of the 10 records read repeat another (one of them with other numbers: a conflict).
		expect(out).toContain('2 sources · 2 files · 10 records read, 8 counted · 6 problems');
		expect(out).toMatch(/MT-649 +3 +52\.1k\*/);
		// Each line's parts add up to the 8 records counted.
		expect(out).toContain('Fidelity: 6 usage-only · 2 partial\n');
		expect(out).toContain('Token counts: 5 provider-reported · 1 estimated · 2 unavailable\n');
		expect(out).toContain('Problems (6): 5 unreadable lines · 1 duplicate conflict');
		expect(out).toContain('* partial: some records did not state this field');
		expect(out).toContain(`${join(dir, 'usage-2.jsonl')}:3`);
		expect(out).toContain('… 1 more: burn summary --once --json lists them');
		for (const line of out.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
	});

	it('the header, the data_quality flag and the Problems list count the same things', () => {
		// 5 records read (one repeated as is, one repeated with other numbers) and 5 bad lines.
		const rec = (turn: number, input: number) => usageLine(9, turn, input, 10).trimEnd();
		const file = join(dir, 'usage.jsonl');
		writeFileSync(file, [rec(1, 100), 'bad', rec(1, 100), '{bad', rec(1, 150), '[1]', rec(2, 100), 'x', rec(3, 100), 'y'].join('\n') + '\n');
		const out = runCli(['summary', '--once', '--usage', file, '--width', '200'], {cwd: dir}).stdout;
		expect(out).toContain('1 source · 1 file · 5 records read, 3 counted · 6 problems');
		expect(out).toContain('symphony had 5 unreadable lines next to 5 records read');
		expect(out).toContain('Problems (6): 5 unreadable lines · 1 duplicate conflict');
		// At 40 columns the counts wrap; none is cut off.
		const narrow = runCli(['summary', '--once', '--usage', file, '--width', '40'], {cwd: dir}).stdout;
		for (const line of narrow.split('\n')) expect(Array.from(line).length).toBeLessThanOrEqual(40);
		const joined = narrow.replace(/\s+/g, ' ');
		expect(joined).toContain('1 source · 1 file · 5 records read, 3 counted · 6 problems');
		expect(joined).toContain('Problems (6): 5 unreadable lines · 1 duplicate conflict');
		const doc = JSON.parse(runCli(['summary', '--once', '--json', '--usage', file], {cwd: dir}).stdout);
		expect(doc.totals.records).toBe(3);
		expect(doc.sources[0]).toMatchObject({records: 5, problems: 5});
		expect(doc.problems.count).toBe(6);
		// Nothing repeated or dropped: one number, no "read, counted".
		writeFileSync(file, [rec(1, 100), rec(2, 100)].join('\n') + '\n');
		expect(runCli(['summary', '--once', '--usage', file, '--width', '200'], {cwd: dir}).stdout).toContain('1 source · 1 file · 2 records · 0 problems');
	});

	it('a filter that removes every record says so even when the file has problems; flag sentences wrap, never cut', () => {
		copyFixture('symphony/valid.jsonl', dir, 'valid.jsonl');
		copyFixture('symphony/problems.jsonl', dir, 'usage-2.jsonl');
		const args = ['summary', '--once', '--usage', join(dir, 'valid.jsonl'), '--usage', join(dir, 'usage-2.jsonl'), '--width', '80'];
		const out = runCli([...args, '--issue', 'MT-999'], {cwd: dir}).stdout;
		expect(out).toContain('No records match --issue MT-999.');
		expect(out).toContain('the filters removed all of them');
		expect(out).not.toMatch(/^Total /m);
		expect(out).toContain('Problems (6)');
		// The data_quality sentence ends with its advice: at 80 columns it wraps onto a second line.
		const all = runCli(args, {cwd: dir}).stdout;
		for (const line of all.split('\n')) expect(Array.from(line).length).toBeLessThanOrEqual(80);
		expect(all.replace(/\s+/g, ' ')).toContain('totals may undercount; see the Problems list.');
	});

	it('the Fidelity and Token counts lines each add up to the records counted', () => {
		copyFixture('symphony/valid.jsonl', dir, 'valid.jsonl');
		copyFixture('symphony/problems.jsonl', dir, 'usage-2.jsonl');
		const args = ['summary', '--once', '--usage', join(dir, 'valid.jsonl'), '--usage', join(dir, 'usage-2.jsonl')];
		const doc = JSON.parse(runCli([...args, '--json'], {cwd: dir}).stdout);
		const out = runCli([...args, '--width', '200'], {cwd: dir}).stdout;
		const sum = (line: string) => [...line.matchAll(/(\d+) [a-z-]+/g)].reduce((n, m) => n + Number(m[1]), 0);
		const fidelity = out.split('\n').find((l) => l.startsWith('Fidelity: '))!;
		const counts = out.split('\n').find((l) => l.startsWith('Token counts: '))!;
		expect(doc.totals.records).toBe(8);
		expect(sum(fidelity.slice('Fidelity: '.length))).toBe(8);
		expect(sum(counts.slice('Token counts: '.length))).toBe(8);
	});

	it.each([40, 80, 120])('fits %i columns without wrapping', (width) => {
		const file = copyFixture('symphony/valid.jsonl', dir, 'usage.jsonl');
		const r = runCli(['summary', '--once', '--usage', file, '--width', String(width), '--by', 'run'], {cwd: dir});
		expect(r.code).toBe(0);
		const lines = r.stdout.trimEnd().split('\n');
		for (const line of lines) expect([...line].length).toBeLessThanOrEqual(width);
		expect(r.stdout).toContain('Total');
	});

	it('--markdown renders a GitHub table', () => {
		const file = copyFixture('symphony/valid.jsonl', dir, 'usage.jsonl');
		const r = runCli(['summary', '--once', '--markdown', '--by', 'model', '--usage', file], {cwd: dir});
		expect(r.code).toBe(0);
		expect(r.stdout).toContain('| Model | Turns | Input | Output | Cache R | Cache W | Total |');
		expect(r.stdout).toMatch(/\| gpt-5\.3-codex \| 2 \| 12,000 \| 1,100 \| — \| — \| 13,100 \|/);
		expect(r.stdout).toContain('**Fidelity:** 4 usage-only · 1 partial · **Token counts:** 3 provider-reported · 1 estimated · 1 unavailable');
	});

	it('never shows an unavailable record as 0, in any format', () => {
		const file = unavailableOnly();
		const json = JSON.parse(runCli(['summary', '--once', '--json', '--usage', file]).stdout);
		expect(json.totals.tokens.input).toEqual({value: null, known: 0, missing: 1});
		expect(json.byIssue['MT-9'].tokens.total.value).toBeNull();
		const text = runCli(['summary', '--once', '--usage', file, '--width', '80']).stdout;
		const row = text.split('\n').find((l) => l.startsWith('MT-9'))!;
		expect(row).not.toMatch(/\b0\b/);
		expect(row).toContain('—');
		const md = runCli(['summary', '--once', '--markdown', '--usage', file]).stdout;
		const mdRow = md.split('\n').find((l) => l.startsWith('| MT-9'))!;
		// The record has a known model but no token counts: its cost is unpriced, never $0.
		expect(mdRow).toBe('| MT-9 | 1 | — | — | — | — | — | unpriced |');
	});

	it('filters by --since, --until and --issue', () => {
		const file = copyFixture('symphony/valid.jsonl', dir, 'usage.jsonl');
		const doc = (args: string[]) => JSON.parse(runCli(['summary', '--once', '--json', '--usage', file, ...args]).stdout);
		expect(doc(['--issue', 'MT-650']).totals.records).toBe(2);
		expect(doc(['--since', '2026-10-02T10:30:00Z']).totals.records).toBe(2);
		expect(doc(['--until', '2026-10-02T10:01:30Z']).totals.records).toBe(2);
		expect(doc(['--since', '2026-10-02T11:00:30Z', '--issue', 'MT-650']).totals.records).toBe(1);
	});

	it('says where it looked when nothing is found, and exits 0', () => {
		mkdirSync(join(dir, 'empty'));
		const r = runCli(['summary', '--once', '--usage', join(dir, 'empty')], {cwd: dir});
		expect(r.code).toBe(0);
		expect(r.stdout).toContain('No usage data found.');
		expect(r.stdout).toContain(`${join(dir, 'empty')} (0 files)`);
	});

	it('a path named on the command line that does not exist is a usage error naming it', () => {
		const r = runCli(['summary', '--once', '--usage', join(dir, 'nowhere')], {cwd: dir});
		expect(r.code).toBe(2);
		expect(r.stdout).toBe('');
		expect(r.stderr).toContain(`burn: --usage ${join(dir, 'nowhere')}: no such file or directory`);
	});

	it.each([
		[['--by', 'colour'], '--by "colour" is not a dimension'],
		[['--since', 'yesterday'], '--since: "yesterday" is not a time'],
		[['--json', '--markdown'], '--json and --markdown cannot be combined'],
		[['--frobnicate'], 'burn: unknown flag --frobnicate'],
	])('bad usage %j exits 2 with a message', (args, message) => {
		const r = runCli(['summary', '--once', ...args], {cwd: dir});
		expect(r.code).toBe(2);
		expect(r.stderr).toContain(message);
	});
});

describe('the row of records that name no issue', () => {
	it('has one name, (none), in text, markdown and JSON', () => {
		const home = join(FIXTURES, 'claude', 'home');
		const args = ['summary', '--once', '--claude-dir', join(home, '.claude'), '--no-cache'];
		const json = JSON.parse(runCli([...args, '--json'], {cwd: dir}).stdout);
		expect(Object.keys(json.byIssue)).toContain('(none)');
		for (const extra of [['--width', '100'], ['--markdown']]) {
			const out = runCli([...args, ...extra], {cwd: dir}).stdout;
			expect(out).toContain('(none)');
			expect(out).not.toContain('(no issue)');
		}
	});
});

describe('a full read answers before it keeps its state', () => {
	it('the whole answer is out before the index and summary.v8 are written; they are there when the command returns', async () => {
		const file = join(dir, 'usage.jsonl');
		writeFileSync(file, usageLine(1, 1, 100, 10) + usageLine(1, 2, 200, 20));
		const cache = join(dir, 'cache');
		const kept = join(cache, 'summary.v8');
		let out = '';
		let keptWhenAnswered: boolean | null = null;
		let indexWhenAnswered: boolean | null = null;
		const stdout = new Writable({
			write(chunk, _enc, done) {
				out += String(chunk);
				// The answer is complete once the document is closed.
				if (out.endsWith('}\n')) {
					keptWhenAnswered = existsSync(kept);
					indexWhenAnswered = existsSync(join(cache, 'index.json'));
				}
				done();
			},
		});
		const env = {HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'config'), XDG_CACHE_HOME: join(dir, 'xdg-cache')};
		const code = await runSummary({argv: ['--once', '--json', '--cache-dir', cache, '--usage', file], env, cwd: dir, stdout});
		expect(code).toBe(0);
		expect(JSON.parse(out).totals.records).toBe(2);
		expect(keptWhenAnswered).toBe(false);
		expect(indexWhenAnswered).toBe(false);
		expect(existsSync(kept)).toBe(true);
		expect(existsSync(join(cache, 'index.json'))).toBe(true);
	});
});

describe('a reader that stops early', () => {
	it('closes the pipe: burn says nothing of it, exits 0 and still keeps its state', async () => {
		const file = join(dir, 'usage.jsonl');
		writeFileSync(file, Array.from({length: 200}, (_, i) => usageLine(i + 1, 1, 100, 10)).join(''));
		const cache = join(dir, 'cache');
		const child = spawn(process.execPath, [CLI, 'summary', '--once', '--json', '--cache-dir', cache, '--usage', file], {cwd: dir, env: {...process.env, HOME: join(dir, 'home'), BURN_DEBUG: ''}});
		// The reading end goes away before burn writes a byte: every write of its answer fails (EPIPE).
		child.stdout.destroy();
		let stderr = '';
		child.stderr.on('data', (d) => (stderr += d));
		const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
		expect(stderr).toBe('');
		expect(code).toBe(0);
		expect(existsSync(join(cache, 'summary.v8'))).toBe(true);
		expect(existsSync(join(cache, 'index.json'))).toBe(true);
	});
});
