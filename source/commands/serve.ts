/**
 * `burn serve`: headless. The same live engine and counting as `watch`, exported as metrics:
 * `/metrics` (Prometheus text format) and `/healthz` over HTTP, and optionally an OTLP push.
 * Problems in the data are logged one per line on stderr as they appear. SIGINT/SIGTERM stop it
 * cleanly: a last OTLP export, the index and the counters' state saved, exit 0.
 */
import {createFlagHook} from '../core/anomalies/live.js';
import {minutes} from '../core/anomalies/params.js';
import type {Problem} from '../core/problems.js';
import {sanitize} from '../core/sanitize.js';
import {createLiveEngine} from '../ingest/engine.js';
import {readSamples, samplesStamp, stateDir} from '../ingest/quota-state.js';
import {cacheDirFrom, cacheFlags, cacheFlagsHelp, usableCacheDir} from './cache-flags.js';
import {parseCommand} from './cli-kit.js';
import {loadFlagParams, watchFlagOptions, watchFlagOptionsHelp} from './flag-options.js';
import {notifierFrom, notifyFlags, notifyFlagsHelp, notifyFromStore} from './notify-options.js';
import {metricsFlags, metricsFlagsHelp, metricsPlan, normalizeOtlpFlag, startMetricsOutputs} from './metrics-options.js';
import {loadPrices, priceFlags, priceFlagsHelp} from './price-sheets.js';
import {discoveryOptions, issuePatterns, sourceFlags, sourceFlagsHelp} from './source-flags.js';
import {withQuota} from './watch-quota.js';

export const serveHelp = `
  Usage
    $ burn serve [options]

  Headless: reads and watches your agents' data like burn watch and exports it as metrics for
  Prometheus (scrape /metrics) and OpenTelemetry (OTLP push to a Collector). Counters never go
  down and resume where they were after a restart (docs/metrics.md).
${metricsFlagsHelp(true)}
${notifyFlagsHelp}
${sourceFlagsHelp}
${priceFlagsHelp}
${cacheFlagsHelp}
${watchFlagOptionsHelp}

  Stops on SIGINT or SIGTERM (exit 0). Problems in the data go to stderr, one per line.

  Examples
    $ burn serve --usage .symphony/telemetry
    $ burn serve --metrics 0.0.0.0:9464 --labels issue,run
    $ OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318 burn serve --otlp --otlp-temporality delta
`;

export interface ServeArgs {
	argv: string[];
	env?: NodeJS.ProcessEnv;
	cwd?: string;
	stderr?: NodeJS.WritableStream;
	/** Where --notify's bell and OSC notification go (only when it is a terminal). */
	stdout?: NodeJS.WritableStream & {isTTY?: boolean};
}

export async function runServe({argv, env = process.env, cwd = process.cwd(), stderr = process.stderr, stdout = process.stdout}: ServeArgs): Promise<number> {
	const cli = parseCommand(
		{name: 'serve', help: serveHelp, importMeta: import.meta, flags: {...metricsFlags, ...notifyFlags, ...sourceFlags, ...priceFlags, ...cacheFlags, ...watchFlagOptions}},
		normalizeOtlpFlag(argv),
		env,
		cwd,
	);
	const flags = cli.flags;
	const plan = metricsPlan(flags, true, env);
	const prices = loadPrices(flags, env, cwd);
	const flagParams = loadFlagParams(flags, env, cwd);
	const patterns = issuePatterns(flags);
	// Every line is sanitized: paths and problem reasons come from files and the file system.
	const log = (line: string) => stderr.write(`burn serve: ${sanitize(line)}\n`);
	const notifier = notifierFrom(flags, {terminal: stdout.isTTY ? stdout : null, env, cwd, report: log});
	const cacheDir = usableCacheDir(cacheDirFrom(flags, env, cwd), log);
	const discovery = discoveryOptions(flags, env, cwd);
	const engine = createLiveEngine({
		discovery,
		pricer: prices.pricer,
		cacheDir,
		issuePatterns: patterns,
		notifyIntervalMs: 250,
		watch: true,
		detectFlags: createFlagHook({params: flagParams}),
		onNotice: (m) => log(m),
	});
	// As in watch: Claude's windows come from the statusline's samples, the records carry the rest.
	const state = stateDir(env);
	const store = withQuota(engine.store, {samples: () => readSamples(state).samples, stamp: () => samplesStamp(state), thresholds: flagParams.rateLimit});
	const outputs = await startMetricsOutputs({
		store,
		plan,
		cacheDir,
		identity: {cwd, sources: discovery.flags},
		notice: log,
		liveFlagMs: minutes(flagParams.lifecycle.liveMinutes),
	});
	if (outputs.server) {
		const {host, port} = outputs.server;
		log(`metrics on http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`);
	}
	if (plan.otlp) log(`OTLP push every ${plan.otlp.intervalMs} ms (${plan.otlp.temporality}) to ${plan.otlp.url ?? 'OTEL_EXPORTER_OTLP_ENDPOINT or http://localhost:4318'}`);

	let stop!: () => void;
	const stopped = new Promise<void>((resolve) => (stop = resolve));
	const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
	const onSignal = () => stop();
	for (const s of signals) process.on(s, onSignal);
	const reported = new Set<string>();
	const offNotify = notifyFromStore(store, notifier);
	const unsubscribe = store.subscribe(() => {
		const snapshot = store.getSnapshot();
		for (const p of snapshot.doc.problems.items) {
			const key = problemKey(p);
			if (reported.has(key)) continue;
			reported.add(key);
			log(`problem: ${p.path}${p.line ? `:${p.line}` : ''} ${p.kind}: ${p.reason}`);
		}
	});
	try {
		await Promise.race([engine.start(), stopped]);
		const s = engine.store.getSnapshot();
		if (s.ready) log(`read ${s.doc.totals.records} records from ${s.doc.sources.length} source root(s); watching`);
		await stopped;
		log('stopping');
		return 0;
	} finally {
		for (const s of signals) process.off(s, onSignal);
		unsubscribe();
		offNotify();
		await notifier?.close();
		await outputs.close();
		store.stop();
		await engine.stop();
	}
}

function problemKey(p: Problem): string {
	// An incomplete last line is one problem however many bytes of it have arrived.
	return `${p.kind}\u0000${p.path}\u0000${p.line ?? ''}\u0000${p.kind === 'incomplete-line' ? '' : p.reason}`;
}
