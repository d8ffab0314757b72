/**
 * `/metrics` in the Prometheus text format (prom-client) and `/healthz`, over the metrics feed.
 * Each scrape reads the feed once at the scrape's clock time; prom-client writes the exposition
 * (names, help, label escaping). A family only shows the series the feed gave: unknown values
 * have no series, never a 0.
 */
import {createServer, type Server} from 'node:http';
import {Counter, Gauge, Registry} from 'prom-client';
import {FAMILIES, promNameOf} from './families.js';
import type {MetricsFeed} from './feed.js';
import type {MetricPoint} from './points.js';

export function createRegistry(feed: MetricsFeed, clock: () => number = Date.now): {registry: Registry; scrape: () => Promise<string>} {
	const registry = new Registry();
	let current = new Map<string, MetricPoint[]>();
	for (const f of FAMILIES) {
		const name = promNameOf(f);
		const help = f.description;
		const labelNames = [...f.labels];
		if (f.kind === 'counter') {
			new Counter({
				name,
				help,
				labelNames,
				registers: [registry],
				collect() {
					this.reset();
					for (const p of current.get(f.name) ?? []) this.inc(p.labels, p.value);
				},
			});
		} else {
			new Gauge({
				name,
				help,
				labelNames,
				registers: [registry],
				collect() {
					this.reset();
					for (const p of current.get(f.name) ?? []) this.set(p.labels, p.value);
				},
			});
		}
	}
	const scrape = async (): Promise<string> => {
		const byFamily = new Map<string, MetricPoint[]>();
		for (const p of feed.read(clock())) {
			let list = byFamily.get(p.family);
			if (!list) byFamily.set(p.family, (list = []));
			list.push(p);
		}
		current = byFamily;
		return registry.metrics();
	};
	return {registry, scrape};
}

export interface MetricsServer {
	server: Server;
	/** The address actually bound (port 0 asks the OS for one). */
	host: string;
	port: number;
	close(): Promise<void>;
}

export async function startMetricsServer(feed: MetricsFeed, address: {host: string; port: number}, health: () => {ready: boolean; detail: Record<string, unknown>}): Promise<MetricsServer> {
	const {registry, scrape} = createRegistry(feed);
	const server = createServer((req, res) => {
		const path = (req.url ?? '/').split('?')[0];
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			res.writeHead(405, {allow: 'GET, HEAD'}).end();
			return;
		}
		if (path === '/metrics') {
			scrape().then(
				(body) => res.writeHead(200, {'content-type': registry.contentType}).end(req.method === 'HEAD' ? undefined : body),
				(error: unknown) => res.writeHead(500, {'content-type': 'text/plain'}).end(`burn: ${(error as Error).message}\n`),
			);
			return;
		}
		if (path === '/healthz') {
			const h = health();
			res.writeHead(h.ready ? 200 : 503, {'content-type': 'application/json'}).end(JSON.stringify({status: h.ready ? 'ok' : 'starting', ...h.detail}) + '\n');
			return;
		}
		res.writeHead(404, {'content-type': 'text/plain'}).end('burn serves /metrics and /healthz\n');
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(address.port, address.host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const bound = server.address();
	const port = typeof bound === 'object' && bound ? bound.port : address.port;
	return {
		server,
		host: address.host,
		port,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
