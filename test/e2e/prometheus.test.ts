/**
 * A real Prometheus (Debian's package) scraping two `burn serve` processes over two data dirs on
 * loopback ("two hosts"). PromQL over the HTTP API must agree with `burn summary --once --json`
 * over both dirs; a record appended on one host shows up within seconds (polled); a restart of
 * one serve keeps its counters continuous (no reset, `increase()` right); a truncated file never
 * makes a counter go down, and counter minus retracted equals the summary, across a restart too.
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {appendFileSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {runGuid, usageLine, type TurnSpec} from '../../source/demo/usage-line.js';
import {runCli} from '../helpers/cli.js';
import {concrete, dashboardExprs} from '../helpers/deploy.js';
import {freePort, httpGet, killAll, startServe, until, type Served} from '../helpers/serve.js';
import {tempDir} from '../helpers/temp.js';

const hasPrometheus = spawnSync('prometheus', ['--version']).status === 0;
if (!hasPrometheus) {
	console.warn('\n*** SKIPPED: the Prometheus end-to-end test of `burn serve` needs Debian\'s prometheus (`.ci/run` installs it; apt-get install prometheus) ***\n');
}

const tmp = tempDir('burn-prom-');
let prometheus: ChildProcess | null = null;
let promUrl = '';
const hosts: Record<'a' | 'b', {dir: string; cache: string; usage: string; served: Served | null}> = {
	a: {dir: '', cache: '', usage: '', served: null},
	b: {dir: '', cache: '', usage: '', served: null},
};

function turn(seed: number, run: number, n: number, issue: string, model: string, output: number): string {
	const now = Date.now();
	const spec: TurnSpec = {
		runId: runGuid(seed, run),
		turn: n,
		issue,
		provider: model.startsWith('gpt') ? 'openai' : 'anthropic',
		model,
		botRole: 'developer',
		startedAt: now - 120_000,
		endedAt: now - 60_000 + n,
		input: 40_000,
		cacheRead: 200_000,
		cacheWrite: 5_000,
		output,
	};
	return usageLine(spec) + '\n';
}

function summaryTotals(): {usd: number; output: number} {
	const r = runCli(['summary', '--once', '--json', '--no-cache', '--usage', hosts.a.usage, '--usage', hosts.b.usage]);
	expect(r.code, r.stderr).toBe(0);
	const doc = JSON.parse(r.stdout);
	return {usd: doc.totals.cost.usd, output: doc.totals.tokens.output.value};
}

async function query(q: string): Promise<number | undefined> {
	const {status, body} = await httpGet(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
	if (status !== 200) throw new Error(`${q}: HTTP ${status} ${body}`);
	const json = JSON.parse(body) as {data: {result: Array<{value: [number, string]}>}};
	const r = json.data.result;
	if (r.length === 0) return undefined;
	return Number(r[0]!.value[1]);
}

/** Polls PromQL until it equals `expected` (money to a millionth of a dollar). */
function untilQuery(q: string, expected: number, what: string): Promise<number> {
	return until(async () => {
		const v = await query(q);
		return v !== undefined && Math.abs(v - expected) < 1e-6 ? v : undefined;
	}, `${what}: ${q} = ${expected}`);
}

async function serveHost(name: 'a' | 'b', port = 0): Promise<Served> {
	const h = hosts[name];
	// A short grace time so a retraction is booked within the test (the default is 30 s).
	const served = await startServe(['--usage', h.usage, '--cache-dir', h.cache, '--metrics', `127.0.0.1:${port}`], {BURN_RETRACTION_GRACE_MS: '1500'});
	h.served = served;
	await until(async () => ((await httpGet(`http://127.0.0.1:${served.port}/healthz`)).status === 200 ? true : undefined), `host ${name} ready`);
	return served;
}

beforeAll(async () => {
	if (!hasPrometheus) return;
	for (const [i, name] of (['a', 'b'] as const).entries()) {
		const h = hosts[name];
		h.dir = join(tmp.dir, name);
		h.cache = join(h.dir, 'cache');
		h.usage = join(h.dir, 'telemetry');
		mkdirSync(h.usage, {recursive: true});
		let lines = '';
		for (let run = 0; run < 4; run++) {
			for (let n = 1; n <= 10; n++) lines += turn(100 + i, run, n, `MT-${10 * i + run}`, run % 2 ? 'gpt-5.3-codex' : 'claude-sonnet-4-6', 3_000 + n);
		}
		writeFileSync(join(h.usage, 'usage.jsonl'), lines);
		await serveHost(name);
	}
	const port = await freePort();
	promUrl = `http://127.0.0.1:${port}`;
	const config = join(tmp.dir, 'prometheus.yml');
	writeFileSync(
		config,
		[
			'global:',
			'  scrape_interval: 1s',
			'  scrape_timeout: 900ms',
			'scrape_configs:',
			'  - job_name: burn',
			'    static_configs:',
			`      - targets: ['127.0.0.1:${hosts.a.served!.port}']`,
			'        labels: {host: a}',
			`      - targets: ['127.0.0.1:${hosts.b.served!.port}']`,
			'        labels: {host: b}',
			'',
		].join('\n'),
	);
	prometheus = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${join(tmp.dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], {stdio: 'ignore'});
	await until(async () => ((await httpGet(`${promUrl}/-/ready`)).status === 200 ? true : undefined), 'prometheus ready');
});

afterAll(() => {
	prometheus?.kill('SIGKILL');
	killAll();
	tmp.cleanup();
});

