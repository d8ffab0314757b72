/**
 * Spend rules: A1 spend spike (a run's rate vs its own recent minutes, or its model's pool when the
 * run is young), A2 run cost outlier (vs completed peer runs), A3 budget burn (run/issue/day).
 * Dollar rules judge in tokens, and say so, when more than 5% of the scope is unpriced.
 */
import {formatCount, formatUsd} from '../format.js';
import type {UsageRecord} from '../record.js';
import {minutes} from './params.js';
import {bagAdd, bagMedian, bagRemove, bagRobustBaseline, newBag, type SortedBag} from './order-stats.js';
import {ewmaStep, ewmaUpdate, robustBaseline, robustZ, type Ewma, type RobustBaseline} from './stats.js';
import {shortId, type Detector, type FoldContext} from './types.js';

const MIN = 60_000;
/** How often (event-time minutes) slow-moving baselines refresh: A1's model pool, A2's completed peers. */
const SWEEP_MINUTES = 5;
type Unit = 'usd' | 'tokens';

interface Amount {
	usd: number;
	tokens: number;
	priced: number;
	unpriced: number;
}

const emptyAmount = (): Amount => ({usd: 0, tokens: 0, priced: 0, unpriced: 0});

function addAmount(a: Amount, usd: number | null, tokens: number | null): void {
	if (usd === null) a.unpriced++;
	else {
		a.usd += usd;
		a.priced++;
	}
	a.tokens += tokens ?? 0;
}

function unitOf(a: Amount, fallbackShare: number): Unit {
	const n = a.priced + a.unpriced;
	return n > 0 && a.unpriced / n <= fallbackShare ? 'usd' : 'tokens';
}

const pick = (a: {usd: number; tokens: number}, u: Unit) => (u === 'usd' ? a.usd : a.tokens);

export function formatAmount(v: number, u: Unit | string): string {
	if (u === 'usd') return formatUsd(v);
	if (u === 'usd/min') return `${formatUsd(v)}/min`;
	if (u === 'tokens/min') return `${formatCount(v)} tok/min`;
	return `${formatCount(v)} tokens`;
}

/** A model family for peer groups: dated snapshots and `@`/`:` variants fold together. */
export function modelFamily(model: string | null): string {
	if (!model) return '(unknown)';
	return model.replace(/[@:].*$/, '').replace(/-\d{8}$/, '').replace(/-latest$/, '');
}

// ── A1 spend_spike ────────────────────────────────────────────────────────────────────────────

interface Bucket {
	minute: number;
	usd: number;
	tokens: number;
}

interface SpikeRun {
	firstAt: number;
	model: string;
	amount: Amount;
	recent: Array<{at: number; usd: number; tokens: number}>;
	buckets: Bucket[];
	fast: {usd: Ewma; tokens: Ewma};
	/** The own baseline only changes when the cutoff minute moves: cached per minute and unit. */
	own: {cutoff: number; unit: Unit; n: number; base: RobustBaseline | null} | null;
}

interface PoolEntry extends Bucket {
	runId: string;
	/** In the pool's bags (its minute closed before a baseline's cutoff); else pending. */
	inBags: boolean;
	/** Left the pool before it ever reached the bags. */
	gone: boolean;
}

/**
 * A model's closed minutes (at most 1000, the last `poolDays`), with the values of those before
 * the latest cutoff kept sorted per unit. Cutoffs only grow within a fold (items come in time
 * order), so an entry moves from pending to the bags once and leaves them when the pool drops it.
 */
interface Pool {
	entries: PoolEntry[];
	pending: PoolEntry[];
	bags: Record<Unit, SortedBag>;
}

function poolDrop(pool: Pool): void {
	const e = pool.entries.shift()!;
	if (e.inBags) {
		bagRemove(pool.bags.usd, e.usd);
		bagRemove(pool.bags.tokens, e.tokens);
	} else e.gone = true;
}

/** Moves the entries whose minute closed by `cutoffMinute` into the bags. */
function poolAdvance(pool: Pool, cutoffMinute: number): void {
	let keep = 0;
	for (const e of pool.pending) {
		if (e.gone) continue;
		if (e.minute + MIN <= cutoffMinute) {
			e.inBags = true;
			bagAdd(pool.bags.usd, e.usd);
			bagAdd(pool.bags.tokens, e.tokens);
		} else pool.pending[keep++] = e;
	}
	pool.pending.length = keep;
}

