/**
 * The detail panel of a tall or wide pane: everything about the selected row that the table has
 * no room for. An issue, model or provider: its totals, fidelity, cost basis, its runs and its
 * live flags whole. A run: model, provider, role, exit, turns. A turn: its token vector and cost.
 * Pure: snapshot and selection in, lines out; strings from files are sanitized.
 */
import type {Flag} from '../../core/flags.js';
import {formatCount, UNKNOWN} from '../../core/format.js';
import {NO_ISSUE, UNKNOWN_MODEL} from '../../core/ledger.js';
import {costBasisText, formatCost, formatTokenTotal} from '../../core/report.js';
import {docRunLabels} from '../../core/run-id.js';
import {sanitize} from '../../core/sanitize.js';
import type {LiveSnapshot} from '../../core/snapshot.js';
import type {BucketJson, RunBucketJson} from '../../core/summary.js';
import {flagDetailLines, wrap, type TextLine} from './flag-text.js';
import {levelOf, VIEW_DIM, type DrillStep, type ItemDim, type ViewName} from './watch-model.js';
import {clockTime, formatAge, formatDuration, formatRate} from './watch-rates.js';

export interface DetailQuery {
	view: ViewName;
	path: readonly DrillStep[];
	/** The selected row's id, or undefined when the table is empty. */
	selectedId: string | undefined;
	now: number;
	/** Who each flag is about, sanitized (as the strip shows it). */
	subjects: ReadonlyMap<string, string>;
}

const DIM_WORD: Record<ItemDim, string> = {issue: 'issue', run: 'run', model: 'model', provider: 'provider'};

export function detailLines(snapshot: LiveSnapshot, q: DetailQuery, width: number): TextLine[] {
	if (q.selectedId === undefined) return [{text: snapshot.ready ? 'nothing selected' : 'reading…', role: 'dim'}];
	const level = levelOf(q.path);
	if (level === 'turns') return turnDetail(snapshot, q.path[q.path.length - 1]!.id, q.selectedId, q, width);
	const dim: ItemDim = level === 'runs' ? 'run' : VIEW_DIM[q.view];
	if (dim === 'run') return runDetail(snapshot, q.selectedId, q, width);
	return itemDetail(snapshot, dim, q.selectedId, q, width);
}

function bucketLines(b: BucketJson, now: number, width: number): TextLine[] {
	const t = b.tokens;
	const lastAt = b.lastAt ? Date.parse(b.lastAt) : null;
	const firstAt = b.firstAt ? Date.parse(b.firstAt) : null;
	const out: TextLine[] = [];
	const cost = b.cost ? formatCost(b.cost) || 'unpriced' : null;
	out.push({text: `${formatCount(b.records, false)} turns${cost ? ` · ${cost}` : ''} · ${clockTime(firstAt)}–${clockTime(lastAt)} · last ${formatAge(lastAt, now)} ago`, role: 'plain'});
	out.push({text: `tokens in ${formatTokenTotal(t.input)} · out ${formatTokenTotal(t.output)} · cache read ${formatTokenTotal(t.cacheRead)} · write ${formatTokenTotal(t.cacheWrite)}`, role: 'plain'});
	const measured = Math.min(t.input.known, t.output.known);
	out.push({text: `fidelity: tokens stated by ${formatCount(measured, false)} of ${formatCount(b.records, false)} turns${t.input.missing > 0 ? ` (${formatCount(t.input.missing, false)} without input counts)` : ''}`, role: 'dim'});
	if (b.cost) {
		const unpriced = b.cost.unpricedModels.length > 0 ? ` · no price for ${b.cost.unpricedModels.map(sanitize).join(', ')}` : '';
		out.push({text: `cost basis: ${costBasisText(b.cost) || 'nothing priced'}${unpriced}`, role: 'dim'});
	}
	return out.flatMap((l) => wrap(l.text, width, '  ').map((text) => ({text, role: l.role})));
}

function flagsAbout(snapshot: LiveSnapshot, match: (f: Flag) => boolean, q: DetailQuery, width: number): TextLine[] {
	const flags = snapshot.flags.filter(match);
	if (flags.length === 0) return [{text: 'flags: none', role: 'dim'}];
	const out: TextLine[] = [{text: `flags (${flags.length})`, role: 'heading'}];
	for (const f of flags) out.push(...flagDetailLines(f, q.subjects.get(f.id) ?? sanitize(f.scope.id), width));
	return out;
}

function runKey(run: RunBucketJson, dim: ItemDim, runId: string): string {
	return {issue: run.issue ?? NO_ISSUE, model: run.model ?? UNKNOWN_MODEL, provider: run.provider ?? UNKNOWN_MODEL, run: runId}[dim];
}

