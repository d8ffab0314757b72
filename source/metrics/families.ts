/**
 * The metrics burn exports, by their OpenTelemetry names (docs/metrics.md lists them with their
 * Prometheus names). Counters are cumulative and never go down (metrics/retraction.ts); each has
 * a `.retracted` sibling holding what was withdrawn from it. Gauges are current values.
 */
import {prometheusName, type MetricKind} from './names.js';

export interface MetricFamily {
	/** OpenTelemetry name. */
	name: string;
	unit: string;
	kind: MetricKind;
	description: string;
	/** Every label the family may carry (a point carries a subset). */
	labels: readonly string[];
}

/** Which high-cardinality attributes are kept (`--labels`). */
export interface LabelChoice {
	issue: boolean;
	run: boolean;
}

export const DEFAULT_LABELS: LabelChoice = {issue: true, run: false};

const SERIES = ['provider', 'model', 'source', 'issue', 'run'] as const;

export const TOKEN_TYPES = ['input', 'cache_read', 'cache_write', 'output'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

export const COUNTERS: readonly MetricFamily[] = [
	{
		name: 'burn.token.usage',
		unit: 'tokens',
		kind: 'counter',
		description:
			'Tokens counted, by type: input (the uncached part), cache_read, cache_write, output. The types are disjoint: their sum is the total. Records that did not state a type are in burn.records.unstated, never counted as 0.',
		labels: ['type', ...SERIES],
	},
	{
		name: 'burn.cost.usage',
		unit: 'USD',
		kind: 'counter',
		description: 'Cost of the priced records, USD, by how it was arrived at (basis: computed, reported, estimated). Unpriced records are in burn.records.unpriced.',
		labels: [...SERIES, 'basis'],
	},
	{name: 'burn.records', unit: '{record}', kind: 'counter', description: 'Records counted (billable calls or turns, after dedup).', labels: SERIES},
	{name: 'burn.records.unpriced', unit: '{record}', kind: 'counter', description: 'Records with no price (no rate for the model, or no token counts).', labels: ['provider', 'model']},
	{
		name: 'burn.records.unstated',
		unit: '{record}',
		kind: 'counter',
		description: 'Records that did not state a token field (field: input, cache_read, cache_write, output): their tokens are unknown, not 0.',
		labels: ['field', 'provider', 'model', 'source'],
	},
];

/** What was withdrawn from a counter (a file truncated or replaced, a record re-attributed): `<name>.retracted`. */
export function retractedFamily(f: MetricFamily): MetricFamily {
	return {
		...f,
		name: `${f.name}.retracted`,
		description: `Withdrawn from ${f.name} after it was exported (a source file shrank or was replaced, or a record moved to other labels). ${f.name} never goes down; ${f.name} minus this is what burn counts now.`,
	};
}

export const GAUGES: readonly MetricFamily[] = [
	{name: 'burn.spend.rate', unit: 'USD/h', kind: 'gauge', description: 'Spend rate over the last 5 minutes of records, USD per hour (issues with priced records in the window).', labels: ['issue']},
	{name: 'burn.flags.active', unit: '{flag}', kind: 'gauge', description: 'Live anomaly flags, by kind, severity, scope type and issue.', labels: ['kind', 'severity', 'scope', 'issue']},
	{name: 'burn.quota.used', unit: '1', kind: 'gauge', description: 'Vendor-reported rate-limit window use (0–1), latest sample per provider and window.', labels: ['provider', 'window']},
	{name: 'burn.source.problems', unit: '{problem}', kind: 'gauge', description: 'Problems in the data of a source root (bad lines, incomplete records, …).', labels: ['source', 'path']},
	{name: 'burn.source.last_record', unit: 's', kind: 'gauge', description: 'Unix time of the newest record per source kind.', labels: ['source']},
	{name: 'burn.engine.ready', unit: '', kind: 'gauge', description: '1 once the first full read finished (counters are exported only then).', labels: []},
];

export const FAMILIES: readonly MetricFamily[] = [...COUNTERS, ...COUNTERS.map(retractedFamily), ...GAUGES];

export function familyByName(name: string): MetricFamily | undefined {
	return FAMILIES.find((f) => f.name === name);
}

export function promNameOf(f: MetricFamily): string {
	return prometheusName(f.name, f.unit, f.kind);
}

/** `--labels issue,run` / `--labels none`. Returns an error message for an unknown name. */
export function parseLabelChoice(values: readonly string[]): LabelChoice | string {
	const out: LabelChoice = {issue: false, run: false};
	for (const v of values.flatMap((s) => s.split(','))) {
		const name = v.trim();
		if (name === '' || name === 'none') continue;
		if (name !== 'issue' && name !== 'run') return `--labels ${v}: the optional labels are issue and run (or none)`;
		out[name] = true;
	}
	return out;
}
