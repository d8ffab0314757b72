/**
 * Issue 13, item 6: history survives the agents' clean-up. Real files in a temp dir, the same
 * cache dir across runs: delete some transcripts and the counts stay; `burn sources` shows them
 * gone from disk; `burn forget --gone` drops them; a truncated file still retracts.
 */
import {cpSync, mkdirSync, readFileSync, unlinkSync, writeFileSync} from 'node:fs';
import {basename, join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {runForget} from '../../source/commands/forget.js';
import {collectSources} from '../../source/commands/sources.js';
import {sourcesLines} from '../../source/core/sources-report.js';
import {loadIndex} from '../../source/ingest/index-store.js';
import {collectSummary, readOnce} from '../../source/ingest/read-once.js';
import {claudeSource} from '../../source/sources/claude.js';
import {claudeDefinition} from '../../source/sources/claude-definition.js';
import {runCli} from '../helpers/cli.js';
import {FIXTURES, tempDir} from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({dir, cleanup} = tempDir()));
afterEach(() => cleanup());

const session = (i: number) => `7d4a0000-0000-4000-8000-00000000000${i}.jsonl`;

function setUp() {
	const projects = join(dir, 'claude', 'projects');
	cpSync(join(FIXTURES, 'claude', 'history', '.claude', 'projects'), projects, {recursive: true});
	const project = join(projects, '-home-dev-acme-api');
	const cache = join(dir, 'cache');
	const discovery = (flags: Record<string, string[]> = {claudeDir: [projects]}) => ({cwd: dir, home: join(dir, 'home'), env: {}, flags});
	const totals = async (flags?: Record<string, string[]>) => {
		const {doc} = await collectSummary({discovery: discovery(flags), cacheDir: cache});
		return {records: doc.totals.records, input: doc.totals.tokens.input!.value, output: doc.totals.tokens.output!.value};
	};
	const gone = async () => (await collectSources({discovery: discovery(), cacheDir: cache})).doc.roots.find((r) => r.kind === 'claude')!;
	return {projects, project, cache, totals, gone, discovery};
}

describe('history that survives the agents’ clean-up', () => {
	it('deleted files keep counting, show as gone, and go only with forget --gone; a truncated file retracts', async () => {
		const {projects, project, cache, totals, gone} = setUp();
		const all = {records: 15, input: 46545, output: 300};
		expect(await totals()).toEqual(all);

		// Claude Code's clean-up deletes sessions 4 and 5.
		unlinkSync(join(project, session(4)));
		unlinkSync(join(project, session(5)));
		expect(await totals()).toEqual(all);
		expect(await totals()).toEqual(all); // and again, from an index that now marks them gone
		const root = await gone();
		expect(root.gone).toEqual({files: 2, records: 6});
		expect(root.files).toBe(3);
		expect(sourcesLines({schema: 'burn.sources/1', generatedAt: '', explicit: true, roots: [root], missing: []}).join('\n')).toContain(
			'gone from disk: 2 files · 6 records, still counted (burn forget --gone drops them)',
		);
		expect([...loadIndex(cache).index!.files()].filter((f) => f.gone).map((f) => basename(f.path))).toEqual([session(4), session(5)]);

		// A run over other sources with the same cache dir does not lose them.
		mkdirSync(join(dir, 'codex'), {recursive: true});
		await totals({codexDir: [join(dir, 'codex')]});
		expect(await totals()).toEqual(all);

		// Session 1 rewritten shorter (its last message gone): that message is retracted.
		const lines = readFileSync(join(project, session(1)), 'utf8').split('\n');
		writeFileSync(join(project, session(1)), lines.slice(0, 3).join('\n') + '\n');
		expect(await totals()).toEqual({records: 14, input: 46545 - 1101, output: 270});

		// forget --gone drops the deleted sessions (12,312 + 15,315 input, 120 output).
		let out = '';
		const stdout = {write: (s: string) => ((out += s), true)} as unknown as NodeJS.WritableStream;
		expect(await runForget({argv: ['--gone', '--claude-dir', projects, '--cache-dir', cache], env: {HOME: join(dir, 'home')}, cwd: dir, stdout})).toBe(0);
		expect(out).toContain('Forgot 2 files gone from disk (6 records)');
		expect(await totals()).toEqual({records: 8, input: 46545 - 1101 - 12312 - 15315, output: 150});
		expect((await gone()).gone).toEqual({files: 0, records: 0});
		out = '';
		await runForget({argv: ['--gone', '--claude-dir', projects, '--cache-dir', cache], env: {HOME: join(dir, 'home')}, cwd: dir, stdout});
		expect(out).toContain('Nothing to forget');
	});

	it('forget --gone drops only what is under the sources named', async () => {
		const {project, cache, totals} = setUp();
		await totals();
		unlinkSync(join(project, session(2)));
		const other = join(dir, 'other', 'projects');
		mkdirSync(other, {recursive: true});
		let out = '';
		const stdout = {write: (s: string) => ((out += s), true)} as unknown as NodeJS.WritableStream;
		await runForget({argv: ['--gone', '--json', '--claude-dir', other, '--cache-dir', cache], env: {HOME: join(dir, 'home')}, cwd: dir, stdout});
		expect(JSON.parse(out)).toEqual({forgotten: {files: 0, records: 0}, paths: []});
		expect(await totals()).toEqual({records: 15, input: 46545, output: 300});
	});

	it('a gone file keeps its records across a parser upgrade (it cannot be read again)', async () => {
		const {projects, project, cache, discovery} = setUp();
		const withVersion = (parserVersion: number) => [{...claudeDefinition, readerFor: () => ({type: 'lines' as const, source: {...claudeSource, parserVersion}})}];
		const read = async (version: number) => {
			const engine = await readOnce({discovery: discovery({claudeDir: [projects]}), cacheDir: cache, sources: withVersion(version)});
			return {records: engine.ledger.totals.records, restored: engine.stats.restoredFiles};
		};
		expect(await read(1)).toEqual({records: 15, restored: 0});
		unlinkSync(join(project, session(3)));
		// Version 2 re-reads the four files still on disk and keeps session 3 from version 1's entry.
		expect(await read(2)).toEqual({records: 15, restored: 1});
		expect(await read(2)).toEqual({records: 15, restored: 5});
	});

	it('the CLI: forget --help, and forget without --gone or with --no-cache is a usage error', () => {
		const help = runCli(['forget', '--help']);
		expect(help.code).toBe(0);
		expect(help.stdout).toContain('--gone');
		expect(help.stdout).toContain('--cache-dir');
		expect(help.stdout).toContain('--claude-dir');
		const bare = runCli(['forget'], {cwd: dir, env: {HOME: dir}});
		expect(bare.code).toBe(2);
		expect(bare.stderr).toContain('say what to forget');
		const noCache = runCli(['forget', '--gone', '--no-cache'], {cwd: dir, env: {HOME: dir}});
		expect(noCache.code).toBe(2);
		expect(runCli(['--help']).stdout).toContain('forget --gone');
	});
});
