/**
 * The `burn.summary/1` document: what `summary --json` prints and what the text and markdown
 * reports render. Other tools read this contract; later changes extend it and never break it.
 */
import type {UsageRuleReport} from './counting/usage-rule.js';
import type {Flag, FlagNote} from './flags.js';
import {dimensionKey, type Dimension, type Ledger, type RunLabels} from './ledger.js';
import {ProblemLog, type Problem, type ProblemKind} from './problems.js';
import type {FidelityClass, Granularity, SourceKind, TokenField, UsageSource} from './record.js';
import {TOKEN_FIELDS} from './record.js';
import type {RecordFilter} from './record-filter.js';
import type {SourceNumbers} from './source-numbers.js';
import {fieldValue, type CostBasis, type Totals} from './totals.js';
import type {QuotaEntry} from './quota.js';

export const SUMMARY_SCHEMA = 'burn.summary/1';

export interface TokenTotalJson {
	value: number | null;
	known: number;
	missing: number;
}

export interface CostJson {
	/** Sum of priced records; a lower bound when `unpricedModels` is not empty; null when nothing was priced. */
	usd: number | null;
	basis: Record<CostBasis, number>;
	unpricedModels: string[];
	/** Reported minus computed cost, where a source stated a cost and we could price its tokens too. */
	reportedMinusComputed?: number;
	/** Unpriced records of a priced model that stated no token counts (not in `unpricedModels`). */
	unpricedWithoutTokens?: number;
}

export interface BucketJson {
	records: number;
	tokens: Record<TokenField, TokenTotalJson>;
	cost?: CostJson;
	firstAt: string | null;
	lastAt: string | null;
	/** Records counted per source kind: which source this total came from (after the counting-once rules). */
	sources?: Partial<Record<SourceKind, number>>;
}

export interface RunBucketJson extends BucketJson {
	issue: string | null;
	provider: string | null;
	model: string | null;
	source: SourceKind;
	botRole: string | null;
	exitReason: string | null;
}

/** A source root in the document: the engine's numbers (core/source-numbers.ts), these fields only. */
export type SourceJson = Pick<SourceNumbers, 'kind' | 'path' | 'files' | 'records' | 'problems'>;

export interface SummaryJson {
	schema: typeof SUMMARY_SCHEMA;
	generatedAt: string;
	range: {from: string | null; to: string | null};
	filters: {since: string | null; until: string | null; issue: string | null};
	sources: SourceJson[];
	/** Places searched that did not exist. */
	missing: Array<{kind: SourceKind; path: string}>;
	totals: BucketJson;
	byIssue: Record<string, BucketJson>;
	byRun: Record<string, RunBucketJson>;
	byModel: Record<string, BucketJson>;
	byProvider: Record<string, BucketJson>;
	bySource: Record<string, BucketJson>;
	fidelity: {
		byClass: Record<FidelityClass, number>;
		byGranularity: Record<Granularity, number>;
		usageSource: Record<UsageSource, number>;
	};
	problems: {count: number; byKind: Partial<Record<ProblemKind, number>>; items: Problem[]};
	warnings: string[];
	/** The prices applied: the embedded table's as-of date and the sheets merged over it, in order. */
	pricing?: {asOf: string; sheets: string[]};
	/** Anomaly flags raised in the range, newest first (core/anomalies; bosun's own with `external`). */
	flags?: Flag[];
	/** Flag kinds that could not judge (no vendor rate-limit data, unknown context windows). */
	flagNotes?: FlagNote[];
	/** How usage.jsonl turns and transcripts describing the same calls were counted once (core/counting/usage-rule.ts). */
	overlap?: UsageRuleReport;
	/** Vendor-reported rate-limit windows at `generatedAt`, one per provider and window (core/quota.ts). */
	quota?: QuotaEntry[];
}

