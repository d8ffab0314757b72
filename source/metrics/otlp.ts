/**
 * OTLP/HTTP push with the OpenTelemetry SDK: one observable instrument per family, observed from
 * the metrics feed at each export. The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT,
 * OTEL_EXPORTER_OTLP_METRICS_ENDPOINT and OTEL_EXPORTER_OTLP_HEADERS itself; `--otlp URL` wins
 * over the endpoint variables. Cumulative temporality by default, delta on request (the SDK turns
 * the cumulative observations into deltas).
 *
 * Delta across restarts: the SDK's first delta after a start is everything observed since that
 * start, which for burn's counters (they resume at their totals) would push the whole history
 * again. So in delta mode each counter is observed relative to its value at the last push of the
 * previous run (`deltaBaseline`, saved in the cache directory): the first delta after a restart
 * is what was counted since.
 */
import {hostname} from 'node:os';
import type {Attributes, BatchObservableResult, Observable} from '@opentelemetry/api';
import {OTLPMetricExporter} from '@opentelemetry/exporter-metrics-otlp-http';
import {resourceFromAttributes} from '@opentelemetry/resources';
import {AggregationTemporality, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter} from '@opentelemetry/sdk-metrics';
import {FAMILIES} from './families.js';
import type {MetricsFeed} from './feed.js';
import {seriesKey} from './retraction.js';

export type Temporality = 'cumulative' | 'delta';

export interface OtlpOptions {
	/** Full metrics URL (…/v1/metrics); undefined: the OTEL_* variables, else http://localhost:4318/v1/metrics. */
	url?: string;
	temporality: Temporality;
	intervalMs: number;
	/** One line per failed export streak (stderr). */
	onError: (message: string) => void;
	clock?: () => number;
	version?: string;
	/** Delta mode: counter values (by series key) at the last push of an earlier run. */
	deltaBaseline?: Record<string, number>;
	/** Delta mode: counter values observed at this push (by series key), to be saved. */
	onDeltaState?: (values: Record<string, number>) => void;
}

export interface OtlpPusher {
	/** Exports now (tests, shutdown). */
	flush(): Promise<void>;
	/** A last export, then stops. */
	shutdown(): Promise<void>;
}

/** Reports an export failure once until an export succeeds again. */
function reporting(inner: PushMetricExporter, onError: (message: string) => void): PushMetricExporter {
	let failing = false;
	return {
		export(metrics, done) {
			inner.export(metrics, (result) => {
				if (result.code !== 0) {
					if (!failing) onError(`OTLP export failed: ${result.error?.message ?? 'unknown error'} (retrying every interval)`);
					failing = true;
				} else failing = false;
				done(result);
			});
		},
		forceFlush: () => inner.forceFlush(),
		shutdown: () => inner.shutdown(),
		selectAggregationTemporality: inner.selectAggregationTemporality?.bind(inner),
		selectAggregation: inner.selectAggregation?.bind(inner),
	};
}

export function startOtlp(feed: MetricsFeed, options: OtlpOptions): OtlpPusher {
	const exporter = new OTLPMetricExporter({
		...(options.url ? {url: options.url} : {}),
		temporalityPreference: options.temporality === 'delta' ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE,
	});
	const reader = new PeriodicExportingMetricReader({
		exporter: reporting(exporter, options.onError),
		exportIntervalMillis: options.intervalMs,
		exportTimeoutMillis: Math.min(30_000, options.intervalMs),
	});
	const provider = new MeterProvider({
		resource: resourceFromAttributes({'service.name': 'burn', 'host.name': hostname(), ...(options.version ? {'service.version': options.version} : {})}),
		readers: [reader],
	});
	const meter = provider.getMeter('burn', options.version);
	const instruments = new Map<string, Observable>();
	for (const f of FAMILIES) {
		const opts = {description: f.description, unit: f.unit};
		instruments.set(f.name, f.kind === 'counter' ? meter.createObservableCounter(f.name, opts) : meter.createObservableGauge(f.name, opts));
	}
	// The SDK keeps reporting a gauge series' last value after it was last observed (cumulative):
	// a series that left the feed (a flag that cleared) is observed as 0 from then on instead.
	const gauges = new Set(FAMILIES.filter((f) => f.kind === 'gauge').map((f) => f.name));
	const gaugeSeen = new Map<string, {family: string; labels: Attributes}>();
	const clock = options.clock ?? Date.now;
	const delta = options.temporality === 'delta';
	const baseline = delta ? (options.deltaBaseline ?? {}) : {};
	const pushed: Record<string, number> = {...baseline};
	meter.addBatchObservableCallback(
		(result: BatchObservableResult) => {
			const now = new Set<string>();
			const points = feed.read(clock());
			const ready = points.some((p) => p.family === 'burn.engine.ready' && p.value === 1);
			for (const p of points) {
				const instrument = instruments.get(p.family);
				if (!instrument) continue;
				if (gauges.has(p.family)) {
					result.observe(instrument, p.value, p.labels);
					const k = seriesKey(p.family, p.labels);
					now.add(k);
					gaugeSeen.set(k, {family: p.family, labels: p.labels});
				} else if (delta) {
					// Counters only move forward, so the value relative to the baseline never falls.
					const k = seriesKey(p.family, p.labels);
					result.observe(instrument, Math.max(0, p.value - (baseline[k] ?? 0)), p.labels);
					pushed[k] = Math.max(pushed[k] ?? 0, p.value);
				} else {
					result.observe(instrument, p.value, p.labels);
				}
			}
			if (!delta) {
				for (const [k, g] of gaugeSeen) if (!now.has(k)) result.observe(instruments.get(g.family)!, 0, g.labels);
			} else if (ready) {
				options.onDeltaState?.({...pushed});
			}
		},
		[...instruments.values()],
	);
	return {
		flush: () => reader.forceFlush(),
		shutdown: () => provider.shutdown(),
	};
}
