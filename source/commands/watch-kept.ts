/**
 * `watch` over files that did not change since the last full read: the first full frame is drawn
 * from the summary kept at the index's watermark (kept-summary.ts) while the engine restores the
 * index and counts, and the engine's first real snapshot replaces it. The rule is the one
 * `summary --once` answers by: the same key and every file as the kept manifest says, else the
 * kept result is not shown at all (the screen says "reading…" as on a cold start). So the kept
 * totals are the totals of the files on disk now; what needs the records (recent rates, a run's
 * turns) says it is not known yet. On quit, `watch` keeps its own count the same way.
 */
import {liveFlags} from '../core/anomalies/monitor.js';
import type {AnomalyParams} from '../core/anomalies/params.js';
import {Ledger} from '../core/ledger.js';
import {recordQuotaSamples} from '../core/quota.js';
import type {LiveSnapshot, LiveStore} from '../core/snapshot.js';
import type {Pricer} from '../core/totals.js';
import {buildDocument, minutePoints} from '../ingest/document.js';
import {LIVE_EXTERNAL_MS, type Engine} from '../ingest/engine.js';
import type {SourceDefinition} from '../sources/types.js';
import {flagInputs, resumedFlags, type FlagStateCache, type KeptEvaluation} from './flag-options.js';
import {KeptDocument, keepSummary, loadKept, NO_FILTER, packMinutes, unpackMinutes, warmDepends, type WarmDepends} from './kept-summary.js';
import type {DiscoveryResult} from '../ingest/discover.js';
import {SOURCES} from '../sources/registry.js';
import type {LoadedPrices} from './price-sheets.js';

const DAY = 24 * 60 * 60_000;

export interface KeptJudge {
	params: AnomalyParams;
	pricer: Pricer | undefined;
	cache: FlagStateCache;
	now: number;
}

/**
 * The kept result as a live snapshot (not ready: the header says it is reading), or null when
 * nothing is kept under this key, a file changed since, or the flags cannot be judged without
 * the records (unknown flags are not shown as none).
 */
export function keptSnapshot(dir: string, depends: WarmDepends, sources: readonly SourceDefinition[], judge: KeptJudge): LiveSnapshot | null {
	const loaded = loadKept(dir, depends, sources);
	if (!loaded) return null;
	const {payload, doc} = loaded;
	const {params, now} = judge;
	const priced = judge.pricer !== undefined;
	// Judged as the live hook judges: no per-source facts, then only the flags still live now.
	const evaluation = resumedFlags({...payload.flags, sources: []}, payload.fold, params, priced, undefined, now, judge.cache);
	if (!evaluation) return null;
	const own = evaluation.flags.filter((f) => f.external === undefined);
	const external = evaluation.flags.filter((f) => f.external !== undefined && f.lastAt >= now - LIVE_EXTERNAL_MS);
	return {
		revision: -1,
		now,
		doc: doc.parse(new Date(now).toISOString()),
		minutes: unpackMinutes(payload.minutes, now - DAY),
		flags: [...liveFlags(own, now, params), ...external],
		sources: payload.sources,
		// No record is decoded: drill-down to turns and recent rates wait for the engine.
		ledger: new Ledger({pricer: judge.pricer}),
		ready: false,
		kept: {quota: payload.quota},
	};
}

export interface WatchKeptOptions {
	/** The roots the engine reads (found once, by the caller). */
	discovery: DiscoveryResult;
	patterns: readonly RegExp[];
	prices: LoadedPrices;
	params: AnomalyParams;
	/** The fold's cache (its dir is the cache dir). */
	cache: FlagStateCache;
	now: number;
}

/** What `watch` shows first with these options: the kept result, when there is one for them and nothing changed. */
export function watchKeptSnapshot(o: WatchKeptOptions): LiveSnapshot | null {
	const depends = warmDepends(o.discovery, NO_FILTER, o.patterns, o.prices);
	return keptSnapshot(o.cache.dir, depends, SOURCES, {params: o.params, pricer: o.prices.pricer, cache: o.cache, now: o.now});
}

/**
 * The engine's store, showing a kept snapshot (offered once it is loaded) until the engine's
 * first full read is done; the engine's progress goes on the kept frame. Everything that acts on
 * snapshots (notifications, metrics) waits for `ready`, which a kept snapshot never is.
 */
export class KeptStore implements LiveStore {
	private kept: LiveSnapshot | null = null;
	private base: LiveSnapshot | null = null;
	private shown: LiveSnapshot | null = null;
	private readonly listeners = new Set<() => void>();

	constructor(private readonly inner: LiveStore) {}

	/** Shows `kept` until the engine is ready (a no-op once it is). */
	offer(kept: LiveSnapshot | null): void {
		if (!kept || this.inner.getSnapshot().ready) return;
		this.kept = kept;
		this.shown = null;
		for (const l of [...this.listeners]) l();
	}

	subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		const off = this.inner.subscribe(listener);
		return () => {
			this.listeners.delete(listener);
			off();
		};
	};

	getSnapshot = (): LiveSnapshot => {
		const s = this.inner.getSnapshot();
		if (s.ready || this.kept === null) {
			// The read is done: the kept result is never shown again.
			if (s.ready) this.kept = null;
			return s;
		}
		if (s !== this.base || this.shown === null) {
			this.base = s;
			this.shown = {...this.kept, now: Math.max(this.kept.now, s.now), ...(s.progress ? {progress: s.progress} : {})};
		}
		return this.shown;
	};
}

/**
 * After the index is written on quit: keeps this run's count as `summary --once` would have kept
 * it over the same files, so the next `watch` or `summary --once` starts warm. Nothing is kept
 * when the index does not hold exactly this state (`Engine.manifest`) or the count on screen is
 * older than the records (a re-count was due): the kept summary is then left as it was, and
 * misses on its own (its key names the index it was counted from).
 */
export function keepWatched(engine: Engine, dir: string, names: {patterns: readonly RegExp[]; prices: LoadedPrices}, now: number, final: {fold: KeptEvaluation; ledger: Ledger; events: number} | null): void {
	if (!engine.ready) return;
	const manifest = engine.manifest();
	if (!manifest) return;
	const parts = engine.parts();
	if (parts.counting.dueAt !== null) return;
	const ledger = parts.counting.ledger;
	const depends = warmDepends(engine.discovery, NO_FILTER, names.patterns, names.prices);
	const built = buildDocument(parts, {now, priced: depends.pricing.priced, filters: NO_FILTER, warnings: [], detail: 'full'});
	const events = engine.events().length;
	keepSummary(dir, depends, manifest, KeptDocument.of(built), {
		flags: flagInputs({ledger, sources: parts.sources, problems: parts.problems, externalFlags: parts.externalFlags}, events),
		// The live fold's evaluation part when it folded exactly this count; else a warm run resumes flags.v8.
		fold: final && final.ledger === ledger && final.events === events ? final.fold : null,
		quota: recordQuotaSamples(ledger.records()),
		minutes: packMinutes(minutePoints(ledger, now)),
		sources: parts.sources,
	});
}
