/**
 * A14 retry churn: an orchestrator that keeps starting new attempts at the same issue. Only for
 * sources where a run *is* an attempt (Symphony, bosun); a person opening three Claude sessions on
 * one branch is not churn. Attempts are counted per bot role: a reviewer run is not a retry.
 */
import {bagAdd, bagMedian, bagRemove, newBag} from './order-stats.js';
import {formatAmount, round} from './spend.js';
import type {FlagBaseline, FlagScope} from '../flags.js';
import type {Observation} from './lifecycle.js';
import type {Detector} from './types.js';

interface Attempt {
	usd: number;
	tokens: number;
	unpriced: number;
	records: number;
}

const MEDIAN_MINUTES = 10;

interface Group {
	attempts: number;
	total: Attempt;
}

function addTo(t: Attempt, usd: number | null, tokens: number): void {
	if (usd === null) t.unpriced++;
	else t.usd += usd;
	t.tokens += tokens;
	t.records++;
}

export function retryChurn(): Detector {
	// Per issue and role: how many runs attempted it, and their summed cost. Which groups a run is
	// in is `totalsOf` (a list of group totals; one in practice): no per-group map of run ids.
	const issues = new Map<string, Group>();
	// issue → role → its entry in `issues`, without building the group key per record, and the
	// issue's flag scope (one object per issue, not one per observation: nothing changes a scope).
	// Not state: refilled from `issues` (a resumed fold adopts those objects).
	const groupsOf = new Map<string, {scope: FlagScope; byRole: Map<string, Group>}>();
	const allRuns = new Map<string, Attempt>();
	const totalsOf = new Map<string, Attempt[]>();
	// The median attempt cost is recomputed at most once per event-time minute (it moves slowly).
	const st = {medianCache: null as {minute: number; usd: boolean; value: number | null} | null};
	// Every run's cost (v > 0) kept sorted per unit; runs that changed since the last refresh are
	// re-filed then (a record changes its run's cost: re-filing per record would be wasted work).
	const bags = {usd: newBag(), tokens: newBag()};
	const filed = new Map<string, {usd: number; tokens: number}>();
	const changed = new Set<string>();
	// The run of the previous record, its entries and whether it is in `changed`: a run's turns
	// mostly follow each other (not state: a resumed fold adopts its maps before any record).
	const last = {runId: null as string | null, a: null as Attempt | null, totals: null as Attempt[] | null, changed: false};
	// The baseline of the last observation: the median and the run count change far less often
	// than records arrive, so observations share it until either does (flags never change one).
	let lastBaseline: {med: number; n: number; baseline: FlagBaseline} | null = null;
	const refile = () => {
		last.changed = false;
		for (const id of changed) {
			const a = allRuns.get(id)!;
			const was = filed.get(id);
			if (was) {
				if (was.usd > 0) bagRemove(bags.usd, was.usd);
				if (was.tokens > 0) bagRemove(bags.tokens, was.tokens);
			}
			if (a.usd > 0) bagAdd(bags.usd, a.usd);
			if (a.tokens > 0) bagAdd(bags.tokens, a.tokens);
			filed.set(id, {usd: a.usd, tokens: a.tokens});
		}
		changed.clear();
	};
	return {
		state: {issues, allRuns, totalsOf, bags, filed, changed, st},
		onRecord(r, ctx) {
			if (!r.issue || (r.source !== 'symphony' && r.source !== 'bosun')) return;
			const p = ctx.params.retryChurn;
			const role = r.meta?.botRole ?? '';
			let ofIssue = groupsOf.get(r.issue);
			if (!ofIssue) groupsOf.set(r.issue, (ofIssue = {scope: {type: 'issue', id: r.issue}, byRole: new Map()}));
			const byRole = ofIssue.byRole;
			let g = byRole.get(role);
			if (!g) {
				const group = `${r.issue}\u0000${role}`;
				g = issues.get(group);
				if (!g) issues.set(group, (g = {attempts: 0, total: {usd: 0, tokens: 0, unpriced: 0, records: 0}}));
				byRole.set(role, g);
			}
			let a: Attempt;
			let totals: Attempt[];
			if (last.runId === r.runId) {
				a = last.a!;
				totals = last.totals!;
			} else {
				let had = allRuns.get(r.runId);
				if (!had) allRuns.set(r.runId, (had = {usd: 0, tokens: 0, unpriced: 0, records: 0}));
				a = had;
				// Group totals are kept as records arrive (re-summing every attempt per record was
				// quadratic in long histories); a run in two role groups adds to both, as a re-sum would.
				let list = totalsOf.get(r.runId);
				if (!list) totalsOf.set(r.runId, (list = []));
				totals = list;
				last.runId = r.runId;
				last.a = a;
				last.totals = totals;
				last.changed = false;
			}
			const usd = ctx.costOf(r);
			const isNew = !totals.includes(g.total);
			if (isNew) {
				g.attempts++;
				g.total.usd += a.usd;
				g.total.tokens += a.tokens;
				g.total.unpriced += a.unpriced;
				g.total.records += a.records;
				totals.push(g.total);
			}
			const tokens = r.tokens.total ?? 0;
			if (!last.changed) {
				changed.add(r.runId);
				last.changed = true;
			}
			addTo(a, usd, tokens);
			for (let i = 0; i < totals.length; i++) addTo(totals[i]!, usd, tokens);
			const total = g.total;
			const attempts = g.attempts;
			if (attempts < 2) return;
			const useUsd = total.unpriced / total.records <= ctx.params.unpricedFallbackShare;
			const unit = useUsd ? 'usd' : 'tokens';
			let factor: number | null = null;
			let med: number | null = null;
			if (attempts >= p.attempts && allRuns.size >= p.minRunsForMedian) {
				const minute = Math.floor(r.at / 60_000);
				// Attempt costs move slowly: the median over all runs is refreshed at most every
				// MEDIAN_MINUTES of event time (a sort over every run per minute dominated long histories).
				const cache = st.medianCache;
				if (!cache || cache.usd !== useUsd || minute >= cache.minute + MEDIAN_MINUTES) {
					refile();
					st.medianCache = {minute, usd: useUsd, value: bagMedian(useUsd ? bags.usd : bags.tokens)};
				}
				med = st.medianCache!.value;
				if (med !== null && med > 0) factor = (useUsd ? total.usd : total.tokens) / med;
			}
			if (ctx.life.quiet('retry_churn', 'issue', r.issue, attempts / p.attempts)) return;
			const value = useUsd ? total.usd : total.tokens;
			let baseline: FlagBaseline | null = null;
			if (med !== null) {
				if (lastBaseline === null || lastBaseline.med !== med || lastBaseline.n !== allRuns.size) lastBaseline = {med, n: allRuns.size, baseline: {median: round(med), n: allRuns.size, window: 'single-attempt cost'}};
				baseline = lastBaseline.baseline;
			}
			const o: Observation = {
				kind: 'retry_churn',
				scope: ofIssue.scope,
				at: r.at,
				ratio: attempts / p.attempts,
				severity: factor !== null && factor > p.critCostFactor ? 'crit' : 'warn',
				value: attempts,
				threshold: p.attempts,
				unit: 'count',
				baseline,
				message: () => `Issue ${r.issue} has had ${attempts} ${role ? `${role} ` : ''}attempts costing ${formatAmount(value, unit)}${factor !== null ? ` (${factor.toFixed(1)}× a typical attempt)` : ''}${useUsd ? '' : ' — in tokens, mostly unpriced'}: the task may need splitting or a human look before another retry.`,
			};
			// Assigned, not spread in: this runs for every record of an issue with a raised flag.
			if (!useUsd) o.fallback = 'tokens';
			if (isNew) o.evidence = `attempt ${attempts}: run ${r.runId}`;
			ctx.life.observe(o);
		},
	};
}
