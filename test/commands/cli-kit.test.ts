/**
 * The shared prologue and the one exit path, through the built CLI: help, unknown flags, flags
 * missing their value, and paths as typed (`~`), the same in every command.
 */
import {existsSync, mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {runCli} from '../helpers/cli.js';
import {FIXTURES, tempDir} from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
	({dir, cleanup} = tempDir());
	mkdirSync(join(dir, 'home'));
	mkdirSync(join(dir, 'work'));
	env = {HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'home', '.config'), XDG_CACHE_HOME: join(dir, 'home', '.cache'), BURN_CACHE_DIR: ''};
});
afterEach(() => cleanup());

const cli = (args: string[]) => runCli(args, {cwd: join(dir, 'work'), env});
const USAGE = join(FIXTURES, 'symphony', 'valid.jsonl');

describe('help', () => {
	it('burn, burn -h, burn --help and burn help print the top-level help with an exit-code section', () => {
		for (const args of [[], ['-h'], ['--help'], ['help']]) {
			const r = cli(args);
			expect(r.code, args.join(' ')).toBe(0);
			expect(r.stdout).toContain('Usage');
			expect(r.stdout).toContain('Exit codes');
			expect(r.stdout).toMatch(/^\s+2\s+Bad usage/m);
			expect(r.stdout).toMatch(/^\s+3\s+A flag at or above --fail-on/m);
			expect(r.stderr).toBe('');
		}
	});

	it('burn help <command>, burn <command> -h and --help print that command\'s help', () => {
		for (const command of ['watch', 'summary', 'prices', 'backfill', 'validate', 'sources']) {
			const outputs = [['help', command], [command, '-h'], [command, '--help']].map((args) => cli(args));
			for (const r of outputs) {
				expect(r.code).toBe(0);
				expect(r.stdout).toContain(`$ burn ${command}`);
			}
			expect(outputs[1]!.stdout).toBe(outputs[0]!.stdout);
		}
	});

	it('an unknown command or help topic is a usage error with a did-you-mean', () => {
		const r = cli(['sumary']);
		expect(r.code).toBe(2);
		expect(r.stderr).toContain('burn: unknown command "sumary"');
		expect(r.stderr).toContain('did you mean "burn summary"?');
		expect(cli(['help', 'nope']).code).toBe(2);
	});
});

describe('flags', () => {
	it.each([
		[['summary', '--frobnicate'], 'burn: unknown flag --frobnicate', null],
		[['summary', '--usge', USAGE], 'burn: unknown flag --usge', 'did you mean --usage?'],
		[['watch', '--cache-dri', 'x'], 'burn: unknown flag --cache-dri', 'did you mean --cache-dir?'],
		[['sources', '--claude', 'x'], 'burn: unknown flag --claude', 'did you mean --claude-dir?'],
		[['validate', '-x', USAGE], 'burn: unknown flag -x', null],
	])('%j is a usage error naming the flag', (args, message, hint) => {
		const r = cli(args);
		expect(r.code).toBe(2);
		expect(r.stdout).toBe('');
		expect(r.stderr).toContain(message);
		expect(r.stderr).toContain(`hint: ${hint ?? ''}`);
		expect(r.stderr).toContain('--help lists every flag');
	});

	it.each([
		[['summary', '--usage']],
		[['summary', '--usage', '--json']],
		[['summary', '--claude-dir', '--by', 'model']],
		[['summary', '--by']],
		[['summary', '--prices', '--json']],
		[['summary', '--width']],
		[['sources', '--codex-dir=']],
		[['backfill', '--out']],
		[['watch', '--cache-dir']],
	])('%j: a flag that needs a value and gets none is a usage error, not dropped', (args) => {
		const r = cli(args);
		expect(r.code).toBe(2);
		const flag = args.find((a) => a.startsWith('--') && (a === args.at(-1) || args[args.indexOf(a) + 1]!.startsWith('--') || a.endsWith('=')))!.replace(/=$/, '');
		expect(r.stderr).toContain(`burn: ${flag} needs a`);
		expect(r.stdout).toBe('');
	});

	it('a switch given a value is a usage error', () => {
		const r = cli(['summary', '--json=yes']);
		expect(r.code).toBe(2);
		expect(r.stderr).toContain('burn: --json takes no value');
		expect(r.stderr).toContain('hint: write --json or --no-json');
	});

	it('values that look like flags are still values where they cannot be flags', () => {
		const r = cli(['summary', '--once', '--usage', USAGE, '--no-cache', '--json', '--', '--not-a-flag']);
		expect(r.code).toBe(0);
		expect(JSON.parse(r.stdout).totals.records).toBeGreaterThan(0);
	});
});

describe('paths as typed', () => {
	it('--config and --prices take "~/..." from $HOME too', () => {
		writeFileSync(join(dir, 'home', 'burn.yaml'), 'flags:\n  budget: {issue: 0.000001}\n');
		writeFileSync(join(dir, 'home', 'prices.yaml'), 'models:\n  corp-llm: {provider: other, input: 1, output: 2}\n');
		const r = cli(['summary', '--once', '--usage', USAGE, '--no-cache', '--json', '--config', '~/burn.yaml', '--prices', '~/prices.yaml']);
		expect(r.code).toBe(0);
		const doc = JSON.parse(r.stdout);
		expect(doc.pricing.sheets).toEqual([join(dir, 'home', 'prices.yaml')]);
		expect(doc.flags.some((f: {kind: string}) => f.kind === 'budget_burn')).toBe(true);
	});

	it('watch --cache-dir "~/c" uses $HOME/c like summary, never a literal ./~/c', () => {
		const watch = cli(['watch', '--usage', USAGE, '--cache-dir', '~/c']);
		expect(watch.code).toBe(0);
		expect(existsSync(join(dir, 'home', 'c', 'index.json'))).toBe(true);
		expect(existsSync(join(dir, 'work', '~'))).toBe(false);
		const summary = cli(['summary', '--once', '--usage', USAGE, '--cache-dir', '~/d']);
		expect(summary.code).toBe(0);
		expect(existsSync(join(dir, 'home', 'd', 'index.json'))).toBe(true);
		expect(existsSync(join(dir, 'work', '~'))).toBe(false);
	});
});

describe('stderr', () => {
	it('never carries control characters or escape sequences from what the user or a file gave', () => {
		const r = cli(['summary', '--once', '--usage', 'evil\u001b[2J\u0007name.jsonl']);
		expect(r.code).toBe(2);
		expect(r.stderr).toContain('burn: --usage evilname.jsonl: no such file or directory');
		expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
	});
});

describe('filters that remove everything', () => {
	it.each([
		[['--issue', 'MT-999'], 'No records match --issue MT-999.'],
		[['--since', '2099-01-01'], 'No records match --since 2099-01-01T00:00:00.000Z.'],
	])('%j says what it removed, not "No usage data found"', (filter, message) => {
		const r = cli(['summary', '--once', '--usage', USAGE, '--no-cache', ...filter]);
		expect(r.code).toBe(0);
		expect(r.stdout).toContain(message);
		expect(r.stdout).toMatch(/\d+ records? read from 1 file \(symphony\); the filters removed all of them\./);
		expect(r.stdout).not.toContain('No usage data found');
	});
});

