/**
 * The anomaly-flag options of `summary` (and later `watch`): `--budget scope=usd` (repeatable),
 * `--config <file>` (default `$XDG_CONFIG_HOME/burn/config.yaml`, else ~/.config/burn/config.yaml)
 * and `--fail-on warn|crit`. Reads the config file; the rules themselves live in core/anomalies.
 */
import {existsSync, readFileSync} from 'node:fs';
import {homedir} from 'node:os';
import {join} from 'node:path';
import {parseBudget, parseFlagsConfig} from '../core/anomalies/config.js';
import {FlagMonitor, resolveParams, type AnomalyParams, type Evaluation, type SourceInfo} from '../core/anomalies/index.js';
import type {KeptFold} from '../core/anomalies/live.js';
import type {MonitorSnapshot} from '../core/anomalies/monitor.js';
import type {DataContext} from '../core/anomalies/types.js';
import {SEVERITY_RANK, type Flag, type Severity} from '../core/flags.js';
import type {Ledger} from '../core/ledger.js';
import type {ProblemKind} from '../core/problems.js';
import type {ActivityEvent, UsageRecord} from '../core/record.js';
import {inTimeRange, type RecordFilter} from '../core/record-filter.js';
import type {Collected} from '../ingest/read-once.js';
import {resolvePath} from '../sources/paths.js';
import {UsageError} from './errors.js';
import {commitFlagState, indexDigest, loadFlagState, loadKeptFold, prepareFlagState, saveFlagDelta, saveFlagState, type PackedKeys, type PendingFlagState} from '../ingest/flag-state.js';
import {buildId} from '../ingest/summary-cache.js';
import {foldAppend, foldContent, type FoldContent} from '../core/anomalies/fold-content.js';

export {loadFlagState, saveFlagState};
import {configDir, pricingInfo, type LoadedPrices} from './price-sheets.js';

/** Where the fold may be kept between runs (docs/flag-state.md), and what else it depended on. */
export interface FlagStateCache {
	dir: string;
	/** Anything besides the records that changes what counts or costs: issue patterns, price sheets. */
	depends: unknown;
	/** The price sheets' contents (fingerprint): a fold resumed over the same records must have priced them the same. */
	prices?: string;
}

/** The fold's cache as `summary` and `watch` both name it (so either resumes what the other kept). */
export function flagStateCache(dir: string, patterns: readonly RegExp[], prices: LoadedPrices): FlagStateCache {
	return {dir, depends: {patterns: patterns.map(String), pricing: pricingInfo(prices)}, prices: prices.fingerprint};
}

const BURN_VERSION = (() => {
	try {
		return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {version?: string}).version ?? '?';
	} catch {
		return '?';
	}
})();

export const flagOptions = {
	budget: {type: 'string', isMultiple: true},
	config: {type: 'string'},
	failOn: {type: 'string'},
} as const;

export const flagOptionsHelp = `
  Flags (anomalies)
    --budget <scope=usd>   A budget in USD: run=2, issue=5 or day=50 (UTC day); warn at 80%,
                           crit at 100% (repeatable)
    --config <file>        Flag thresholds (YAML, a "flags:" section); default, when it exists:
                           $XDG_CONFIG_HOME/burn/config.yaml (~/.config/burn/config.yaml)
    --fail-on <severity>   Exit 3 when a flag of this severity or worse was raised: warn or crit`;

/** `watch` takes the thresholds but not `--fail-on` (it never exits on its own). */
export const watchFlagOptions = {budget: flagOptions.budget, config: flagOptions.config} as const;

export const watchFlagOptionsHelp = `
  Flags (anomalies)
    --budget <scope=usd>   A budget in USD: run=2, issue=5 or day=50 (UTC day); repeatable
    --config <file>        Flag thresholds (YAML, a "flags:" section); default, when it exists:
                           $XDG_CONFIG_HOME/burn/config.yaml (~/.config/burn/config.yaml)`;

export interface FlagOptionValues {
	budget?: string[];
	config?: string;
	failOn?: string;
}

export function defaultConfigPath(env: NodeJS.ProcessEnv): string | null {
	for (const name of ['config.yaml', 'config.yml']) {
		const p = join(configDir(env), name);
		if (existsSync(p)) return p;
	}
	return null;
}

