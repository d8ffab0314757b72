import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {runSources} from '../../source/commands/sources.js';
import type {SourcesJson} from '../../source/core/sources-report.js';
import {FIXTURES, tempDir} from '../sources/helpers.js';

const CLAUDE_HOME = path.join(FIXTURES, 'claude', 'home');
const CODEX_HOME = path.join(FIXTURES, 'codex', 'home');
const CLI = path.resolve(import.meta.dirname, '../../dist/cli.js');

async function run(argv: string[], home: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
	let out = '';
	const stdout = {write: (s: string) => ((out += s), true)} as unknown as NodeJS.WritableStream;
	const code = await runSources({argv, env: {HOME: home, ...env}, cwd: tempDir(), stdout, now: new Date('2026-11-01T00:00:00Z')});
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
		// From the counted copies: msg_A1's partial line at 09:14:05.002 is superseded by its final one.
		expect(main.range).toEqual({from: '2026-10-02T09:14:06.410Z', to: '2026-10-02T12:00:00.000Z'});
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

	it('the built CLI runs `sources` (exit 0) and rejects a bad --issue-pattern (exit 2)', () => {
		if (!fs.existsSync(CLI)) return; // built by `npm test` before vitest
		const env = {...process.env, HOME: CODEX_HOME, CODEX_HOME: '', CLAUDE_CONFIG_DIR: ''};
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
});
