/**
 * `burn serve` as a process: /healthz and /metrics over HTTP, problems logged one per line on
 * stderr as they appear, SIGINT exits 0, bad flags and a taken port exit 2 with a hint, and
 * --on-flag runs its command for a flag raised while serving (the same notifier as watch), and
 * the statusline's quota windows reach /metrics.
 */
import {appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {runCli} from '../helpers/cli.js';
import {httpGet, killAll, startServe, until} from '../helpers/serve.js';
import {copyFixture, tempDir} from '../helpers/temp.js';

const tmp = tempDir('burn-serve-');

afterAll(() => {
	killAll();
	tmp.cleanup();
});

describe('burn serve', () => {
	it('serves /healthz and /metrics, logs each problem once, exits 0 on SIGINT', async () => {
		const dir = join(tmp.dir, 'problems');
		const file = copyFixture('symphony/problems.jsonl', dir, 'usage.jsonl');
		const served = await startServe(['--usage', dir, '--no-cache', '--metrics', '127.0.0.1:0']);
		const base = `http://127.0.0.1:${served.port}`;
		const health = await until(async () => {
			const r = await httpGet(`${base}/healthz`);
			return r.status === 200 ? r : undefined;
		}, 'healthz 200');
		expect(JSON.parse(health.body)).toMatchObject({status: 'ok'});
		const metrics = await httpGet(`${base}/metrics`);
		expect(metrics.status).toBe(200);
		expect(metrics.body).toContain('# TYPE burn_token_usage_tokens_total counter');
		expect(metrics.body).toMatch(/^burn_engine_ready 1$/m);
		expect(metrics.body).toMatch(/^burn_source_problems\{source="symphony",path="[^"]+"\} [1-9]/m);
		expect((await httpGet(`${base}/nothing`)).status).toBe(404);
		const problems = () => served.stderr().split('\n').filter((l) => l.startsWith('burn serve: problem: '));
		const first = await until(() => (problems().length > 0 ? problems() : undefined), 'problem lines');
		expect(first.every((l) => l.includes(file))).toBe(true);
		// A new bad line is one more line; the old ones are not repeated.
		appendFileSync(file, '{"schemaVersion":1, broken\n');
		await until(() => (problems().length === first.length + 1 ? true : undefined), 'one new problem line');
		expect(new Set(problems()).size).toBe(problems().length);
		served.child.kill('SIGINT');
		expect(await served.exited).toBe(0);
	});

	it.each([
		[['--metrics', 'nope'], /HOST:PORT/],
		[['--labels', 'model'], /issue and run/],
		[['--otlp', '--otlp-temporality', 'sideways'], /cumulative or delta/],
		[['--otlp-interval', '10s'], /go with --otlp/],
	])('serve %j exits 2', (args, message) => {
		const r = runCli(['serve', '--no-cache', '--usage', tmp.dir, ...args]);
		expect(r.code).toBe(2);
		expect(r.stderr).toMatch(message);
	});

	it('a port already taken exits 2 with a hint', async () => {
		const served = await startServe(['--usage', tmp.dir, '--no-cache', '--metrics', '127.0.0.1:0']);
		const r = runCli(['serve', '--no-cache', '--usage', tmp.dir, '--metrics', `127.0.0.1:${served.port}`]);
		expect(r.code).toBe(2);
		expect(r.stderr).toMatch(/EADDRINUSE/);
		expect(r.stderr).toMatch(/hint: .*port 0/);
		served.child.kill('SIGTERM');
		expect(await served.exited).toBe(0);
	});
	it('--on-flag runs the command once for a budget crossed while serving', async () => {
		const dir = join(tmp.dir, 'on-flag');
		const usage = join(dir, 'usage.jsonl');
		const out = join(dir, 'flags.jsonl');
		const turn = (n: number) => {
			const end = new Date(Date.now() - (10 - n) * 10_000).toISOString();
			return JSON.stringify({schemaVersion: 1, recordedAt: end, runID: '0b5b7a40-1f0e-4c55-9d4c-1a2b3c4d5e6f', turn: n, issueIdentifier: 'MT-7', provider: 'claude', model: 'claude-sonnet-4-6', botRole: 'developer', inputTokens: 200_000, outputTokens: 2000, totalTokens: 202_000, usageSource: 'provider_reported', startedAt: new Date(Date.parse(end) - 5_000).toISOString(), endedAt: end});
		};
		// Two Sonnet turns ($1.26) are 25 % of a $5 day budget: no flag yet.
		mkdirSync(dir, {recursive: true});
		writeFileSync(usage, [1, 2].map(turn).join('\n') + '\n');
		const served = await startServe(['--usage', usage, '--no-cache', '--metrics', '127.0.0.1:0', '--budget', 'day=5', '--on-flag', `cat >> '${out}'`], {BURN_STATE_DIR: join(dir, 'state')});
		await until(async () => ((await httpGet(`http://127.0.0.1:${served.port}/metrics`)).body.includes('burn_engine_ready 1') ? true : undefined), 'engine ready');
		expect(existsSync(out)).toBe(false);
		// Five more turns: $4.41, past 80 % of $5.
		appendFileSync(usage, [3, 4, 5, 6, 7].map(turn).join('\n') + '\n');
		const flags = await until(() => (existsSync(out) && readFileSync(out, 'utf8').endsWith('\n') ? readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : undefined), 'the on-flag command wrote the flag');
		expect(flags).toEqual([expect.objectContaining({kind: 'budget_burn', severity: 'warn', reason: 'raised', active: true})]);
		served.child.kill('SIGTERM');
		expect(await served.exited).toBe(0);
	});

	it("exports the statusline's Claude windows as burn_quota_used_ratio, as watch shows them", async () => {
		const dir = join(tmp.dir, 'statusline-quota');
		const state = join(dir, 'state');
		mkdirSync(state, {recursive: true});
		const at = Date.now() - 60_000;
		const resets = (s: number) => Math.floor(at / 1000) + s;
		const sample = {v: 1, provider: 'anthropic', source: 'statusline', at, windows: [{label: 'five_hour', windowMinutes: 300, usedPercent: 70, resetsAt: resets(3600)}, {label: 'seven_day', windowMinutes: 10080, usedPercent: 30, resetsAt: resets(5 * 86400)}]};
		writeFileSync(join(state, 'quota.jsonl'), JSON.stringify(sample) + '\n');
		copyFixture('symphony/problems.jsonl', dir, 'usage.jsonl');
		const served = await startServe(['--usage', join(dir, 'usage.jsonl'), '--no-cache', '--metrics', '127.0.0.1:0'], {BURN_STATE_DIR: state});
		const body = await until(async () => {
			const r = await httpGet(`http://127.0.0.1:${served.port}/metrics`);
			return r.body.includes('burn_engine_ready 1') ? r.body : undefined;
		}, 'engine ready');
		expect(body).toMatch(/^burn_quota_used_ratio\{provider="anthropic",window="5-hour"\} 0\.7$/m);
		expect(body).toMatch(/^burn_quota_used_ratio\{provider="anthropic",window="weekly"\} 0\.3$/m);
		served.child.kill('SIGTERM');
		expect(await served.exited).toBe(0);
	});
});