/**
 * A long history holds thousands of finished runs: a run idle since before `horizon` keeps only
 * its last minute (it joins the pool on the run's next record) and no recent records or own
 * baseline. Its next record (at or after `horizon` + the window) would drop exactly these and
 * recompute the baseline at a new cutoff, so flags do not change; the fold's state stays small.
 */
function trimIdle(untrimmed: Set<SpikeRun>, horizon: number, current: SpikeRun): void {
	for (const run of untrimmed) {
		const last = run.buckets[run.buckets.length - 1];
		if (run === current || !last || last.minute + MIN >= horizon) continue;
		if (run.buckets.length > 1) run.buckets = [last];
		run.recent = [];
		run.own = null;
		untrimmed.delete(run);
	}
}

export function spendSpike(): Detector {
	const runs = new Map<string, SpikeRun>();
	const pools = new Map<string, Pool>();
	// Pool baselines change at most once a minute (minutes close then): cached per model, unit and cutoff.
	const poolCache = new Map<string, {cutoff: number; base: RobustBaseline | null; n: number}>();
	// Runs with minutes or recent records still kept, and when they were last trimmed (event time).
	// Not state: trimming only drops what the run's next record would drop anyway.
	const untrimmed = new Set<SpikeRun>();
	const trim = {minute: -Infinity};
	// The pool cache's keys, built once per model (a key built per record is hashed per record).
	const cacheKeys = new Map<string, Record<Unit, string>>();
	const cacheKey = (model: string, unit: Unit) => {
		let k = cacheKeys.get(model);
		if (!k) cacheKeys.set(model, (k = {usd: `${model}\u0000usd`, tokens: `${model}\u0000tokens`}));
		return k[unit];
	};
	return {
		state: {runs, pools, poolCache},
		onRecord(r, ctx) {
			const p = ctx.params.spendSpike;
			const usd = ctx.costOf(r);
			const tokens = r.tokens.total;
			let run = runs.get(r.runId);
			if (!run) {
				run = {firstAt: r.at, model: r.model ?? '(unknown)', amount: emptyAmount(), recent: [], buckets: [], fast: {usd: {value: null, at: null}, tokens: {value: null, at: null}}, own: null};
				runs.set(r.runId, run);
			}
			untrimmed.add(run);
			if (r.at >= trim.minute + SWEEP_MINUTES * MIN) {
				trim.minute = r.at;
				trimIdle(untrimmed, r.at - minutes(p.baselineMinutes + 1), run);
			}
			addAmount(run.amount, usd, tokens);
			const minute = Math.floor(r.at / MIN) * MIN;
			const last = run.buckets[run.buckets.length - 1];
			if (!last || last.minute < minute) {
				if (last) {
					// The previous minute is complete: it joins the model's pool for young runs.
					let pool = pools.get(run.model);
					if (!pool) pools.set(run.model, (pool = {entries: [], pending: [], bags: {usd: newBag(), tokens: newBag()}}));
					const entry: PoolEntry = {minute: last.minute, usd: last.usd, tokens: last.tokens, runId: r.runId, inBags: false, gone: false};
					pool.entries.push(entry);
					pool.pending.push(entry);
					const horizon = r.at - p.poolDays * 24 * 60 * MIN;
					while (pool.entries.length > 0 && (pool.entries[0]!.minute < horizon || pool.entries.length > 1000)) poolDrop(pool);
				}
				run.buckets.push({minute, usd: usd ?? 0, tokens: tokens ?? 0});
			} else {
				last.usd += usd ?? 0;
				last.tokens += tokens ?? 0;
			}
			while (run.buckets.length > 0 && run.buckets[0]!.minute < r.at - minutes(p.baselineMinutes + 1)) run.buckets.shift();
			run.recent.push({at: r.at, usd: usd ?? 0, tokens: tokens ?? 0});
			while (run.recent.length > 0 && run.recent[0]!.at <= r.at - MIN) run.recent.shift();
			const half = minutes(p.fastHalfLifeMinutes);
			let recentUsd = 0;
			let recentTokens = 0;
			for (let i = 0; i < run.recent.length; i++) {
				recentUsd += run.recent[i]!.usd;
				recentTokens += run.recent[i]!.tokens;
			}
			// In place: a run's averages are its own objects (two fewer objects per record).
			ewmaStep(run.fast.usd, recentUsd, r.at, half);
			ewmaStep(run.fast.tokens, recentTokens, r.at, half);

			const unit = unitOf(run.amount, ctx.params.unpricedFallbackShare);
			const cutoff = r.at - minutes(p.excludeRecentMinutes);
			const from = r.at - minutes(p.baselineMinutes);
			const cutoffMinute = Math.floor(cutoff / MIN) * MIN;
			if (!run.own || run.own.cutoff !== cutoffMinute || run.own.unit !== unit) {
				const own: number[] = [];
				for (const b of run.buckets) if (b.minute >= from && b.minute + MIN <= cutoff) own.push(unit === 'usd' ? b.usd : b.tokens);
				run.own = {cutoff: cutoffMinute, unit, n: own.length, base: own.length >= p.minSamples ? robustBaseline(own, unit === 'usd' ? 0.01 : 1000) : null};
			}
			let window = `${p.baselineMinutes}m own`;
			const floor = unit === 'usd' ? 0.01 : 1000;
			let base: RobustBaseline | null = null;
			if (r.at - run.firstAt < minutes(p.youngRunMinutes) || run.own.n < p.minSamples) {
				// The pool holds every run's closed minutes of this model (a young run's own few included).
				const pool = pools.get(run.model);
				const ck = cacheKey(run.model, unit);
				let cached = poolCache.get(ck);
				// A 7-day pool moves slowly: its baseline is refreshed at most every SWEEP_MINUTES of event time.
				if (!cached || cutoffMinute >= cached.cutoff + SWEEP_MINUTES * MIN) {
					if (pool) poolAdvance(pool, cutoffMinute);
					const bag = pool?.bags[unit];
					cached = {cutoff: cutoffMinute, base: bag && bag.n > 0 ? bagRobustBaseline(bag, floor) : null, n: bag?.n ?? 0};
					poolCache.set(ck, cached);
				}
				if (cached.n >= p.minSamples) base = cached.base;
				window = `${p.poolDays}d ${run.model} pool`;
			} else base = run.own.base;
			if (base === null) return;
			const rate = (unit === 'usd' ? run.fast.usd.value : run.fast.tokens.value) ?? 0;
			const rz = robustZ(rate, base);
			const times = base.median > 0 ? rate / base.median : Infinity;
			const minRate = unit === 'usd' ? p.minUsdPerMin : p.minTokensPerMin;
			const ratio = Math.min(rz / p.rz, times / p.ratio, rate / minRate);
			if (ctx.life.quiet('spend_spike', 'run', r.runId, ratio)) return;
			const u = unit === 'usd' ? 'usd/min' : 'tokens/min';
			ctx.life.observe({
				kind: 'spend_spike',
				scope: {type: 'run', id: r.runId},
				at: r.at,
				ratio,
				severity: rz >= p.critRz || times >= p.critRatio ? 'crit' : 'warn',
				value: round(rate),
				threshold: round(Math.max(base.median + p.rz * base.scale, p.ratio * base.median, minRate)),
				unit: u,
				baseline: baselineOf(base, window),
				message: () => `Run ${shortId(r.runId)} is burning ${formatAmount(rate, u)}, ${times === Infinity ? 'far above' : `${times.toFixed(1)}×`} its usual ${formatAmount(base.median, u)} (robust z ${rz.toFixed(1)})${unit === 'tokens' ? ' — in tokens, the run is mostly unpriced' : ''}: look at what it is doing right now.`,
				...(unit === 'tokens' ? {fallback: 'tokens' as const} : {}),
				evidence: () => `${formatAmount(rate, u)} (fast EWMA) after turn ${r.turn ?? '?'} of ${r.model ?? 'unknown model'}`,
			});
		},
	};
}

