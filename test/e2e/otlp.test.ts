/**
 * `burn serve --otlp`: the OpenTelemetry SDK's OTLP/HTTP exporter pushes to a loopback receiver
 * here, which decodes every request (OTLP JSON, the encoding this exporter sends). Cumulative by
 * default with values equal to `burn summary`; delta on request, whose deltas add up to the same;
 * OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_HEADERS honoured; SIGTERM exits 0. `watch
 * --metrics --otlp` pushes the same feed.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {appendFileSync, mkdirSync, writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {runGuid, usageLine} from '../../source/demo/usage-line.js';
import {runCli} from '../helpers/cli.js';
import {killAll, startServe, until} from '../helpers/serve.js';
import {CLI, tempDir} from '../helpers/temp.js';

interface DataPoint {
	attributes: Array<{key: string; value: {stringValue?: string}}>;
	asDouble?: number;
	asInt?: string | number;
	startTimeUnixNano: string;
	timeUnixNano: string;
}
interface Metric {
	name: string;
	unit?: string;
	sum?: {aggregationTemporality: number; isMonotonic?: boolean; dataPoints: DataPoint[]};
	gauge?: {dataPoints: DataPoint[]};
}
interface Received {
	path: string;
	headers: Record<string, string | string[] | undefined>;
	metrics: Metric[];
	resource: Record<string, string>;
}

const tmp = tempDir('burn-otlp-');
const usage = join(tmp.dir, 'telemetry');
const received: Received[] = [];
const watchers = new Set<ChildProcess>();
let receiver: Server;
let port = 0;

function line(run: number, n: number, output: number): string {
	const now = Date.now();
	return (
		usageLine({
			runId: runGuid(7, run),
			turn: n,
			issue: `MT-${run}`,
			provider: 'anthropic',
			model: 'claude-sonnet-4-6',
			botRole: 'developer',
			startedAt: now - 60_000,
			endedAt: now - 30_000,
			input: 10_000,
			cacheRead: 50_000,
			cacheWrite: 1_000,
			output,
		}) + '\n'
	);
}

/** Decodes one OTLP/HTTP request body. */
function decode(contentType: string | undefined, body: Buffer): Pick<Received, 'metrics' | 'resource'> {
	if (!contentType?.startsWith('application/json')) throw new Error(`unexpected OTLP encoding ${contentType}`);
	const json = JSON.parse(body.toString('utf8')) as {
		resourceMetrics: Array<{resource: {attributes: DataPoint['attributes']}; scopeMetrics: Array<{metrics: Metric[]}>}>;
	};
	const metrics: Metric[] = [];
	const resource: Record<string, string> = {};
	for (const rm of json.resourceMetrics) {
		for (const a of rm.resource.attributes) resource[a.key] = a.value.stringValue ?? '';
		for (const sm of rm.scopeMetrics) metrics.push(...sm.metrics);
	}
	return {metrics, resource};
}

const value = (p: DataPoint) => (p.asDouble !== undefined ? p.asDouble : Number(p.asInt));
const attrs = (p: DataPoint) => Object.fromEntries(p.attributes.map((a) => [a.key, a.value.stringValue]));

function points(r: Received, name: string, match: Record<string, string> = {}): DataPoint[] {
	const m = r.metrics.find((x) => x.name === name);
	const dps = m?.sum?.dataPoints ?? m?.gauge?.dataPoints ?? [];
	return dps.filter((p) => Object.entries(match).every(([k, v]) => attrs(p)[k] === v));
}

const total = (dps: DataPoint[]) => dps.reduce((a, p) => a + value(p), 0);

function runAsync(args: string[]): Promise<{code: number | null; stderr: string}> {
	return new Promise((resolve) => {
		const child = spawn(process.execPath, [CLI, ...args], {stdio: ['ignore', 'ignore', 'pipe']});
		watchers.add(child);
		let stderr = '';
		child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
		child.once('exit', (code) => {
			watchers.delete(child);
			resolve({code, stderr});
		});
	});
}

function summary(): {usd: number; output: number} {
	const r = runCli(['summary', '--once', '--json', '--no-cache', '--usage', usage]);
	expect(r.code, r.stderr).toBe(0);
	const doc = JSON.parse(r.stdout);
	return {usd: doc.totals.cost.usd, output: doc.totals.tokens.output.value};
}

beforeAll(async () => {
	mkdirSync(usage, {recursive: true});
	let lines = '';
	for (let run = 0; run < 3; run++) for (let n = 1; n <= 5; n++) lines += line(run, n, 1_000 + n);
	writeFileSync(join(usage, 'usage.jsonl'), lines);
	receiver = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			try {
				received.push({path: req.url ?? '', headers: req.headers, ...decode(req.headers['content-type'], Buffer.concat(chunks))});
				res.writeHead(200, {'content-type': 'application/json'}).end('{}');
			} catch (error) {
				res.writeHead(400).end((error as Error).message);
			}
		});
	});
	await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
	const a = receiver.address();
	port = typeof a === 'object' && a ? a.port : 0;
});

