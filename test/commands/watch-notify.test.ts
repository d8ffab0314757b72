/**
 * `watch --on-flag` with real processes: the built CLI (not a TTY: one evaluation, then the
 * summary) runs the command for a live budget flag; a failing command is reported, not fatal.
 */
import {spawnSync} from 'node:child_process';
import {appendFileSync, existsSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {runCli} from '../helpers/cli.js';
import {CLI, tempDir} from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({dir, cleanup} = tempDir()));
afterEach(() => cleanup());

/** Five Sonnet turns in the last two minutes: $3.15 today, past a $1 day budget. */
function freshUsage(): string {
	const file = join(dir, 'usage.jsonl');
	const lines: string[] = [];
	for (let i = 0; i < 5; i++) {
		const end = new Date(Date.now() - (5 - i) * 20_000).toISOString();
		lines.push(
			JSON.stringify({schemaVersion: 1, recordedAt: end, runID: '0b5b7a40-1f0e-4c55-9d4c-1a2b3c4d5e6f', turn: i + 1, issueIdentifier: 'MT-7', provider: 'claude', model: 'claude-sonnet-4-6', botRole: 'developer', inputTokens: 200_000, outputTokens: 2000, totalTokens: 202_000, usageSource: 'provider_reported', startedAt: new Date(Date.parse(end) - 10_000).toISOString(), endedAt: end}),
		);
	}
	writeFileSync(file, lines.join('\n') + '\n');
	return file;
}

describe('burn watch --on-flag', () => {
	it('runs the command once per raise with the flag as JSON on stdin', () => {
		const usage = freshUsage();
		const out = join(dir, 'flag.json');
		const r = runCli(['watch', '--usage', usage, '--no-cache', '--budget', 'day=1', '--on-flag', `cat >> '${out}'`], {cwd: dir, env: {BURN_STATE_DIR: join(dir, 'state')}});
		expect(r.code).toBe(0);
		const flags = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
		expect(flags).toEqual([expect.objectContaining({kind: 'budget_burn', severity: 'crit', scope: expect.objectContaining({type: 'day'}), reason: 'raised', active: true})]);
		expect(r.stdout).toContain('burn summary');
	});

	it('a failing command is reported on stderr and the exit code stays 0', () => {
		const usage = freshUsage();
		const r = runCli(['watch', '--usage', usage, '--no-cache', '--budget', 'day=1', '--on-flag', 'echo nope >&2; exit 7'], {cwd: dir, env: {BURN_STATE_DIR: join(dir, 'state')}});
		expect(r.code).toBe(0);
		expect(r.stderr).toMatch(/burn: --on-flag "echo nope >&2; exit 7" exited 7: nope \(flag budget_burn:day:/);
	});

	it.skipIf(spawnSync('tmux', ['-V']).status !== 0)('live on a terminal (tmux): a budget crossed while watching runs the command once', async () => {
		const usage = freshUsage(); // $3.15 is 63 % of a $5 day budget: no flag yet
		const out = join(dir, 'flags.jsonl');
		const socket = `burn-notify-${process.pid}`;
		const cmd = `cd '${dir}' && CI=false BURN_STATE_DIR='${join(dir, 'state')}' '${process.execPath}' '${CLI}' watch --usage '${usage}' --no-cache --budget day=5 --notify --on-flag "cat >> '${out}'"`;
		spawnSync('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-x', '100', '-y', '24', cmd]);
		const pane = () => spawnSync('tmux', ['-L', socket, 'capture-pane', '-p'], {encoding: 'utf8'}).stdout;
		const until = async (cond: () => boolean) => {
			for (let i = 0; i < 600 && !cond(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
			return cond();
		};
		try {
			expect(await until(() => pane().includes('● live'))).toBe(true);
			expect(existsSync(out)).toBe(false);
			// Two more turns ($1.26): $4.41 today, past 80 % of $5.
			const lines = readFileSync(usage, 'utf8').trim().split('\n');
			const last = JSON.parse(lines[lines.length - 1]!);
			const more = [6, 7].map((turn) => JSON.stringify({...last, turn, recordedAt: new Date().toISOString(), endedAt: new Date().toISOString()}));
			appendFileSync(usage, more.join('\n') + '\n');
			expect(await until(() => existsSync(out) && readFileSync(out, 'utf8').includes('\n'))).toBe(true);
			const flags = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
			expect(flags).toEqual([expect.objectContaining({kind: 'budget_burn', severity: 'warn', reason: 'raised'})]);
		} finally {
			spawnSync('tmux', ['-L', socket, 'kill-server']);
		}
	});

	it('an empty --on-flag is a usage error', () => {
		const r = runCli(['watch', '--on-flag', ' ', '--usage', freshUsage()], {cwd: dir});
		expect(r.code).toBe(2);
	});
});
