/**
 * `burn serve` as a process: /healthz and /metrics over HTTP, problems logged one per line on
 * stderr as they appear, SIGINT exits 0, bad flags and a taken port exit 2 with a hint.
 */
import {appendFileSync} from 'node:fs';
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
});