export function baselineOf(b: RobustBaseline, window: string) {
	return {median: round(b.median), mad: round(b.mad), n: b.n, window};
}

export function round(v: number): number {
	return Number.isFinite(v) ? Math.round(v * 1e6) / 1e6 : v;
}

// ── A2 run_cost_outlier ─────────────────────────────────────────────────────────────────────

interface PeerRun {
	amount: Amount;
	lastAt: number;
	firstAt: number;
}

interface PeerGroup {
	open: Map<string, PeerRun>;
	closed: Map<string, PeerRun>;
	/** Bumped whenever `closed` changes; peer baselines are cached against it. */
	version: number;
	/** Event-time minute of the last sweep for completed runs (once a minute is enough). */
	swept: number;
	/** A lower bound of the closed runs' lastAt: the expiry scan is skipped while it is inside the window. */
	closedLastAtFloor: number;
	cache: Map<Unit, {version: number; minute: number; n: number; median: number | null; logs: RobustBaseline | null}>;
	/** The closed runs' values per unit (v > 0; USD only for runs judged in USD), raw and as logs. */
	bags: Record<Unit, {raw: SortedBag; logs: SortedBag}>;
	/** Whose value each closed run put in the bags (a closed run's amount does not change). */
	inBags: Map<string, {usd: number | null; tokens: number | null}>;
}