/** Thresholds: defaults, then the config file, then `--budget` (the command line wins). */
export function loadFlagParams(flags: FlagOptionValues, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): AnomalyParams {
	let path: string | null = null;
	if (flags.config !== undefined) {
		path = resolvePath(flags.config, {cwd, home: env.HOME || homedir()});
		if (!existsSync(path)) throw new UsageError(`--config ${flags.config}: no such file`, 'give the path of a YAML file with a "flags:" section');
	} else path = defaultConfigPath(env);
	let fromFile;
	if (path) {
		const parsed = parseFlagsConfig(readFileSync(path, 'utf8'));
		if (!parsed.ok) throw new UsageError(`config ${path}: ${parsed.error}`, 'see "Flags" in the README for the format');
		fromFile = parsed.override;
	}
	const budget: Partial<AnomalyParams['budget']> = {};
	for (const value of flags.budget ?? []) {
		const b = parseBudget(value);
		if (!b.ok) throw new UsageError(`--budget ${b.error}`, 'use run=2, issue=5 or day=50 (USD)');
		budget[b.scope] = b.usd;
	}
	return resolveParams(fromFile, {budget});
}

export function parseFailOn(value: string | undefined): Severity | null {
	if (value === undefined) return null;
	if (value === 'warn' || value === 'crit') return value;
	throw new UsageError(`--fail-on "${value}" is not a severity`, 'use warn or crit');
}

/**
 * What a one-shot summary's flags are judged from besides the fold itself: small, so the summary
 * kept at the index's watermark (ingest/summary-cache.ts) carries it and a warm run over
 * unchanged files resumes the kept fold without the records (`resumedFlags`).
 */
export interface FlagInputs {
	/** The counted ledger's size and money (part of the kept fold's key). */
	counted: CountedStats;
	/** Events in the range (part of the key). */
	events: number;
	sources: SourceInfo[];
	/** bosun's own alerts, every one read (filtered to the range when judged). */
	externalFlags: Flag[];
}

/** What of the counted ledger the kept fold's key names. */
export interface CountedStats {
	size: number;
	totals: Pick<Ledger['totals'], 'usdNano' | 'priced' | 'basis'>;
}

/**
 * Flags for a one-shot summary. `now` is the end of the range (the evaluation time), so stalls are
 * judged as of then. Every flag raised in the range is reported, cleared or not: a summary is a
 * record of what happened; only watch limits itself to live flags. `keep` keeps the fold for the
 * next run (flags.v8 or its delta) and gives its evaluation part, both under the key of the index
 * this read left, which `writeIndex` writes in between: the caller runs it once it has answered
 * (nothing to keep without `cache`).
 */
