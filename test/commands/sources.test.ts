import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {collectSources, runSources} from '../../source/commands/sources.js';
import type {SourcesJson} from '../../source/core/sources-report.js';
import {usageLine} from '../helpers/records.js';
import {FIXTURES, tempDir} from '../sources/helpers.js';

const CLAUDE_HOME = path.join(FIXTURES, 'claude', 'home');
const CODEX_HOME = path.join(FIXTURES, 'codex', 'home');
const CLI = path.resolve(import.meta.dirname, '../../dist/burn.js');

async function run(argv: string[], home: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
	let out = '';
	const stdout = {write: (s: string) => ((out += s), true)} as unknown as NodeJS.WritableStream;
	// The index goes to a temp dir, not into the fixture's home.
	const code = await runSources({argv, env: {HOME: home, BURN_CACHE_DIR: tempDir(), ...env}, cwd: tempDir(), stdout, now: new Date('2026-11-01T00:00:00Z')});
	expect(code).toBe(0);
	return out;
}

describe('burn sources', () => {
	it('--json: per root files, records, problems, fidelity and time range; missing defaults listed', async () => {
		const doc = JSON.parse(await run(['--json'], CLAUDE_HOME)) as SourcesJson;
		expect(doc.schema).toBe('burn.sources/1');
		expect(doc.explicit).toBe(false);
		const main = doc.roots.find((r) => r.path === path.join(CLAUDE_HOME, '.claude', 'projects'))!;
		expect(main).toMatchObject({kind: 'claude', via: 'default', explicit: false, files: 4, recordsRead: 11, records: 7, problems: 1});
		expect(main.fidelity.byClass).toMatchObject({full: 6, 'usage-only': 1});
		expect(main.range).toEqual({from: '2026-10-02T09:14:05.002Z', to: '2026-10-02T12:00:00.000Z'});
		expect(main.sampleProblems[0]).toMatchObject({kind: 'malformed-json', line: 11});
		expect(doc.roots.filter((r) => r.kind === 'claude')).toHaveLength(2);
		expect(doc.missing.filter((m) => m.kind === 'codex').map((m) => path.basename(m.path))).toEqual(['sessions', 'archived_sessions']);
	});

	it('an explicit source flag turns default discovery off', async () => {
		const doc = JSON.parse(await run(['--json', '--codex-dir', path.join(CODEX_HOME, '.codex')], CLAUDE_HOME)) as SourcesJson;
		expect(doc.explicit).toBe(true);
		expect(doc.roots.map((r) => [r.kind, path.basename(r.path), r.via, r.records])).toEqual([
			['codex', 'sessions', '--codex-dir', 8],
			['codex', 'archived_sessions', '--codex-dir', 3],
		]);
		expect(doc.missing).toEqual([]);
	});

	it('text: one block per source and root, then what was not found', async () => {
		const text = await run(['--width', '120'], CODEX_HOME);
		expect(text).toContain('Codex rollouts (codex)');
		expect(text).toContain(`${path.join(CODEX_HOME, '.codex', 'sessions')}  [default]`);
		expect(text).toContain('5 files');
		expect(text).toContain('range: 2025-09-10T08:00:05Z → 2026-10-02T13:00:10Z');
		expect(text).toContain('Not found');
		expect(text.split('\n').every((l) => l.length <= 120)).toBe(true);
	});

	it('names fidelity in the summary words: an unavailable record is partial in both, its counts unavailable in both', async () => {
		const dir = tempDir();
		const file = path.join(dir, 'usage.jsonl');
		const rec = (turn: number, usageSource: string, tokens: number | null) =>
			usageLine(9, turn, tokens as number, tokens as number, {usageSource, totalTokens: tokens === null ? null : 2 * tokens}).trimEnd();
		fs.writeFileSync(file, [rec(1, 'provider_reported', 10), rec(2, 'estimated', 10), rec(3, 'unavailable', null)].join('\n') + '\n');
		const text = await run(['--usage', file, '--width', '200'], dir);
		expect(text).toContain('    fidelity: 2 usage-only · 1 partial\n');
		expect(text).toContain('    token counts: 1 provider-reported · 1 estimated · 1 unavailable\n');
		const doc = JSON.parse(await run(['--usage', file, '--json'], dir)) as SourcesJson;
		expect(doc.roots[0]!.fidelity.usageSource).toEqual({provider_reported: 1, estimated: 1, unavailable: 1});
		// At 40 columns the lines wrap under their indent: the counts at their ends stay.
		const narrow = await run(['--usage', file, '--width', '40'], dir);
		for (const line of narrow.split('\n')) expect(Array.from(line).length).toBeLessThanOrEqual(40);
		expect(narrow.replace(/\s+/g, ' ')).toContain('token counts: 1 provider-reported · 1 estimated · 1 unavailable');
		const summary = execFileSync('node', [CLI, 'summary', '--once', '--usage', file, '--width', '200'], {env: {...process.env, HOME: dir, BURN_CACHE_DIR: tempDir()}, cwd: dir, encoding: 'utf8'});
		expect(summary).toContain('Fidelity: 2 usage-only · 1 partial\n');
		expect(summary).toContain('Token counts: 1 provider-reported · 1 estimated · 1 unavailable\n');
	});

	it('the built CLI runs `sources` (exit 0) and rejects a bad --issue-pattern (exit 2)', () => {
		if (!fs.existsSync(CLI)) return; // built by `npm test` before vitest
		const env = {...process.env, HOME: CODEX_HOME, CODEX_HOME: '', CLAUDE_CONFIG_DIR: '', BURN_CACHE_DIR: tempDir()};
		const out = execFileSync('node', [CLI, 'sources', '--json'], {env, cwd: tempDir(), encoding: 'utf8'});
		expect((JSON.parse(out) as SourcesJson).roots.some((r) => r.kind === 'codex')).toBe(true);
		let code = 0;
		try {
			execFileSync('node', [CLI, 'sources', '--issue-pattern', 'no-group'], {env, cwd: tempDir(), stdio: 'pipe'});
		} catch (error) {
			code = (error as {status: number}).status;
		}
		expect(code).toBe(2);
	});

	it('reads through the engine and its index: a second run with one cache dir reads no source bytes and prints the same document', async () => {
		const cacheDir = tempDir();
		const now = new Date('2026-11-01T00:00:00Z');
		// Claude and Codex fixtures under one home: line files, a `.gz`-free tree, problems and dedup.
		const home = tempDir();
		fs.cpSync(path.join(CLAUDE_HOME, '.claude'), path.join(home, '.claude'), {recursive: true});
		fs.cpSync(path.join(CODEX_HOME, '.codex'), path.join(home, '.codex'), {recursive: true});
		const discovery = {cwd: tempDir(), home, env: {HOME: home}, flags: {}};
		const cold = await collectSources({discovery, cacheDir, now});
		const warm = await collectSources({discovery, cacheDir, now});
		const files = cold.doc.roots.reduce((n, r) => n + r.files, 0);
		expect(files).toBeGreaterThan(5);
		expect(cold.read.bytesRead).toBeGreaterThan(0);
		expect(cold.read.restoredFiles).toBe(0);
		expect(warm.read.bytesRead).toBe(0);
		expect(warm.read.restoredFiles).toBe(files);
		expect(JSON.stringify(warm.doc, null, 2)).toBe(JSON.stringify(cold.doc, null, 2));
		// And the same as a read with no index at all.
		const uncached = await collectSources({discovery, cacheDir: null, now});
		expect(uncached.doc).toEqual(cold.doc);
	});
});