const newBags = () => ({raw: newBag(), logs: newBag()});

function peerValues(run: PeerRun, fallbackShare: number): {usd: number | null; tokens: number | null} {
	const usd = unitOf(run.amount, fallbackShare) === 'usd' && run.amount.usd > 0 ? run.amount.usd : null;
	const tokens = run.amount.tokens > 0 ? run.amount.tokens : null;
	return {usd, tokens};
}

function closeRun(g: PeerGroup, id: string, run: PeerRun, fallbackShare: number): void {
	g.closed.set(id, run);
	if (run.lastAt < g.closedLastAtFloor) g.closedLastAtFloor = run.lastAt;
	const v = peerValues(run, fallbackShare);
	g.inBags.set(id, v);
	if (v.usd !== null) {
		bagAdd(g.bags.usd.raw, v.usd);
		bagAdd(g.bags.usd.logs, Math.log(v.usd));
	}
	if (v.tokens !== null) {
		bagAdd(g.bags.tokens.raw, v.tokens);
		bagAdd(g.bags.tokens.logs, Math.log(v.tokens));
	}
}

function unclose(g: PeerGroup, id: string): boolean {
	if (!g.closed.delete(id)) return false;
	const v = g.inBags.get(id)!;
	g.inBags.delete(id);
	if (v.usd !== null) {
		bagRemove(g.bags.usd.raw, v.usd);
		bagRemove(g.bags.usd.logs, Math.log(v.usd));
	}
	if (v.tokens !== null) {
		bagRemove(g.bags.tokens.raw, v.tokens);
		bagRemove(g.bags.tokens.logs, Math.log(v.tokens));
	}
	return true;
}