function itemDetail(snapshot: LiveSnapshot, dim: ItemDim, key: string, q: DetailQuery, width: number): TextLine[] {
	const doc = snapshot.doc;
	const b = {issue: doc.byIssue, model: doc.byModel, provider: doc.byProvider, run: doc.byRun}[dim][key];
	const name = sanitize(key);
	if (!b) return [{text: `${DIM_WORD[dim]} ${name}: no data`, role: 'dim'}];
	const out: TextLine[] = [{text: `${DIM_WORD[dim]} ${name}`, role: 'heading'}, ...bucketLines(b, q.now, width)];
	const runs = Object.entries(doc.byRun).filter(([id, r]) => runKey(r, dim, id) === key);
	runs.sort(([, a], [, c]) => (c.lastAt ?? '').localeCompare(a.lastAt ?? ''));
	const labels = docRunLabels(doc.byRun);
	out.push({text: `runs (${runs.length}), newest first`, role: 'heading'});
	for (const [id, r] of runs.slice(0, 8)) {
		const other = dim === 'model' ? (r.issue ? sanitize(r.issue) : NO_ISSUE) : r.model ? sanitize(r.model) : UNKNOWN;
		const cost = r.cost ? formatCost(r.cost) || 'unpriced' : `${formatTokenTotal(r.tokens.total)} tok`;
		const lastAt = r.lastAt ? Date.parse(r.lastAt) : null;
		out.push({text: `  ${labels.get(id) ?? sanitize(id)} ${other} ${r.botRole ? sanitize(r.botRole) : ''} · ${formatCount(r.records, false)} turns · ${cost} · ${formatAge(lastAt, q.now)} ago${r.exitReason ? ` · ${sanitize(r.exitReason)}` : ''}`.replace(/ {2,}·/g, ' ·'), role: 'plain'});
	}
	if (runs.length > 8) out.push({text: `  +${runs.length - 8} more (Enter lists them)`, role: 'dim'});
	const runIds = new Set(runs.map(([id]) => id));
	out.push(...flagsAbout(snapshot, (f) => (f.scope.type === dim && f.scope.id === key) || (f.scope.type === 'run' && runIds.has(f.scope.id)), q, width));
	return out;
}

function runDetail(snapshot: LiveSnapshot, runId: string, q: DetailQuery, width: number): TextLine[] {
	const r = snapshot.doc.byRun[runId];
	if (!r) return [{text: `run ${sanitize(runId)}: no data`, role: 'dim'}];
	const out: TextLine[] = [{text: `run ${sanitize(runId)}`, role: 'heading'}];
	const facts = [
		`issue ${r.issue ? sanitize(r.issue) : NO_ISSUE}`,
		`${r.provider ? sanitize(r.provider) : UNKNOWN} ${r.model ? sanitize(r.model) : UNKNOWN}`,
		r.botRole ? sanitize(r.botRole) : null,
		`source ${sanitize(r.source)}`,
		`exit ${r.exitReason ? sanitize(r.exitReason) : UNKNOWN}`,
	].filter((x): x is string => x !== null);
	for (const l of wrap(facts.join(' · '), width, '  ')) out.push({text: l, role: 'plain'});
	out.push(...bucketLines(r, q.now, width));
	out.push(...flagsAbout(snapshot, (f) => f.scope.type === 'run' && f.scope.id === runId, q, width));
	return out;
}

function turnDetail(snapshot: LiveSnapshot, runId: string, key: string, q: DetailQuery, width: number): TextLine[] {
	const {ledger} = snapshot;
	const r = ledger.runRecords(runId).find((x) => x.key === key);
	if (!r) return [{text: 'turn: no data', role: 'dim'}];
	const cost = ledger.costOf(r.key);
	const n = (v: number | null) => (v === null ? UNKNOWN : formatCount(v, false));
	const t = r.tokens;
	const lines = [
		`turn ${r.turn ?? UNKNOWN} at ${clockTime(r.at, true)} · ${r.model ? sanitize(r.model) : UNKNOWN} · took ${formatDuration(r.startedAt === null ? null : r.at - r.startedAt)}`,
		`tokens in ${n(t.input)} · out ${n(t.output)} · cache read ${n(t.cacheRead)} · write ${n(t.cacheWrite)}${t.reasoning !== null ? ` · reasoning ${n(t.reasoning)}` : ''}`,
		`cost ${cost?.usd === null || cost === null ? 'unpriced' : formatRate(cost.usd, true)}${cost ? ` (${cost.basis}${cost.reason ? `: ${cost.reason}` : ''})` : ''} · usage ${r.usageSource.replace(/_/g, ' ')}`,
		`from ${sanitize(r.origin.path)}${r.origin.line ? `:${r.origin.line}` : ''}`,
	];
	const out: TextLine[] = [{text: 'turn', role: 'heading'}];
	for (const l of lines) for (const w of wrap(l, width, '  ')) out.push({text: w, role: 'plain'});
	out.push(...flagsAbout(snapshot, (f) => f.scope.type === 'run' && f.scope.id === runId && r.at >= f.firstAt && r.at <= f.lastAt, q, width));
	return out;
}