describe.skipIf(!hasPrometheus)('burn serve scraped by a real Prometheus', () => {
	it('sums over both hosts equal burn summary over both dirs', async () => {
		const expected = summaryTotals();
		expect(expected.usd).toBeGreaterThan(0);
		await untilQuery('sum(burn_cost_usage_USD_total)', expected.usd, 'cost');
		await untilQuery('sum(burn_token_usage_tokens_total{type="output"})', expected.output, 'output tokens');
		expect(await query('count(up{job="burn"} == 1)')).toBe(2);
		expect(await query('sum(burn_engine_ready)')).toBe(2);
	});

	it('a record appended on one host is visible within seconds', async () => {
		appendFileSync(join(hosts.b.usage, 'usage.jsonl'), turn(101, 0, 11, 'MT-10', 'claude-sonnet-4-6', 777));
		const expected = summaryTotals();
		await untilQuery('sum(burn_token_usage_tokens_total{type="output"})', expected.output, 'output after append');
		await untilQuery('sum(burn_cost_usage_USD_total)', expected.usd, 'cost after append');
	});

	it('a restart of one serve resumes its counters: no reset, increase() right', async () => {
		const q = 'sum(burn_cost_usage_USD_total{host="a"})';
		const before = await query(q);
		expect(before).toBeGreaterThan(0);
		const a = hosts.a.served!;
		a.child.kill('SIGTERM');
		expect(await a.exited).toBe(0);
		expect(a.stderr()).toContain('stopping');
		await until(async () => ((await query('up{host="a"}')) === 0 ? true : undefined), 'prometheus sees host a down');
		await serveHost('a', a.port);
		appendFileSync(join(hosts.a.usage, 'usage.jsonl'), turn(100, 0, 11, 'MT-0', 'claude-sonnet-4-6', 555));
		const expected = summaryTotals();
		await untilQuery('sum(burn_cost_usage_USD_total)', expected.usd, 'cost after restart and append');
		const after = (await query(q))!;
		const delta = after - before!;
		expect(delta).toBeGreaterThan(0);
		expect(delta).toBeLessThan(before! / 10);
		expect(await query('sum(resets(burn_cost_usage_USD_total{host="a"}[5m]))')).toBe(0);
		expect(await query('sum(resets(burn_token_usage_tokens_total{host="a"}[5m]))')).toBe(0);
		// The exact rise over the test (the counter never fell), and increase() (extrapolated to the
		// window's edges, so a little above it), far from the whole total a reset would add.
		const rise = (await query('sum(max_over_time(burn_cost_usage_USD_total{host="a"}[5m]) - min_over_time(burn_cost_usage_USD_total{host="a"}[5m]))'))!;
		expect(Math.abs(rise - delta)).toBeLessThan(1e-6);
		const increase = (await query('sum(increase(burn_cost_usage_USD_total{host="a"}[5m]))'))!;
		expect(increase).toBeGreaterThanOrEqual(rise - 1e-6);
		expect(increase).toBeLessThan(rise * 1.5 + 1e-6);
		expect(increase).toBeLessThan(before! / 2);
	});

	it('a file truncated on one host: no counter goes down, counter minus retracted equals summary, also after a restart', async () => {
		const usageQ = 'sum(burn_cost_usage_USD_total)';
		const net = 'sum(burn_cost_usage_USD_total) - (sum(burn_cost_usage_retracted_USD_total) or vector(0))';
		const netOutput = 'sum(burn_token_usage_tokens_total{type="output"}) - (sum(burn_token_usage_retracted_tokens_total{type="output"}) or vector(0))';
		const before = (await query(usageQ))!;
		const file = join(hosts.b.usage, 'usage.jsonl');
		const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
		writeFileSync(file, lines.slice(0, 20).join('\n') + '\n');
		const expected = summaryTotals();
		await untilQuery(net, expected.usd, 'net cost after the truncation');
		await untilQuery(netOutput, expected.output, 'net output after the truncation');
		expect(Math.abs((await query(usageQ))! - before)).toBeLessThan(1e-6);
		expect(await query('sum(burn_cost_usage_retracted_USD_total{host="b"})')).toBeGreaterThan(0);
		expect(await query('sum(resets(burn_cost_usage_USD_total[5m]))')).toBe(0);
		expect(await query('sum(resets(burn_token_usage_tokens_total[5m]))')).toBe(0);
		// The retraction state survives a restart: nothing drops, nothing is counted again.
		const b = hosts.b.served!;
		b.child.kill('SIGTERM');
		expect(await b.exited).toBe(0);
		await until(async () => ((await query('up{host="b"}')) === 0 ? true : undefined), 'prometheus sees host b down');
		const restartedAt = Date.now() / 1000;
		await serveHost('b', b.port);
		await until(async () => ((await query('timestamp(burn_engine_ready{host="b"})'))! > restartedAt ? true : undefined), 'a scrape of the restarted host b');
		await untilQuery(net, expected.usd, 'net cost after the restart');
		expect(Math.abs((await query(usageQ))! - before)).toBeLessThan(1e-6);
		expect(await query('sum(resets(burn_cost_usage_USD_total[5m]))')).toBe(0);
		expect(await query('sum(resets(burn_cost_usage_retracted_USD_total[5m]))')).toBe(0);
	});

	it('every query of the shipped dashboard runs on this Prometheus; spend by issue and model return data', async () => {
		for (const {title, expr} of dashboardExprs()) {
			const {status, body} = await httpGet(`${promUrl}/api/v1/query?query=${encodeURIComponent(concrete(expr))}`);
			expect(status, `${title}: ${expr}: ${body}`).toBe(200);
			if (/Spend by (issue|model)/.test(title)) {
				const result = (JSON.parse(body) as {data: {result: unknown[]}}).data.result;
				expect(result.length, title).toBeGreaterThan(1);
			}
		}
	});
});