export function summaryFlags(collected: Collected, params: AnomalyParams, priced: boolean, filters: RecordFilter | undefined, now: number, cache?: FlagStateCache): Evaluation & {inputs: FlagInputs; keep: (writeIndex: () => void) => KeptEvaluation | null} {
	const {ledger} = collected;
	const inRange = (at: number) => inTimeRange(filters, at);
	// With --issue, keep the events of the runs counted (events often carry no issue of their own).
	const events = collected.events.filter((e) => inRange(e.at) && (filters?.issue == null || e.issue === filters.issue || ledger.runKeys.has(e.runId)));
	const inputs = flagInputs(collected, events.length);
	// Every record the monitor folds is one of ledger.records() (the counted versions), so each is priced as it is.
	const options = {params, costOf: (r: UsageRecord) => ledger.priceOf(r)?.usd ?? null};
	// Over unchanged files (the same index) the fold is the one kept from the last run: resume it,
	// evaluate at this run's `now`, and fold nothing (docs/flag-state.md).
	// Kept under the key of the index its records are in: when this read changed nothing, the one on
	// disk; else none can match exactly (the index is written after the answer, under a new digest).
	const exactKey = cache && collected.engine.indexUnchanged ? flagStateKey(cache, params, filters, inputs.counted, events.length) : null;
	// Folded the same way but over fewer items: when only new records and events came since (an
	// append), the kept fold takes just those (docs/flag-state.md); else it folds from the start.
	const base = cache ? foldBaseKey(cache, params, filters, priced) : null;
	const stored = cache ? loadKeptFold(cache.dir, exactKey, base) : null;
	const kept = stored?.exact ? stored.snapshot : null;
	const lineage = collected.engine.appendLineage();
	let monitor: FlagMonitor;
	let content: FoldContent | null = null;
	// The kept keys as stored, when the content now holds them in their order (new keys between): packed again only around the new ones.
	let packed: {keys: PackedKeys; newKeys: Uint8Array} | undefined;
	// Few new items for the kept fold, and whether the monitor asked for the history (a re-fold):
	// a kept fold that took few items and never re-folded stays as it is (a delta is written).
	let small = false;
	const refold = {asked: false};
	if (kept) monitor = FlagMonitor.resume(options, kept, () => ({records: [...ledger.records()], events}));
	else {
		const prior = stored?.fold ? {snapshot: stored.snapshot, fold: stored.fold} : null;
		// Only appended records no counting rule can touch, over the very index the fold folded: the
		// folded records are unchanged and need no fingerprint to prove it (docs/flag-state.md).
		const unchanged = prior !== null && prior.fold.index != null && prior.fold.index === lineage.from;
		const append = prior ? foldAppend(prior.fold, ledger.records(), events, unchanged) : null;
		if (prior && append) {
			// The new keys were never folded (keys: []); one landing before the position re-folds from `before`.
			monitor = FlagMonitor.resume(options, {...prior.snapshot, keys: []}, () => {
				refold.asked = true;
				return append.before();
			});
			monitor.addRecords(append.records);
			monitor.addEvents(append.events);
			content = append.now;
			if (append.newKeys && stored?.packed) packed = {keys: stored.packed, newKeys: append.newKeys};
			small = keepsKeptFold(append.records.length + append.events.length, prior.fold.keys.length + prior.fold.events.length);
		} else {
			monitor = new FlagMonitor(options);
			monitor.addDistinctRecords(ledger.records());
			monitor.addEvents(events);
		}
	}
	const judged = judge((data, at) => {
		monitor.setData(data);
		return monitor.evaluate(at);
	}, inputs, priced, filters, now);
	const evaluation = cache ? monitor.evaluationSnapshot() : null;
	let keptEvaluation: KeptEvaluation | null | undefined;
	const keep = (writeIndex: () => void): KeptEvaluation | null => {
		if (keptEvaluation !== undefined) return keptEvaluation;
		// Read after the evaluation: an item before the fold's position re-folds there at the latest.
		const delta = cache !== undefined && !kept && small && !refold.asked && stored !== null;
		// Written (to a temp file) before the index is encoded: the fingerprints and the serializer's
		// buffer are let go first (x2's peak RSS: ~60 MB less than with both at once).
		let pending: PendingFlagState | null = null;
		if (cache && !kept && !delta) {
			const snapshot = monitor.snapshot({keys: false, copy: false});
			if (snapshot) pending = prepareFlagState(cache.dir, snapshot, base ? {base, fold: content ?? foldContent(ledger.records(), events), ...(packed ? {packed} : {})} : undefined);
		}
		writeIndex();
		// The index this read left, written by now: the fold's key names it (null: none written).
		const key = cache ? flagStateKey(cache, params, filters, inputs.counted, events.length) : null;
		const written = collected.engine.appendLineage().written;
		if (cache && key && delta) saveFlagDelta(cache.dir, stored!.keptKey, written);
		else if (pending) commitFlagState(pending, key, base ? written : null);
		return (keptEvaluation = key && evaluation ? {key, snapshot: evaluation} : null);
	};
	return {...judged, inputs, keep};
}

/**
 * For `watch` (which read nothing since the cache was written): the fold kept for exactly this
 * ledger and these events, or the kept fold they extend (a small append a `summary` left as a
 * delta, docs/flag-state.md) with the items since, every folded record checked; null when neither.
 */
export function keptFoldFor(cache: FlagStateCache, key: string, params: AnomalyParams, priced: boolean, ledger: Ledger, events: readonly ActivityEvent[]): KeptFold | null {
	const stored = loadKeptFold(cache.dir, key, foldBaseKey(cache, params, undefined, priced));
	if (!stored) return null;
	if (stored.exact) return {snapshot: stored.snapshot};
	const append = stored.fold ? foldAppend(stored.fold, ledger.records(), events) : null;
	return append ? {snapshot: stored.snapshot, since: {records: append.records, events: append.events, before: append.before}} : null;
}

/**
 * Whether an append of `items` new records and events leaves the kept fold of `keptItems` as it
 * is: the next run folds them again from it (a few ms for a thousand), instead of this run
 * writing the whole fold (x1: 15 MB, ~0.15 s). Past that, or past 5 % of the fold, it is written.
 */
export function keepsKeptFold(items: number, keptItems: number): boolean {
	return items <= 1000 && items * 20 <= keptItems;
}

