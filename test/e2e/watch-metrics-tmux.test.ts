/**
 * `burn watch --metrics HOST:PORT` in a real terminal (tmux): /metrics answers while the screen
 * runs, with the totals `burn summary` gives, and follows an append; `q` quits with exit 0 and the
 * port is released.
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {appendFileSync, writeFileSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {runGuid, usageLine} from '../../source/demo/usage-line.js';
import {runCli} from '../helpers/cli.js';
import {freePort, httpGet, until} from '../helpers/serve.js';
import {tempDir} from '../helpers/temp.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux) console.warn('SKIPPED: the tmux test of `burn watch --metrics` needs tmux (`.ci/run` installs it)');

const CLI = resolve('dist/burn.js');
const SOCKET = `burn-metrics-${process.pid}`;
const tmp = tempDir('burn-watch-metrics-');

const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], {encoding: 'utf8'});

function turn(run: number, output: number): string {
	const now = Date.now();
	return (
		usageLine({runId: runGuid(9, run), turn: 1, issue: `MT-${run}`, provider: 'anthropic', model: 'claude-sonnet-4-6', botRole: 'developer', startedAt: now - 20_000, endedAt: now - 2_000, input: 3_000, cacheRead: 30_000, cacheWrite: 800, output}) + '\n'
	);
}

/** Sums the samples whose line starts with `prefix` (a name, or a name and its first labels). */
function sample(body: string, prefix: string): number {
	let sum = 0;
	let seen = false;
	for (const line of body.split('\n')) {
		if (!line.startsWith(prefix)) continue;
		const next = line[prefix.length];
		if (!prefix.includes('{') && next !== '{' && next !== ' ') continue;
		sum += Number(line.slice(line.lastIndexOf(' ') + 1));
		seen = true;
	}
	return seen ? sum : Number.NaN;
}

afterAll(() => {
	if (hasTmux) spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
	tmp.cleanup();
});

describe.skipIf(!hasTmux)('burn watch --metrics in tmux', () => {
	it('serves /metrics while the screen runs', {timeout: 60_000}, async () => {
		const usage = join(tmp.dir, 'usage.jsonl');
		writeFileSync(usage, turn(1, 700) + turn(2, 900));
		const port = await freePort();
		const url = `http://127.0.0.1:${port}/metrics`;
		tmux('new-session', '-d', '-s', 'm', '-x', '80', '-y', '24', 'sh');
		tmux('send-keys', '-t', 'm', `CI=false node ${CLI} watch --usage ${tmp.dir} --no-cache --metrics 127.0.0.1:${port}; echo "watch-exited $?"`, 'Enter');
		const output = () => JSON.parse(runCli(['summary', '--once', '--json', '--no-cache', '--usage', tmp.dir]).stdout).totals.tokens.output.value as number;
		let expected = output();
		await until(async () => (sample((await httpGet(url)).body, 'burn_token_usage_tokens_total{type="output"') === expected ? true : undefined), '/metrics with the totals');
		await until(() => (tmux('capture-pane', '-p', '-t', 'm').includes('MT-2') ? true : undefined), 'the screen');
		appendFileSync(usage, turn(3, 4_000));
		expected = output();
		await until(async () => (sample((await httpGet(url)).body, 'burn_token_usage_tokens_total{type="output"') === expected ? true : undefined), '/metrics after an append');
		const body = (await httpGet(url)).body;
		expect(sample(body, 'burn_cost_usage_USD_total')).toBeCloseTo(JSON.parse(runCli(['summary', '--once', '--json', '--no-cache', '--usage', tmp.dir]).stdout).totals.cost.usd, 6);
		tmux('send-keys', '-t', 'm', 'q');
		await until(() => (tmux('capture-pane', '-p', '-t', 'm').includes('watch-exited 0') ? true : undefined), 'watch exits 0');
		await expect(httpGet(url)).rejects.toThrow();
	});
});
