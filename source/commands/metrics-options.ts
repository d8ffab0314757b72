/**
 * The metrics outputs `serve` and `watch --metrics` share: `/metrics` + `/healthz` over HTTP,
 * optional OTLP push, the label choice and where the counters' retraction state is saved.
 */
import type {LiveStore} from '../core/snapshot.js';
import {DEFAULT_METRICS_ADDRESS, parseInterval, parseListenAddress} from '../metrics/address.js';
import {DEFAULT_LABELS, parseLabelChoice, type LabelChoice} from '../metrics/families.js';
import {MetricsFeed} from '../metrics/feed.js';
import type {OtlpPusher, Temporality} from '../metrics/otlp.js';
import type {MetricsServer} from '../metrics/prometheus.js';
import type {SavedRetractionState} from '../metrics/retraction.js';
import {loadState, saveState, stateFilePath} from '../metrics/state-file.js';
import {UsageError} from './errors.js';

export const metricsFlags = {
	metrics: {type: 'string'},
	otlp: {type: 'string'},
	otlpTemporality: {type: 'string'},
	otlpInterval: {type: 'string'},
	labels: {type: 'string', isMultiple: true},
} as const;

export const metricsFlagsHelp = (serve: boolean) => `
  Metrics
    --metrics <host:port>  Serve /metrics (Prometheus text format) and /healthz here${serve ? `
                           (default ${DEFAULT_METRICS_ADDRESS}; port 0 picks a free one)` : `
                           while the view runs (e.g. ${DEFAULT_METRICS_ADDRESS})`}
    --otlp [url]           Push OTLP/HTTP metrics: to url (…/v1/metrics), else to
                           OTEL_EXPORTER_OTLP_ENDPOINT (headers: OTEL_EXPORTER_OTLP_HEADERS)
    --otlp-temporality <t> cumulative (default) or delta
    --otlp-interval <d>    How often to push (default 15s; 500ms, 10s, 1m)
    --labels <list>        High-cardinality labels to keep: issue, run, or none (default issue)`;

export interface MetricsFlagValues {
	metrics?: string;
	otlp?: string;
	otlpTemporality?: string;
	otlpInterval?: string;
	labels?: string[];
}

/** What a bare `--otlp` stands for: the endpoint from the OTEL_* variables (or the SDK's default). */
const OTLP_FROM_ENV = 'from-env';

/**
 * `--otlp` takes an optional URL: a bare one (last, or before another flag) becomes
 * `--otlp=from-env`, so the prologue, which wants a value for every string flag, accepts it.
 */
export function normalizeOtlpFlag(argv: readonly string[]): string[] {
	const out: string[] = [];
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i]!;
		if (a === '--') {
			out.push(...argv.slice(i));
			break;
		}
		if (a === '--otlp' && (i + 1 >= argv.length || argv[i + 1]!.startsWith('-'))) out.push(`--otlp=${OTLP_FROM_ENV}`);
		else out.push(a);
	}
	return out;
}

export interface MetricsPlan {
	address: {host: string; port: number} | null;
	otlp: {url: string | undefined; temporality: Temporality; intervalMs: number} | null;
	labels: LabelChoice;
	/** How long a shrink must last before it is booked as retracted (BURN_RETRACTION_GRACE_MS; default 30 s). */
	graceMs: number | undefined;
}

export function metricsPlan(flags: MetricsFlagValues, serve: boolean, env: NodeJS.ProcessEnv = process.env): MetricsPlan {
	const addressValue = flags.metrics ?? (serve ? DEFAULT_METRICS_ADDRESS : undefined);
	let address: MetricsPlan['address'] = null;
	if (addressValue !== undefined) {
		const parsed = parseListenAddress(addressValue);
		if (typeof parsed === 'string') throw new UsageError(parsed);
		address = parsed;
	}
	const labels = flags.labels === undefined || flags.labels.length === 0 ? DEFAULT_LABELS : parseLabelChoice(flags.labels);
	if (typeof labels === 'string') throw new UsageError(labels);
	const temporality = flags.otlpTemporality ?? 'cumulative';
	if (temporality !== 'cumulative' && temporality !== 'delta') throw new UsageError(`--otlp-temporality ${temporality}: cumulative or delta`);
	const interval = parseInterval(flags.otlpInterval ?? '15s');
	if (typeof interval === 'string') throw new UsageError(interval);
	if (flags.otlp === undefined && (flags.otlpTemporality !== undefined || flags.otlpInterval !== undefined)) {
		throw new UsageError('--otlp-temporality and --otlp-interval go with --otlp');
	}
	const url = flags.otlp?.trim();
	const otlp = url === undefined ? null : {url: url === '' || url === OTLP_FROM_ENV ? undefined : url, temporality: temporality as Temporality, intervalMs: interval};
	const grace = env.BURN_RETRACTION_GRACE_MS?.trim();
	if (grace && !/^\d+$/.test(grace)) throw new UsageError(`BURN_RETRACTION_GRACE_MS=${grace}: give milliseconds`);
	return {address, otlp, labels, graceMs: grace ? Number(grace) : undefined};
}

