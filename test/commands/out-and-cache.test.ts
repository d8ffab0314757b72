/**
 * Files burn writes on the user's behalf: `backfill --out` never appends to a file of another kind
 * and reports an unwritable path as a usage error; an unusable cache dir or index (a FIFO, a
 * symlink to /dev/zero, /proc/nope) fails fast and burn goes on without the index, with a notice.
 */
import {spawnSync} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {runCli} from '../helpers/cli.js';
import {CLI, copyFixture, FIXTURES, tempDir} from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
let env: NodeJS.ProcessEnv;
let claude: string;
beforeEach(() => {
	({dir, cleanup} = tempDir());
	env = {HOME: dir, XDG_CONFIG_HOME: join(dir, '.config'), BURN_CACHE_DIR: join(dir, 'cache')};
	claude = copyFixture('claude/home', dir, 'claude-home');
});
afterEach(() => cleanup());

const cli = (args: string[]) => runCli(args, {cwd: dir, env});
const USAGE = join(FIXTURES, 'symphony', 'valid.jsonl');

describe('backfill --out', () => {
	it('refuses a file that is not a usage.jsonl and leaves it untouched', () => {
		const readme = join(dir, 'README.md');
		const text = '# notes\n\nsome text without a final newline';
		writeFileSync(readme, text);
		const r = cli(['backfill', '--out', readme, '--claude-dir', claude]);
		expect(r.code).toBe(2);
		expect(r.stderr).toContain(`burn: --out ${readme} is not a usage.jsonl`);
		expect(readFileSync(readme, 'utf8')).toBe(text);
	});

	it('writes a new file, an empty one, and extends its own output', () => {
		const out = join(dir, 'hist', 'usage.jsonl');
		expect(cli(['backfill', '--out', out, '--claude-dir', claude]).code).toBe(0);
		// recordedAt is the time of writing: compare the records without it.
		const records = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => ({...JSON.parse(l), recordedAt: null}));
		const first = records(out);
		expect(first.length).toBeGreaterThan(0);
		expect(cli(['backfill', '--out', out, '--claude-dir', claude]).code).toBe(0);
		expect(records(out)).toEqual(first);
		const empty = join(dir, 'empty.jsonl');
		writeFileSync(empty, '');
		expect(cli(['backfill', '--out', empty, '--claude-dir', claude]).code).toBe(0);
		expect(records(empty)).toEqual(first);
	});

	it('an unwritable path is a usage error, not an unexpected failure', () => {
		writeFileSync(join(dir, 'file'), 'x');
		const under = cli(['backfill', '--out', join(dir, 'file', 'usage.jsonl'), '--claude-dir', claude]);
		expect(under.code).toBe(2);
		expect(under.stderr).toContain('cannot write there (a parent is not a directory)');
		const proc = cli(['backfill', '--out', '/proc/nope/usage.jsonl', '--claude-dir', claude]);
		expect(proc.code).toBe(2);
		expect(proc.stderr).toContain('burn: --out /proc/nope/usage.jsonl: cannot write there');
		expect(proc.stderr).not.toContain('unexpected failure');
	});

	it('a directory the user cannot write to is reported as such', () => {
		const locked = join(dir, 'locked');
		mkdirSync(locked, {mode: 0o755});
		chmodSync(dir, 0o755);
		chmodSync(claude, 0o755);
		const asRoot = process.getuid?.() === 0;
		if (asRoot) spawnSync('chmod', ['-R', 'a+rX', claude]);
		else chmodSync(locked, 0o555);
		const r = spawnSync(process.execPath, [CLI, 'backfill', '--out', join(locked, 'usage.jsonl'), '--claude-dir', claude], {
			cwd: dir,
			env: {...env, PATH: process.env.PATH},
			encoding: 'utf8',
			// Root writes anywhere: run as nobody then (CI runs as root); the dir stays root's.
			...(asRoot ? {uid: 65534, gid: 65534} : {}),
		});
		chmodSync(locked, 0o755);
		expect(r.status).toBe(2);
		expect(r.stderr).toContain(`burn: --out ${join(locked, 'usage.jsonl')}: cannot write there (permission denied)`);
	});
});

describe('cache dir and index', () => {
	it.each(['summary', 'watch'])('%s: an unusable cache dir is a notice, and the answer comes without the index', (command) => {
		const args = command === 'summary' ? ['summary', '--once', '--usage', USAGE, '--json'] : ['watch', '--usage', USAGE];
		const plain = cli([...args, '--no-cache']);
		const r = cli([...args, '--cache-dir', '/proc/nope']);
		expect(r.code).toBe(0);
		expect(r.stderr).toContain('burn: cache dir /proc/nope cannot be used');
		if (command === 'summary') expect(JSON.parse(r.stdout).totals).toEqual(JSON.parse(plain.stdout).totals);
	});

	it('an index that is a FIFO or a symlink to /dev/zero is not read', () => {
		const fifoDir = join(dir, 'c1');
		mkdirSync(fifoDir);
		expect(spawnSync('mkfifo', [join(fifoDir, 'index.json')]).status).toBe(0);
		const fifo = cli(['summary', '--once', '--usage', USAGE, '--json', '--cache-dir', fifoDir]);
		expect(fifo.code).toBe(0);
		expect(fifo.stderr).toContain(`burn: index ${join(fifoDir, 'index.json')} is not a regular file (a FIFO); reading without the index`);
		expect(JSON.parse(fifo.stdout).totals.records).toBeGreaterThan(0);

		const zeroDir = join(dir, 'c2');
		mkdirSync(zeroDir);
		symlinkSync('/dev/zero', join(zeroDir, 'index.json'));
		const zero = cli(['summary', '--once', '--usage', USAGE, '--json', '--cache-dir', zeroDir]);
		expect(zero.code).toBe(0);
		expect(zero.stderr).toContain('is not a regular file (a device); reading without the index');
		// Not replaced either: burn wrote no index over what the user had there.
		expect(existsSync(join(zeroDir, 'index.json'))).toBe(true);
	});
});
