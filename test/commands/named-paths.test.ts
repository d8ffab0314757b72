/**
 * Paths named on the command line are read as named or not at all (issue 16): a missing one, an
 * unreadable directory, a FIFO, a symlink to a file of another kind, a --usage directory without
 * usage files: each is exit 2 naming the path, never "No usage data found".
 */
import {spawnSync} from 'node:child_process';
import {chmodSync, mkdirSync, symlinkSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {runCli} from '../helpers/cli.js';
import {CLI, FIXTURES, tempDir} from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
	({dir, cleanup} = tempDir());
	env = {HOME: dir, XDG_CONFIG_HOME: join(dir, '.config'), BURN_CACHE_DIR: join(dir, 'cache')};
});
afterEach(() => cleanup());

const cli = (args: string[]) => runCli(args, {cwd: dir, env});

function mkfifo(path: string): void {
	const r = spawnSync('mkfifo', [path]);
	if (r.status !== 0) throw new Error(`mkfifo failed: ${r.stderr}`);
}

describe('named paths', () => {
	it.each([
		['summary', '--usage', 'nope.jsonl'],
		['summary', '--claude-dir', 'nope'],
		['sources', '--codex-dir', 'nope'],
		['backfill', '--gemini-dir', 'nope'],
		['watch', '--usage', 'nope'],
	])('burn %s %s %s (missing) exits 2 naming it', (command, flag, name) => {
		const args = [command, flag, name, ...(command === 'backfill' ? ['--out', join(dir, 'usage.jsonl')] : [])];
		const r = cli(args);
		expect(r.code).toBe(2);
		expect(r.stderr).toContain(`burn: ${flag} ${name}: no such file or directory`);
		expect(r.stdout).not.toContain('No usage data found');
	});

	it('an unreadable directory is reported as unreadable, not as empty', () => {
		const locked = join(dir, 'locked');
		mkdirSync(locked);
		chmodSync(locked, 0o000);
		chmodSync(dir, 0o755);
		// Root reads any directory: run the CLI as nobody then (CI runs as root).
		const asRoot = process.getuid?.() === 0;
		const r = spawnSync(process.execPath, [CLI, 'summary', '--once', '--claude-dir', locked, '--no-cache'], {
			cwd: dir,
			env: {...env, PATH: process.env.PATH},
			encoding: 'utf8',
			...(asRoot ? {uid: 65534, gid: 65534} : {}),
		});
		chmodSync(locked, 0o755);
		expect(r.status).toBe(2);
		expect(r.stderr).toContain(`burn: --claude-dir ${locked}: cannot read the directory (permission denied)`);
		expect(r.stdout).toBe('');
	});

	it('a --usage directory whose files are not usage*.jsonl says so', () => {
		const d = join(dir, 'telemetry');
		mkdirSync(d);
		writeFileSync(join(d, 'events.jsonl'), '{}\n');
		writeFileSync(join(d, 'notes.txt'), 'hello\n');
		const r = cli(['summary', '--once', '--usage', d]);
		expect(r.code).toBe(2);
		expect(r.stderr).toContain(`--usage ${d}: no usage*.jsonl or usage*.jsonl.gz files in it (2 other files: events.jsonl, notes.txt)`);
		// An empty directory is not an error: nothing has been written yet.
		mkdirSync(join(dir, 'fresh'));
		expect(cli(['summary', '--once', '--usage', join(dir, 'fresh')]).code).toBe(0);
	});

	it('a named symlink to a file of another kind is not followed', () => {
		writeFileSync(join(dir, 'passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
		symlinkSync(join(dir, 'passwd'), join(dir, 'x.jsonl'));
		const r = cli(['summary', '--once', '--usage', 'x.jsonl', '--json']);
		expect(r.code).toBe(2);
		expect(r.stdout).toBe('');
		expect(r.stderr).toContain(`burn: --usage x.jsonl is a symlink to ${join(dir, 'passwd')}, which is not a .jsonl file; not read`);
		expect(r.stderr).not.toContain('root:x');
		// A symlink to a usage file is fine.
		symlinkSync(join(FIXTURES, 'symphony', 'valid.jsonl'), join(dir, 'usage.jsonl'));
		const ok = cli(['summary', '--once', '--usage', 'usage.jsonl', '--json']);
		expect(ok.code).toBe(0);
		expect(JSON.parse(ok.stdout).totals.records).toBeGreaterThan(0);
	});

	it('a named FIFO is refused by name, in summary and in validate', () => {
		const fifo = join(dir, 'usage.jsonl');
		mkfifo(fifo);
		const r = cli(['summary', '--once', '--usage', fifo]);
		expect(r.code).toBe(2);
		expect(r.stderr).toContain(`burn: --usage ${fifo} is a FIFO; not read`);
		const v = cli(['validate', fifo]);
		expect(v.code).toBe(2);
		expect(v.stderr).toContain(`burn: ${fifo} is a FIFO; validate reads files`);
		expect(v.stderr).not.toContain('unexpected failure');
	});

	it('problem reasons quote at most a short, sanitized excerpt of the bad line', () => {
		const file = join(dir, 'usage.jsonl');
		writeFileSync(file, `\u001b[2J\u0007${'root:x:0:0:'.repeat(50)}\n`);
		const r = cli(['summary', '--once', '--usage', file, '--json']);
		expect(r.code).toBe(0);
		const items = JSON.parse(r.stdout).problems.items as Array<{reason: string}>;
		expect(items.length).toBe(1);
		expect(items[0]!.reason.length).toBeLessThanOrEqual(80);
		expect(items[0]!.reason).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
		expect(items[0]!.reason).not.toContain('root:x:0:0:root');
	});
});
