/**
 * What the watch table shows: a pure function of a snapshot and the UI's view, drill path, sort
 * and filter. Every string that came from a file is sanitized here, before any component sees it.
 */
import {recordFidelity} from '../../core/fidelity.js';
import {SEVERITY_RANK, type Flag, type Severity} from '../../core/flags.js';
import {formatCount, PARTIAL_MARK, UNKNOWN} from '../../core/format.js';
import {NO_ISSUE, UNKNOWN_MODEL} from '../../core/ledger.js';
import type {UsageRecord} from '../../core/record.js';
import {formatCost, formatTokenTotal} from '../../core/report.js';
import {docRunLabels} from '../../core/run-id.js';
import {sanitize} from '../../core/sanitize.js';
import type {LiveSnapshot} from '../../core/snapshot.js';
import type {BucketJson, RunBucketJson, SummaryJson, TokenTotalJson} from '../../core/summary.js';
import type {Level, RateUnit} from './watch-columns.js';
import {clockTime, formatAge, formatDuration, formatRate, rateOf, recentSpend, type RecentSpend} from './watch-rates.js';

export type ViewName = 'issues' | 'runs' | 'models' | 'providers';
export const VIEWS: readonly ViewName[] = ['issues', 'runs', 'models', 'providers'];
export type ItemDim = 'issue' | 'run' | 'model' | 'provider';
export const VIEW_DIM: Record<ViewName, ItemDim> = {issues: 'issue', runs: 'run', models: 'model', providers: 'provider'};
export const VIEW_TITLE: Record<ViewName, string> = {issues: 'Issues', runs: 'Runs', models: 'Models', providers: 'Providers'};

export type SortMode = 'recent' | 'total' | 'last' | 'name';
export const SORTS: readonly SortMode[] = ['recent', 'total', 'last', 'name'];
export const SORT_TITLE: Record<SortMode, string> = {recent: 'recent spend', total: 'total spend', last: 'last activity', name: 'name'};

export interface DrillStep {
	dim: ItemDim;
	id: string;
}

/** measured: every record stated its tokens; partial: some did; unknown: none did. */
export type FidelityMark = 'measured' | 'partial' | 'unknown';
export const FIDELITY_GLYPH: Record<FidelityMark, string> = {measured: '●', partial: '◐', unknown: '○'};

export interface WatchRow {
	id: string;
	cells: Record<string, string>;
	flag: Severity | null;
	fidelity: FidelityMark;
	/** Where Enter goes from this row, if anywhere. */
	drill: DrillStep | null;
	sort: {recent: number; total: number; last: number; name: string};
	/** Lower-cased text `/` matches against. */
	search: string;
}

export interface ModelQuery {
	view: ViewName;
	path: readonly DrillStep[];
	filter: string;
	/** The clock for ages and recent rates. */
	now: number;
}

export interface WatchModel {
	level: Level;
	nameHeader: string;
	priced: boolean;
	unit: RateUnit;
	/** Filtered, unsorted. */
	rows: WatchRow[];
	/** Rows before the filter. */
	total: number;
	crumbs: string[];
}

export function levelOf(path: readonly DrillStep[]): Level {
	if (path.length === 0) return 'list';
	return path[path.length - 1]!.dim === 'run' ? 'turns' : 'runs';
}

export function isPriced(doc: SummaryJson): boolean {
	return doc.totals.cost !== undefined;
}

export function buildWatchModel(snapshot: LiveSnapshot, q: ModelQuery): WatchModel {
	const doc = snapshot.doc;
	const priced = isPriced(doc);
	const unit: RateUnit = priced ? 'usd/h' : 'tok/min';
	const recent = recentSpend(snapshot, q.now);
	const level = levelOf(q.path);
	let labels: Map<string, string> | null = null;
	const ctx: RowContext = {snapshot, priced, recent, now: q.now, flags: flagIndex(snapshot.flags, doc), labels: () => (labels ??= docRunLabels(doc.byRun))};
	let rows: WatchRow[];
	let nameHeader = 'Name';
	if (level === 'list') {
		const dim = VIEW_DIM[q.view];
		nameHeader = {issue: 'Issue', run: 'Run', model: 'Model', provider: 'Provider'}[dim];
		rows = listRows(ctx, dim);
	} else if (level === 'runs') {
		rows = runRows(ctx, q.path[q.path.length - 1]!);
	} else {
		rows = turnRows(ctx, q.path[q.path.length - 1]!.id);
	}
	const needle = q.filter.trim().toLowerCase();
	const filtered = needle === '' ? rows : rows.filter((r) => r.search.includes(needle));
	return {level, nameHeader, priced, unit, rows: filtered, total: rows.length, crumbs: crumbs(q.view, q.path, q.path.some((p) => p.dim === 'run') ? ctx.labels() : undefined)};
}