afterAll(async () => {
	killAll();
	for (const c of watchers) c.kill('SIGKILL');
	await new Promise<void>((resolve) => receiver.close(() => resolve()));
	tmp.cleanup();
});

describe('burn serve --otlp', () => {
	it('pushes cumulative counters equal to burn summary, to the URL given', async () => {
		const served = await startServe(['--usage', usage, '--no-cache', '--metrics', '127.0.0.1:0', '--otlp', `http://127.0.0.1:${port}/custom/v1/metrics`, '--otlp-interval', '200ms']);
		const expected = summary();
		const got = await until(() => {
			const r = received.filter((x) => x.path === '/custom/v1/metrics' && points(x, 'burn.cost.usage').length > 0).at(-1);
			return r && Math.abs(total(points(r, 'burn.cost.usage')) - expected.usd) < 1e-6 ? r : undefined;
		}, 'a cumulative export equal to the summary');
		const cost = got.metrics.find((m) => m.name === 'burn.cost.usage')!;
		expect(cost.unit).toBe('USD');
		expect(cost.sum!.aggregationTemporality).toBe(2);
		expect(cost.sum!.isMonotonic).toBe(true);
		expect(total(points(got, 'burn.token.usage', {type: 'output'}))).toBe(expected.output);
		expect(got.metrics.find((m) => m.name === 'burn.token.usage')!.unit).toBe('tokens');
		expect(got.resource['service.name']).toBe('burn');
		expect(attrs(points(got, 'burn.cost.usage')[0]!)).toMatchObject({provider: 'anthropic', model: 'claude-sonnet-4-6', source: 'symphony', basis: 'computed'});
		served.child.kill('SIGTERM');
		expect(await served.exited).toBe(0);
	});

	it('delta temporality to OTEL_EXPORTER_OTLP_ENDPOINT with OTEL_EXPORTER_OTLP_HEADERS: the deltas add up to the total, appends and a restart included', async () => {
		const first = received.length;
		const cache = join(tmp.dir, 'cache-delta');
		const args = ['--usage', usage, '--cache-dir', cache, '--metrics', '127.0.0.1:0', '--otlp', '--otlp-temporality', 'delta', '--otlp-interval', '200ms'];
		const env = {OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_EXPORTER_OTLP_HEADERS: 'x-burn-test=yes,authorization=Bearer t0ken'};
		const served = await startServe(args, env);
		const mine = () => received.slice(first).filter((r) => r.path === '/v1/metrics');
		const outputSum = () => mine().reduce((a, r) => a + total(points(r, 'burn.token.usage', {type: 'output'})), 0);
		const before = summary();
		await until(() => (outputSum() === before.output ? true : undefined), 'deltas adding up to the output total');
		appendFileSync(join(usage, 'usage.jsonl'), line(0, 6, 4_321));
		const after = summary();
		expect(after.output).toBe(before.output + 4_321);
		await until(() => (outputSum() === after.output ? true : undefined), 'the appended record in a delta');
		const r = mine().find((x) => points(x, 'burn.token.usage').length > 0)!;
		expect(r.headers['x-burn-test']).toBe('yes');
		expect(r.headers.authorization).toBe('Bearer t0ken');
		expect(r.metrics.find((m) => m.name === 'burn.token.usage')!.sum!.aggregationTemporality).toBe(1);
		served.child.kill('SIGTERM');
		expect(await served.exited).toBe(0);
		expect(outputSum()).toBe(after.output);
		// A restart does not push the history again: the first delta is what was counted since.
		const restartAt = received.length;
		const again = await startServe(args, env);
		await until(() => (received.slice(restartAt).filter((x) => points(x, 'burn.token.usage').length > 0).length >= 3 ? true : undefined), 'exports from the restarted serve');
		expect(outputSum()).toBe(after.output);
		appendFileSync(join(usage, 'usage.jsonl'), line(1, 6, 1_234));
		await until(() => (outputSum() === after.output + 1_234 ? true : undefined), 'a record appended after the restart');
		again.child.kill('SIGTERM');
		expect(await again.exited).toBe(0);
		expect(outputSum()).toBe(after.output + 1_234);
	});

	it('burn watch --metrics --otlp shares the feed: not a terminal, it prints once and its last push carries the totals', async () => {
		const expected = summary();
		// Not spawnSync: the receiver runs in this process and must answer while watch pushes.
		const r = await runAsync(['watch', '--usage', usage, '--no-cache', '--metrics', '127.0.0.1:0', '--otlp', `http://127.0.0.1:${port}/watch/v1/metrics`]);
		expect(r.code, r.stderr).toBe(0);
		expect(r.stderr).toMatch(/burn watch: metrics on http:\/\/127\.0\.0\.1:\d+\/metrics/);
		const got = received.filter((x) => x.path === '/watch/v1/metrics').at(-1);
		expect(got).toBeDefined();
		expect(total(points(got!, 'burn.cost.usage'))).toBeCloseTo(expected.usd, 6);
		expect(total(points(got!, 'burn.token.usage', {type: 'output'}))).toBe(expected.output);
	});
});