export function runCostOutlier(): Detector {
	const groups = new Map<string, PeerGroup>();
	const groupOf = new Map<string, string>();
	return {
		state: {groups, groupOf},
		onRecord(r, ctx) {
			const p = ctx.params.runCostOutlier;
			let key = groupOf.get(r.runId);
			if (!key) groupOf.set(r.runId, (key = `${r.source}|${r.meta?.botRole ?? ''}|${modelFamily(r.model)}`));
			let g = groups.get(key);
			if (!g) groups.set(key, (g = {open: new Map(), closed: new Map(), version: 0, swept: -1, closedLastAtFloor: Infinity, cache: new Map(), bags: {usd: newBags(), tokens: newBags()}, inBags: new Map()}));
			let run = g.open.get(r.runId) ?? g.closed.get(r.runId);
			if (unclose(g, r.runId)) g.version++;
			if (!run) run = {amount: emptyAmount(), lastAt: r.at, firstAt: r.at};
			g.open.set(r.runId, run);
			addAmount(run.amount, ctx.costOf(r), r.tokens.total);
			run.lastAt = Math.max(run.lastAt, r.at);
			// Sweeping walks every run of the group: once per SWEEP_MINUTES of event time, so a long
			// history costs O(minutes / 5 × runs), not O(records × runs). A run joins the peers at most
			// that much later than its 30-minute idle mark; replay and streaming still agree.
			const minuteNow = Math.floor(r.at / MIN);
			if (g.swept < 0 || minuteNow >= g.swept + SWEEP_MINUTES) {
				g.swept = minuteNow;
				sweep(g, r, p, ctx.params.unpricedFallbackShare);
			}
			const unit = unitOf(run.amount, ctx.params.unpricedFallbackShare);
			const value = pick(run.amount, unit);
			if (value <= 0) return;
			let cached = g.cache.get(unit);
			// The peer baseline (a sort over up to 30 days of runs) is rebuilt when the peers changed,
			// at most once per SWEEP_MINUTES of event time once it exists.
			if (!cached || (cached.version !== g.version && minuteNow >= cached.minute + SWEEP_MINUTES)) {
				// The closed runs' values are kept sorted as runs close and leave: no sort here.
				const bags = g.bags[unit];
				const n = bags.raw.n;
				cached = {version: g.version, minute: minuteNow, n, median: n >= 3 && n < p.minPeers ? bagMedian(bags.raw) : null, logs: n >= p.minPeers ? bagRobustBaseline(bags.logs, 0.1) : null};
				g.cache.set(unit, cached);
			}
			const peers = {length: cached.n};
			const u = unit === 'usd' ? 'usd' : 'tokens';
			const fb = unit === 'tokens' ? {fallback: 'tokens' as const} : {};
			const note = unit === 'tokens' ? ' (in tokens: mostly unpriced)' : '';
			const scope = {type: 'run' as const, id: r.runId};
			// Only a message reads the group's name (messages are built when a flag is read).
			const groupKey = key;
			const groupName = () => {
				const [, role, family] = groupKey.split('|');
				return `${role ? `${role} ` : ''}${family} runs`;
			};
			if (peers.length >= p.minPeers) {
				const logs = cached.logs!;
				const rz = robustZ(Math.log(value), logs);
				if (ctx.life.quiet('run_cost_outlier', 'run', r.runId, rz / p.rz)) return;
				const med = Math.exp(logs.median);
				ctx.life.observe({
					kind: 'run_cost_outlier',
					scope,
					at: r.at,
					ratio: rz / p.rz,
					severity: rz >= p.critRz ? 'crit' : 'warn',
					value: round(value),
					threshold: round(Math.exp(logs.median + p.rz * logs.scale)),
					unit: u,
					baseline: {median: round(med), mad: round(logs.mad), n: peers.length, window: `${p.peerDays}d peers (log)`},
					message: () => `Run ${shortId(r.runId)} has cost ${formatAmount(value, u)}, ${(value / med).toFixed(1)}× the median of ${peers.length} completed ${groupName()} (robust z ${rz.toFixed(1)} on log cost)${note}: check whether it is stuck or the task is unusually large.`,
					...fb,
					evidence: () => `${formatAmount(value, u)} so far at turn ${r.turn ?? '?'}`,
				});
				return;
			}
			if (peers.length < 3) return;
			const med = cached.median!;
			const minValue = unit === 'usd' ? p.fallbackMinUsd : p.fallbackMinTokens;
			if (ctx.life.quiet('run_cost_outlier', 'run', r.runId, Math.min(value / (p.fallbackRatio * med), value / minValue))) return;
			ctx.life.observe({
				kind: 'run_cost_outlier',
				scope,
				at: r.at,
				ratio: Math.min(value / (p.fallbackRatio * med), value / minValue),
				severity: 'info',
				value: round(value),
				threshold: round(Math.max(p.fallbackRatio * med, minValue)),
				unit: u,
				baseline: {median: round(med), n: peers.length, window: `${p.peerDays}d peers`},
				message: () => `Run ${shortId(r.runId)} has cost ${formatAmount(value, u)}, ${(value / med).toFixed(1)}× the median of only ${peers.length} completed ${groupName()} (low confidence)${note}.`,
				...fb,
				evidence: () => `${formatAmount(value, u)} so far at turn ${r.turn ?? '?'}`,
			});
		},
	};
}