export function crumbs(view: ViewName, path: readonly DrillStep[], labels?: ReadonlyMap<string, string>): string[] {
	return [VIEW_TITLE[view], ...path.map((s) => (s.dim === 'run' ? `run ${labels?.get(s.id) ?? shortRun(s.id)}` : sanitize(s.id)))];
}

export function shortRun(id: string): string {
	return sanitize(id).slice(0, 8);
}


interface RowContext {
	snapshot: LiveSnapshot;
	priced: boolean;
	recent: RecentSpend;
	now: number;
	flags: FlagIndex;
	/** Distinguishing short labels of every run id (core/run-id.ts), built once per model. */
	labels: () => Map<string, string>;
}

function listRows(ctx: RowContext, dim: ItemDim): WatchRow[] {
	const doc = ctx.snapshot.doc;
	const map: Record<string, BucketJson> = {issue: doc.byIssue, run: doc.byRun, model: doc.byModel, provider: doc.byProvider}[dim];
	const labels = dim === 'run' ? ctx.labels() : null;
	return Object.entries(map).map(([key, b]) => {
		const run = dim === 'run' ? (b as RunBucketJson) : null;
		const name = run ? `${labels!.get(key) ?? shortRun(key)} ${run.issue ? sanitize(run.issue) : ''}`.trim() : sanitize(key);
		const row = bucketRow(ctx, dim, key, b, name);
		row.drill = {dim, id: key};
		if (run) {
			row.cells.model = run.model ? sanitize(run.model) : UNKNOWN;
			row.cells.provider = run.provider ? sanitize(run.provider) : UNKNOWN;
			row.search = `${key} ${run.issue ?? ''} ${run.model ?? ''} ${run.provider ?? ''}`.toLowerCase();
		}
		return row;
	});
}

function runRows(ctx: RowContext, parent: DrillStep): WatchRow[] {
	const out: WatchRow[] = [];
	for (const [runId, run] of Object.entries(ctx.snapshot.doc.byRun)) {
		const key = {issue: run.issue ?? NO_ISSUE, model: run.model ?? UNKNOWN_MODEL, provider: run.provider ?? UNKNOWN_MODEL, run: runId}[parent.dim];
		if (key !== parent.id) continue;
		const row = bucketRow(ctx, 'run', runId, run, ctx.labels().get(runId) ?? shortRun(runId));
		const firstAt = run.firstAt ? Date.parse(run.firstAt) : null;
		Object.assign(row.cells, {
			provider: run.provider ? sanitize(run.provider) : UNKNOWN,
			model: run.model ? sanitize(run.model) : UNKNOWN,
			role: run.botRole ? roleShort(sanitize(run.botRole)) : UNKNOWN,
			started: clockTime(firstAt),
			exit: run.exitReason ? sanitize(run.exitReason) : UNKNOWN,
		});
		row.drill = {dim: 'run', id: runId};
		row.search = `${runId} ${run.model ?? ''} ${run.provider ?? ''} ${run.botRole ?? ''} ${run.exitReason ?? ''}`.toLowerCase();
		out.push(row);
	}
	return out;
}

function turnRows(ctx: RowContext, runId: string): WatchRow[] {
	const {ledger} = ctx.snapshot;
	return ledger.runRecords(runId).map((r) => {
		const cost = ledger.costOf(r.key);
		const usd = cost?.usd ?? null;
		const t = r.tokens;
		const cache = t.cacheRead === null && t.cacheWrite === null ? null : (t.cacheRead ?? 0) + (t.cacheWrite ?? 0);
		const partialCache = cache !== null && (t.cacheRead === null || t.cacheWrite === null);
		const count = (n: number | null) => (n === null ? UNKNOWN : formatCount(n));
		const model = r.model ? sanitize(r.model) : UNKNOWN;
		return {
			id: r.key,
			cells: {
				name: clockTime(r.at, true),
				model,
				input: count(t.input),
				output: count(t.output),
				cache: cache === null ? UNKNOWN : formatCount(cache) + (partialCache ? PARTIAL_MARK : ''),
				cost: usd === null ? 'unpriced' : formatRate(usd, true),
				duration: formatDuration(r.startedAt === null ? null : r.at - r.startedAt),
			},
			flag: ctx.flags.forTurn(r),
			fidelity: recordMark(r),
			drill: null,
			sort: {recent: r.at, total: usd ?? t.total ?? 0, last: r.at, name: String(r.at).padStart(15, '0')},
			search: `${r.model ?? ''} ${clockTime(r.at, true)} ${r.turn ?? ''}`.toLowerCase(),
		};
	});
}