export interface SummaryInput {
	/** The ledger that counts (after the counting-once rules and filters). */
	ledger: Ledger;
	sources: readonly SourceNumbers[];
	missing: ReadonlyArray<{kind: SourceKind; path: string}>;
	/** Problems in the files read (the ledger's dedup conflicts are added here). */
	problems: ProblemLog;
	filters?: RecordFilter;
	/** Whether a pricer was applied (cost fields are present only then). */
	priced: boolean;
	now?: Date;
	/** How many problem items to list (all counts are kept). */
	maxProblemItems?: number;
	/** Notices for the reader (an index discarded, …), after the schema-version warnings. */
	warnings?: readonly string[];
	/** The usage.jsonl rule's report (`overlap`, when a usage.jsonl turn names a workspace). */
	usageRule?: UsageRuleReport | null;
	/**
	 * Records per source kind for every bucket (`sources`): a pass over every record, so the
	 * one-shot reports ask for it and the live view does not (it gets `totals.sources` only).
	 */
	bucketSources?: boolean;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function bucketJson(t: Totals, priced: boolean): BucketJson {
	const tokens = {} as Record<TokenField, TokenTotalJson>;
	for (const f of TOKEN_FIELDS) {
		const ft = t.tokens[f];
		tokens[f] = {value: fieldValue(ft), known: ft.known, missing: ft.missing};
	}
	const out: BucketJson = {records: t.records, tokens, firstAt: iso(t.firstAt), lastAt: iso(t.lastAt)};
	if (priced) out.cost = costJson(t);
	return out;
}

export function costJson(t: Totals): CostJson {
	const out: CostJson = {
		usd: t.priced > 0 ? roundUsd(t.usd) : null,
		basis: {...t.basis},
		unpricedModels: [...t.unpricedModels.keys()].sort(),
	};
	if (t.reportedDelta !== 0) out.reportedMinusComputed = roundUsd(t.reportedDelta);
	let byModel = 0;
	for (const n of t.unpricedModels.values()) byModel += n;
	if (t.basis.unpriced > byModel) out.unpricedWithoutTokens = t.basis.unpriced - byModel;
	return out;
}

/** Cost sums are kept to a millionth of a dollar; float noise beyond that is not information. */
export function roundUsd(usd: number): number {
	return Math.round(usd * 1e6) / 1e6;
}

/**
 * The rows of the last document built from a ledger, reused while their totals (and a run's
 * labels) are unchanged: the live view rebuilds the document on every publish, and most rows did
 * not move. A row given `sources` (the one-shot reports) is rebuilt. With the same keys, a
 * dimension's object is copied and only changed rows replaced (no sort); unchanged, it is reused.
 */
interface CachedRow {
	totals: Totals;
	changes: number;
	labels: RunLabels | undefined;
	json: BucketJson;
}
interface DimensionCache {
	rows: Map<string, CachedRow>;
	out: Record<string, BucketJson> | null;
}
const rowCaches = new WeakMap<Ledger, {priced: boolean; dims: Record<Dimension, DimensionCache>}>();

function dimensionCaches(ledger: Ledger, priced: boolean): Record<Dimension, DimensionCache> {
	let c = rowCaches.get(ledger);
	if (!c || c.priced !== priced) {
		const empty = (): DimensionCache => ({rows: new Map(), out: null});
		c = {priced, dims: {issue: empty(), run: empty(), model: empty(), provider: empty(), source: empty()}};
		rowCaches.set(ledger, c);
	}
	return c.dims;
}

function dimensionJson<B extends BucketJson>(
	map: Map<string, Totals>,
	cache: DimensionCache,
	labelsOf: (key: string) => RunLabels | undefined,
	make: (t: Totals, labels: RunLabels | undefined) => B,
): Record<string, B> {
	const fresh = (c: CachedRow | undefined, t: Totals, labels: RunLabels | undefined) =>
		c !== undefined && c.totals === t && c.changes === t.changes && c.labels === labels && c.json.sources === undefined;
	if (cache.out !== null && cache.rows.size === map.size) {
		let changed: string[] | null = null;
		let sameKeys = true;
		for (const [key, t] of map) {
			const c = cache.rows.get(key);
			if (c === undefined) {
				sameKeys = false;
				break;
			}
			if (!fresh(c, t, labelsOf(key))) (changed ??= []).push(key);
		}
		if (sameKeys) {
			if (changed === null) return cache.out as Record<string, B>;
			const out = {...cache.out};
			for (const key of changed) {
				const t = map.get(key)!;
				const labels = labelsOf(key);
				const json = make(t, labels);
				cache.rows.set(key, {totals: t, changes: t.changes, labels, json});
				out[key] = json;
			}
			cache.out = out;
			return out as Record<string, B>;
		}
	}
	const out: Record<string, BucketJson> = {};
	const rows = new Map<string, CachedRow>();
	for (const key of [...map.keys()].sort()) {
		const t = map.get(key)!;
		const labels = labelsOf(key);
		const c = cache.rows.get(key);
		const json = fresh(c, t, labels) ? c!.json : make(t, labels);
		rows.set(key, {totals: t, changes: t.changes, labels, json});
		out[key] = json;
	}
	cache.rows = rows;
	cache.out = out;
	return out as Record<string, B>;
}

export function buildSummary(input: SummaryInput): SummaryJson {
	const {ledger, priced} = input;
	ledger.settleRanges();
	const cache = dimensionCaches(ledger, priced);
	const noLabels = () => undefined;
	const dimension = (d: Dimension) => dimensionJson(ledger.by[d], cache[d], noLabels, (t) => bucketJson(t, priced));
	const byRun = dimensionJson(
		ledger.by.run,
		cache.run,
		(key) => ledger.runLabels.get(key),
		(t, labels): RunBucketJson => {
			// The bucket's fields, then the run's labels (added to the bucket, not copied into a new object).
			const run = bucketJson(t, priced) as RunBucketJson;
			run.issue = labels?.issue ?? null;
			run.provider = labels?.provider ?? null;
			run.model = labels?.model ?? null;
			run.source = labels?.source ?? 'symphony';
			run.botRole = labels?.botRole ?? null;
			run.exitReason = labels?.exitReason ?? null;
			return run;
		},
	);
	// The files' problems, then the ledger's dedup conflicts (every item kept here; the list is cut below).
	const problems = new ProblemLog(Infinity);
	problems.merge(input.problems);
	problems.merge(ledger.conflicts);
	const warnings: string[] = [];
	for (const p of problems.items) {
		if (p.kind === 'schema-version') warnings.push(`${p.path}: ${p.reason}`);
	}
	if (input.warnings) warnings.push(...input.warnings);
	const f = input.filters;
	const doc: SummaryJson = {
		schema: SUMMARY_SCHEMA,
		generatedAt: (input.now ?? new Date()).toISOString(),
		range: {from: iso(ledger.totals.firstAt), to: iso(ledger.totals.lastAt)},
		filters: {since: iso(f?.since ?? null), until: iso(f?.until ?? null), issue: f?.issue ?? null},
		sources: input.sources.map((s): SourceJson => ({kind: s.kind, path: s.path, files: s.files, records: s.records, problems: s.problems})),
		missing: input.missing.map((m) => ({kind: m.kind, path: m.path})),
		totals: bucketJson(ledger.totals, priced),
		byIssue: dimension('issue'),
		byRun,
		byModel: dimension('model'),
		byProvider: dimension('provider'),
		bySource: dimension('source'),
		fidelity: {
			byClass: {...ledger.totals.byClass},
			byGranularity: {...ledger.totals.byGranularity},
			usageSource: {...ledger.totals.usageSource},
		},
		problems: {
			count: problems.count,
			byKind: problems.byKind,
			items: problems.items.slice(0, input.maxProblemItems ?? 200),
		},
		warnings,
	};
	if (input.bucketSources) addBucketSources(doc, ledger);
	else doc.totals.sources = sourceTotals(ledger);
	const usage = input.usageRule;
	if (usage && usage.candidateTurns > 0) doc.overlap = {...usage};
	return doc;
}

/** Records per source kind from the ledger's own totals (no pass over the records). */
function sourceTotals(ledger: Ledger): Partial<Record<SourceKind, number>> {
	const total: Partial<Record<SourceKind, number>> = {};
	for (const [kind, t] of ledger.by.source) if (t.records > 0) total[kind as SourceKind] = t.records;
	return total;
}

const COUNTED_DIMENSIONS = ['issue', 'run', 'model', 'provider'] as const;

/**
 * Records counted per source kind, for each bucket of each dimension (which source each total
 * came from): one pass over the records for all four, buckets in first-seen order.
 */
function sourceCounts(ledger: Ledger): Array<Map<string, Partial<Record<SourceKind, number>>>> {
	const out = COUNTED_DIMENSIONS.map(() => new Map<string, Partial<Record<SourceKind, number>>>());
	// Neighbouring records mostly share their run, issue and model: the last bucket is tried first.
	const lastKey: Array<string | null> = COUNTED_DIMENSIONS.map(() => null);
	const lastCounts: Array<Partial<Record<SourceKind, number>>> = COUNTED_DIMENSIONS.map(() => ({}));
	for (const r of ledger.records()) {
		for (let d = 0; d < COUNTED_DIMENSIONS.length; d++) {
			const key = dimensionKey(r, COUNTED_DIMENSIONS[d]!);
			let counts: Partial<Record<SourceKind, number>> | undefined;
			if (key === lastKey[d]) counts = lastCounts[d]!;
			else {
				const map = out[d]!;
				counts = map.get(key);
				if (!counts) map.set(key, (counts = {}));
				lastKey[d] = key;
				lastCounts[d] = counts;
			}
			counts[r.source] = (counts[r.source] ?? 0) + 1;
		}
	}
	return out;
}

/** `sources` on every bucket, and in the totals. */
function addBucketSources(doc: SummaryJson, ledger: Ledger): void {
	const total: Partial<Record<SourceKind, number>> = {};
	const buckets: Array<Record<string, BucketJson>> = [doc.byIssue, doc.byRun, doc.byModel, doc.byProvider];
	const counted = sourceCounts(ledger);
	for (let d = 0; d < COUNTED_DIMENSIONS.length; d++) {
		for (const [key, counts] of counted[d]!) {
			const bucket = buckets[d]![key];
			if (bucket) bucket.sources = counts;
			if (d === 0) for (const [k, n] of Object.entries(counts)) total[k as SourceKind] = (total[k as SourceKind] ?? 0) + n;
		}
	}
	doc.totals.sources = total;
}