/** Runs idle past `completedAfterMinutes` become peers; peers older than `peerDays` leave. */
function sweep(g: PeerGroup, r: UsageRecord, p: FoldContext['params']['runCostOutlier'], fallbackShare: number): void {
	for (const [id, other] of g.open) {
		if (id !== r.runId && other.lastAt < r.at - minutes(p.completedAfterMinutes)) {
			g.open.delete(id);
			closeRun(g, id, other, fallbackShare);
			g.version++;
		}
	}
	const horizon = r.at - p.peerDays * 24 * 60 * MIN;
	if (g.closedLastAtFloor >= horizon) return;
	let floor = Infinity;
	for (const [id, other] of g.closed) {
		if (other.lastAt < horizon) {
			unclose(g, id);
			g.version++;
		} else if (other.lastAt < floor) floor = other.lastAt;
	}
	g.closedLastAtFloor = floor;
}

// ── A3 budget_burn ──────────────────────────────────────────────────────────────────────────

interface BudgetScope {
	amount: Amount;
	rate: Ewma;
	firstAt: number;
	records: number;
}

/** UTC calendar day: pinned, so daily budgets never re-split with the viewer's timezone. */
export const dayOf = (at: number) => new Date(at).toISOString().slice(0, 10);

export function budgetBurn(): Detector {
	const scopes = new Map<string, BudgetScope>();
	return {
		state: {scopes},
		onRecord(r, ctx) {
			const p = ctx.params.budget;
			const usd = ctx.costOf(r);
			const targets: Array<['run' | 'issue' | 'day', string, number]> = [];
			if (p.run !== null) targets.push(['run', r.runId, p.run]);
			if (p.issue !== null && r.issue) targets.push(['issue', r.issue, p.issue]);
			if (p.day !== null) targets.push(['day', dayOf(r.at), p.day]);
			for (const [type, id, budget] of targets) {
				const k = `${type}:${id}`;
				let s = scopes.get(k);
				if (!s) scopes.set(k, (s = {amount: emptyAmount(), rate: {value: null, at: null}, firstAt: r.at, records: 0}));
				addAmount(s.amount, usd, r.tokens.total);
				s.records++;
				// Slow EWMA of $/min between records (the first record sets no rate).
				if (s.rate.at !== null && r.at > s.rate.at) s.rate = ewmaUpdate(s.rate, (usd ?? 0) / ((r.at - s.rate.at) / MIN), r.at, minutes(p.slowHalfLifeMinutes));
				else if (s.rate.at === null) s.rate = {value: null, at: r.at};
				if (s.amount.priced === 0 || budget <= 0) continue;
				const spend = s.amount.usd;
				const share = spend / budget;
				const rate = s.rate.value ?? 0;
				const eta = rate > 0 && spend < budget && s.records >= 5 ? (budget - spend) / rate : Infinity;
				const ratio = Math.max(share / p.warnShare, eta === Infinity ? 0 : p.etaMinutes / Math.max(eta, 1e-9));
				if (ctx.life.quiet('budget_burn', type, id, ratio)) continue;
				const lower = s.amount.unpriced > 0 ? 'at least ' : '';
				const label = type === 'day' ? `Spend on ${id} (UTC)` : `${type === 'run' ? 'Run' : 'Issue'} ${type === 'run' ? shortId(id) : id}`;
				ctx.life.observe({
					kind: 'budget_burn',
					scope: {type, id},
					at: r.at,
					ratio,
					severity: share >= p.critShare ? 'crit' : 'warn',
					value: round(share * 100),
					threshold: round(p.warnShare * 100),
					unit: 'percent',
					baseline: {window: `budget ${formatUsd(budget)}`},
					message: () =>
						share >= p.critShare
							? `${label} has spent ${lower}${formatUsd(spend)} of its ${formatUsd(budget)} ${type} budget (${Math.round(share * 100)}%): stop it or raise --budget ${type}.`
							: share >= p.warnShare
								? `${label} has spent ${lower}${formatUsd(spend)} of its ${formatUsd(budget)} ${type} budget (${Math.round(share * 100)}%).`
								: `${label} will reach its ${formatUsd(budget)} ${type} budget in about ${Math.round(eta)} min at ${formatUsd(rate * 60)}/h (${lower}${formatUsd(spend)} spent).`,
					evidence: () => `${lower}${formatUsd(spend)} spent (${Math.round(share * 100)}%)${eta !== Infinity ? `, ETA ${Math.round(eta)} min` : ''}`,
				});
			}
		},
	};
}