export interface MetricsOutputs {
	server: MetricsServer | null;
	otlp: OtlpPusher | null;
	feed: MetricsFeed;
	/** Stops pushing (with a last export) and serving, and saves the counters' state. */
	close(): Promise<void>;
}

export interface MetricsOutputOptions {
	store: LiveStore;
	plan: MetricsPlan;
	/** Where the retraction state is saved (null: kept in memory only, `--no-cache`). */
	cacheDir: string | null;
	/** What identifies this configuration's counters (source flags, cwd): one state file each. */
	identity: unknown;
	notice: (message: string) => void;
	version?: string;
	/** How long a flag stays live after its last evidence (ms). */
	liveFlagMs?: number;
}

const SAVE_EVERY_MS = 10_000;

export async function startMetricsOutputs(o: MetricsOutputOptions): Promise<MetricsOutputs> {
	const path = o.cacheDir ? stateFilePath(o.cacheDir, {identity: o.identity, labels: o.plan.labels}) : null;
	let saved: SavedRetractionState | null = null;
	if (path) {
		const loaded = loadState(path);
		if (loaded.notice) o.notice(loaded.notice);
		saved = loaded.state;
	}
	let pending: SavedRetractionState | null = null;
	// OTLP delta mode's values at the last push: saved with the guard's state, in the same file.
	let otlpDelta = saved?.otlpDelta;
	let timer: NodeJS.Timeout | null = null;
	const write = () => {
		if (timer) clearTimeout(timer);
		timer = null;
		if (!path || !pending) return;
		try {
			saveState(path, otlpDelta ? {...pending, otlpDelta} : pending);
			pending = null;
		} catch (error) {
			o.notice(`could not save the metrics state in ${path}: ${(error as Error).message}`);
		}
	};
	const later = () => {
		if (!timer && path) {
			timer = setTimeout(write, SAVE_EVERY_MS);
			timer.unref();
		}
	};
	const feed = new MetricsFeed(o.store, {
		labels: o.plan.labels,
		liveFlagMs: o.liveFlagMs,
		...(o.plan.graceMs !== undefined ? {graceMs: o.plan.graceMs} : {}),
		saved,
		onState: (state, urgent) => {
			pending = state;
			if (urgent) write();
			else later();
		},
	});
	let server: MetricsServer | null = null;
	if (o.plan.address) {
		// prom-client and the OpenTelemetry SDK load only when asked for (~0.6 s of imports that
		// `watch` without --metrics/--otlp would otherwise pay before its first frame).
		const {startMetricsServer} = await import('../metrics/prometheus.js');
		try {
			server = await startMetricsServer(feed, o.plan.address, () => {
				const s = o.store.getSnapshot();
				return {ready: s.ready, detail: {records: s.doc.totals.records, problems: s.doc.problems.count}};
			});
		} catch (error) {
			throw new UsageError(`--metrics ${o.plan.address.host}:${o.plan.address.port}: ${(error as Error).message}`, 'choose another port (port 0 picks a free one)');
		}
	}
	const otlp = o.plan.otlp
		? (await import('../metrics/otlp.js')).startOtlp(feed, {
				...o.plan.otlp,
				onError: o.notice,
				version: o.version,
				deltaBaseline: saved?.otlpDelta,
				onDeltaState: (values) => {
					otlpDelta = values;
					pending ??= feed.state();
					later();
				},
			})
		: null;
	return {
		server,
		otlp,
		feed,
		async close() {
			await otlp?.shutdown().catch((error: unknown) => o.notice(`OTLP shutdown: ${(error as Error).message}`));
			await server?.close();
			pending = feed.state();
			write();
		},
	};
}