function bucketRow(ctx: RowContext, dim: ItemDim, key: string, b: BucketJson, name: string): WatchRow {
	const spend = ctx.recent.by[dim].get(key);
	const lastAt = b.lastAt ? Date.parse(b.lastAt) : null;
	// Kept totals without their records: the recent rate is not known yet (never `·`, which says idle).
	let rate = ctx.snapshot.kept ? UNKNOWN : '·';
	let rateValue = 0;
	if (spend && spend.records > 0) {
		rateValue = rateOf(spend, ctx.priced);
		if (ctx.priced && spend.unpriced === spend.records) rate = 'unpriced';
		else rate = (ctx.priced && spend.unpriced > 0 ? '≥' : '') + formatRate(rateValue, ctx.priced);
	}
	return {
		id: key,
		cells: {
			name,
			turns: formatCount(b.records, false),
			input: formatTokenTotal(b.tokens.input),
			output: formatTokenTotal(b.tokens.output),
			cache: formatTokenTotal(sumTokens(b.tokens.cacheRead, b.tokens.cacheWrite)),
			cost: formatCost(b.cost) || 'unpriced',
			rate,
			last: formatAge(lastAt, ctx.now),
		},
		flag: ctx.flags.forItem(dim, key),
		fidelity: bucketMark(b),
		drill: null,
		sort: {recent: quantize(rateValue), total: b.cost?.usd ?? b.tokens.total.value ?? 0, last: lastAt ?? 0, name: name.toLowerCase()},
		search: name.toLowerCase(),
	};
}

/** Two significant digits: small wobbles in a rate do not reorder rows. */
function quantize(x: number): number {
	return x === 0 ? 0 : Number(x.toPrecision(2));
}

function sumTokens(a: TokenTotalJson, b: TokenTotalJson): TokenTotalJson {
	const value = a.value === null && b.value === null ? null : (a.value ?? 0) + (b.value ?? 0);
	return {value, known: Math.min(a.known, b.known), missing: Math.max(a.missing, b.missing)};
}

function roleShort(role: string): string {
	return role === 'developer' ? 'dev' : role === 'reviewer' ? 'rev' : role;
}

export function bucketMark(b: BucketJson): FidelityMark {
	const {input, output} = b.tokens;
	if (input.missing === 0 && output.missing === 0 && input.known > 0) return 'measured';
	return input.known > 0 || output.known > 0 ? 'partial' : 'unknown';
}

export function recordMark(r: UsageRecord): FidelityMark {
	if (r.tokens.input === null && r.tokens.output === null) return 'unknown';
	const c = recordFidelity(r);
	return r.usageSource === 'provider_reported' && (c === 'full' || c === 'usage-only') ? 'measured' : 'partial';
}

interface FlagIndex {
	forItem(dim: ItemDim, key: string): Severity | null;
	forTurn(r: UsageRecord): Severity | null;
}

/** Highest severity per item; a run's flags also mark its issue, model and provider. */
function flagIndex(flags: readonly Flag[], doc: SummaryJson): FlagIndex {
	const marks = new Map<string, Severity>();
	const mark = (dim: string, key: string, s: Severity) => {
		const k = `${dim}\0${key}`;
		const was = marks.get(k);
		if (!was || SEVERITY_RANK[s] > SEVERITY_RANK[was]) marks.set(k, s);
	};
	for (const f of flags) {
		mark(f.scope.type, f.scope.id, f.severity);
		if (f.scope.type === 'run') {
			const run = doc.byRun[f.scope.id];
			if (run) {
				mark('issue', run.issue ?? NO_ISSUE, f.severity);
				mark('model', run.model ?? UNKNOWN_MODEL, f.severity);
				mark('provider', run.provider ?? UNKNOWN_MODEL, f.severity);
			}
		}
	}
	return {
		forItem: (dim, key) => marks.get(`${dim}\0${key}`) ?? null,
		forTurn(r) {
			let best: Severity | null = null;
			for (const f of flags) {
				if (f.scope.type !== 'run' || f.scope.id !== r.runId || r.at < f.firstAt || r.at > f.lastAt) continue;
				if (!best || SEVERITY_RANK[f.severity] > SEVERITY_RANK[best]) best = f.severity;
			}
			return best;
		},
	};
}

/** Who a flag is about, briefly: a run's issue and short id, else the scope's id. Sanitized. */
export function flagSubject(flag: Flag, doc: SummaryJson, labels?: ReadonlyMap<string, string>): string {
	if (flag.scope.type === 'run') {
		const issue = doc.byRun[flag.scope.id]?.issue;
		const id = labels?.get(flag.scope.id) ?? shortRun(flag.scope.id);
		return issue ? `${sanitize(issue)} ${id}` : `run ${id}`;
	}
	return sanitize(flag.scope.id);
}