/** What the kept summary keeps to judge flags from without the records (`summary` and `watch` both keep it). */
export function flagInputs(counted: Pick<Collected, 'ledger' | 'sources' | 'problems' | 'externalFlags'>, events: number): FlagInputs {
	const {ledger} = counted;
	const t = ledger.totals;
	return {
		counted: {size: ledger.size, totals: {usdNano: t.usdNano, priced: t.priced, basis: {...t.basis}}},
		events,
		sources: sourceInfo(counted),
		externalFlags: counted.externalFlags,
	};
}

/** The part of a fold its evaluation reads (`FlagMonitor.evaluationSnapshot`), under the fold's key. */
export interface KeptEvaluation {
	key: string;
	snapshot: MonitorSnapshot;
}

/**
 * The flags of a summary over unchanged files, from the fold kept with the summary (or else the
 * one in flags.v8): exactly what `summaryFlags` gives over the same files, the fold evaluated at
 * `now`. Null when no fold is kept under this key (then the caller reads the records: the full path).
 */
export function resumedFlags(inputs: FlagInputs, fold: KeptEvaluation | null, params: AnomalyParams, priced: boolean, filters: RecordFilter | undefined, now: number, cache: FlagStateCache): Evaluation | null {
	const key = flagStateKey(cache, params, filters, inputs.counted, inputs.events);
	if (key === null) return null;
	if (fold && fold.key === key) return judge((data, at) => FlagMonitor.evaluateAt({params}, fold.snapshot, data, at), inputs, priced, filters, now);
	const kept = loadFlagState(cache.dir, key);
	if (!kept) return null;
	const none = (): never => {
		throw new NeedsHistory('the kept fold needs the records');
	};
	try {
		const monitor = FlagMonitor.resume({params, costOf: none}, kept, none);
		return judge((data, at) => {
			monitor.setData(data);
			return monitor.evaluate(at);
		}, inputs, priced, filters, now);
	} catch (error) {
		if (error instanceof NeedsHistory) return null;
		throw error;
	}
}

/** Thrown by a resumed fold that asks for the history a warm run does not have. */
class NeedsHistory extends Error {}

function judge(evaluate: (data: DataContext, at: number) => Evaluation, inputs: FlagInputs, priced: boolean, filters: RecordFilter | undefined, now: number): Evaluation {
	const evalAt = filters?.until != null ? Math.min(now, filters.until) : now;
	const result = evaluate({sources: inputs.sources, priced}, evalAt);
	const external = inputs.externalFlags.filter((f) => inTimeRange(filters, f.lastAt));
	const flags = [...result.flags, ...external].sort((a, b) => b.lastAt - a.lastAt || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
	return {flags, notes: result.notes};
}

/** What a fold depends on besides the items folded: the same base and the same items give the same fold. */
export function foldBaseKey(cache: FlagStateCache, params: AnomalyParams, filters: RecordFilter | undefined, priced: boolean): string {
	const noFilter = !filters || (filters.since == null && filters.until == null && filters.issue == null);
	return JSON.stringify({build: buildId(), params, filters: noFilter ? null : filters, depends: cache.depends, prices: cache.prices ?? null, priced});
}

/**
 * What a kept fold depended on (docs/flag-state.md), or null without an index. `summary` and
 * `watch` build it the same way, so either can resume what the other kept.
 */
export function flagStateKey(cache: FlagStateCache, params: AnomalyParams, filters: RecordFilter | undefined, ledger: CountedStats, events: number): string | null {
	const digest = indexDigest(cache.dir);
	if (digest === null) return null;
	const t = ledger.totals;
	const noFilter = !filters || (filters.since == null && filters.until == null && filters.issue == null);
	return JSON.stringify({burn: BURN_VERSION, index: digest, params, filters: noFilter ? null : filters, depends: cache.depends, records: ledger.size, events, usdNano: t.usdNano, priced: t.priced, basis: t.basis});
}

function sourceInfo(collected: Pick<Collected, 'sources' | 'problems'>): SourceInfo[] {
	return collected.sources.map((s) => {
		const byKind: Partial<Record<ProblemKind, number>> = {};
		for (const p of collected.problems.items) {
			if (p.path === s.path || p.path.startsWith(s.path.endsWith('/') ? s.path : `${s.path}/`)) byKind[p.kind] = (byKind[p.kind] ?? 0) + 1;
		}
		return {kind: s.kind, path: s.path, records: s.records, problems: s.problems, problemsByKind: byKind};
	});
}

/** Exit 3 (`EXIT.flagged`) when a flag at or above `failOn` was raised. */
export function failsOn(flags: readonly Flag[], failOn: Severity | null): boolean {
	if (failOn === null) return false;
	return flags.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn]);
}
