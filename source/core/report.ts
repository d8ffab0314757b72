/**
 * The summary report as lines: shared by the text output (rendered with Ink) and kept in step
 * with the markdown output. Pure: a `burn.summary/1` document and a width in, lines out.
 */
import {fidelityClassText, usageSourceText} from './fidelity.js';
import {formatCount, formatTime, formatUsd, PARTIAL_MARK, shortenPath, truncate, UNKNOWN, wrapText} from './format.js';
import {fitColumns, formatRow, headerRow, type ColumnSpec} from './layout.js';
import {flagSectionLines} from './anomalies/report-section.js';
import {runLabels} from './run-id.js';
import {sanitize} from './sanitize.js';
import type {BucketJson, CostJson, SummaryJson, TokenTotalJson} from './summary.js';
import {quotaSectionLines} from './quota-report.js';

export type ReportDimension = 'issue' | 'run' | 'model' | 'provider';
export const REPORT_DIMENSIONS: readonly ReportDimension[] = ['issue', 'run', 'model', 'provider'];

export type LineStyle = 'title' | 'header' | 'row' | 'dim' | 'warning' | 'problem' | 'total';

export interface ReportLine {
	text: string;
	style: LineStyle;
}

export function formatTokenTotal(t: TokenTotalJson, compact = true): string {
	if (t.value === null) return UNKNOWN;
	return formatCount(t.value, compact) + (t.known > 0 && t.missing > 0 ? PARTIAL_MARK : '');
}

/** `$1.23`, `≥ $1.23` when some models are unpriced, `unpriced` when none are priced. Never `$0` for unknown. */
export function formatCost(cost: CostJson | undefined): string {
	if (!cost) return '';
	if (cost.usd === null) return cost.unpricedModels.length > 0 || cost.basis.unpriced > 0 ? 'unpriced' : UNKNOWN;
	return (cost.unpricedModels.length > 0 || cost.basis.unpriced > 0 ? '≥ ' : '') + formatUsd(cost.usd);
}

/** The total with what it leaves out: `≥ $12.40 (3 unpriced models, 2 records without token counts)`. */
export function costTotalText(cost: CostJson): string {
	const parts: string[] = [];
	const models = cost.unpricedModels.length;
	if (models > 0) parts.push(`${models} unpriced model${models === 1 ? '' : 's'}`);
	const noTokens = cost.unpricedWithoutTokens ?? 0;
	if (noTokens > 0) parts.push(`${formatCount(noTokens, false)} record${noTokens === 1 ? '' : 's'} without token counts`);
	const head = formatCost(cost);
	return parts.length > 0 ? `${head} (${parts.join(', ')})` : head;
}

/** How sure the cost is: `412 computed · 12 reported · 3 estimated · 2 unpriced`. */
export function costBasisText(cost: CostJson): string {
	const order = ['computed', 'reported', 'estimated', 'unpriced'] as const;
	return order.filter((b) => cost.basis[b] > 0).map((b) => `${formatCount(cost.basis[b], false)} ${b}`).join(' · ');
}

/** `+$0.12`: reported minus computed, signed. */
export function formatUsdDelta(usd: number): string {
	return (usd < 0 ? '−' : '+') + formatUsd(Math.abs(usd));
}

export function dimensionTitle(d: ReportDimension): string {
	return {issue: 'Issue', run: 'Run', model: 'Model', provider: 'Provider'}[d];
}

export function tableColumns(d: ReportDimension, priced: boolean): ColumnSpec[] {
	const cols: ColumnSpec[] = [
		{id: 'name', header: dimensionTitle(d), width: 10, priority: 0, align: 'left', flex: true},
		{id: 'records', header: 'Turns', width: 7, priority: 4, align: 'right'},
		{id: 'input', header: 'Input', short: 'In', width: 8, priority: 3, align: 'right'},
		{id: 'output', header: 'Output', short: 'Out', width: 8, priority: 3, align: 'right'},
		{id: 'cacheRead', header: 'Cache R', short: 'CR', width: 8, priority: 5, align: 'right'},
		{id: 'cacheWrite', header: 'Cache W', short: 'CW', width: 8, priority: 6, align: 'right'},
		{id: 'total', header: 'Total', width: 8, priority: 1, align: 'right'},
	];
	if (priced) cols.push({id: 'cost', header: 'Cost', width: 11, priority: 1, align: 'right'});
	return cols;
}

/** Cells of a table row; `compact` abbreviates large counts (1.2M) for terminals. */
export function bucketCells(name: string, b: BucketJson, compact = true): Record<string, string> {
	return {
		name,
		records: formatCount(b.records, false),
		input: formatTokenTotal(b.tokens.input, compact),
		output: formatTokenTotal(b.tokens.output, compact),
		cacheRead: formatTokenTotal(b.tokens.cacheRead, compact),
		cacheWrite: formatTokenTotal(b.tokens.cacheWrite, compact),
		total: formatTokenTotal(b.tokens.total, compact),
		cost: formatCost(b.cost),
	};
}


/** Rows of a dimension, most spend first (cost when priced, else total tokens, else records). */
export function sortedEntries(doc: SummaryJson, d: ReportDimension): Array<[string, BucketJson]> {
	// Only the dimension asked for is read (a kept document parses a member when it is read).
	const map = d === 'issue' ? doc.byIssue : d === 'run' ? doc.byRun : d === 'model' ? doc.byModel : doc.byProvider;
	const weight = (b: BucketJson) => [b.cost?.usd ?? -1, b.tokens.total.value ?? -1, b.records];
	return Object.entries(map).sort(([ka, a], [kb, b]) => {
		const wa = weight(a);
		const wb = weight(b);
		for (let i = 0; i < wa.length; i++) if (wa[i] !== wb[i]) return wb[i]! - wa[i]!;
		return ka.localeCompare(kb);
	});
}

/** `412 full · 30 usage-only · 12 partial`: the fidelity classes, which add up to the records counted. */
export function fidelityLine(doc: SummaryJson): string {
	return fidelityClassText(doc.fidelity.byClass) || 'no records';
}

/** `Token counts: 400 provider-reported · 42 estimated · 12 unavailable`: where the counts came from (adds up to the records too). */
export function tokenCountsLine(doc: SummaryJson): string {
	return usageSourceText(doc.fidelity.usageSource) || 'no records';
}

/**
 * The records counted, and the records read when they differ (duplicates and copies count once,
 * filters drop some): `3 records`, `5 records read, 3 counted`. The data_quality flag compares
 * problems with the records read, so the header names both.
 */
export function recordsText(doc: SummaryJson): string {
	const read = doc.sources.reduce((n, s) => n + s.records, 0);
	const counted = doc.totals.records;
	return read === counted ? plural(counted, 'record') : `${plural(read, 'record')} read, ${formatCount(counted, false)} counted`;
}

/**
 * The problems by where they came from, in the data_quality flag's words: the files' problems
 * (the flag's "unreadable lines") and the dedup conflicts the ledger found. Empty with none.
 */
export function problemsBreakdown(doc: SummaryJson): string {
	const conflicts = doc.problems.byKind['duplicate-conflict'] ?? 0;
	const inFiles = doc.problems.count - conflicts;
	const parts: string[] = [];
	if (inFiles > 0) parts.push(`${formatCount(inFiles, false)} unreadable line${inFiles === 1 ? '' : 's'}`);
	if (conflicts > 0) parts.push(plural(conflicts, 'duplicate conflict'));
	return parts.join(' · ');
}

export function hasPartial(buckets: Iterable<BucketJson>): boolean {
	for (const b of buckets) for (const t of Object.values(b.tokens)) if (t.known > 0 && t.missing > 0) return true;
	return false;
}

export interface ReportOptions {
	width: number;
	by: ReportDimension;
	/** Rows shown per table before `+N more`. */
	maxRows?: number;
	/** Problems listed before the hint to `--json`. */
	maxProblems?: number;
}

export function plural(n: number, word: string): string {
	return `${formatCount(n, false)} ${word}${n === 1 ? '' : 's'}`;
}

export function summaryLines(doc: SummaryJson, options: ReportOptions): ReportLine[] {
	const width = Math.max(20, options.width);
	const lines: ReportLine[] = [];
	const push = (text: string, style: LineStyle) => lines.push({text: truncate(text, width), style});

	const files = doc.sources.reduce((s, x) => s + x.files, 0);
	push('burn summary', 'title');
	// The counts and the range wrap on a narrow width: a cut would drop the very numbers they give.
	const wrapped = (text: string, style: LineStyle) => {
		for (const l of wrapText(text, width)) push(l, style);
	};
	wrapped(`${plural(doc.sources.length, 'source')} · ${plural(files, 'file')} · ${recordsText(doc)} · ${plural(doc.problems.count, 'problem')}`, 'dim');
	wrapped(`${formatTime(doc.range.from ? Date.parse(doc.range.from) : null)} → ${formatTime(doc.range.to ? Date.parse(doc.range.to) : null)}`, 'dim');
	for (const w of doc.warnings) push(`warning: ${sanitize(w)}`, 'warning');
	lines.push({text: '', style: 'row'});

	// The filters removed every record (the files' problems still follow): say so instead of an empty table.
	const filtered = filteredOutLines(doc);
	if (filtered !== null) {
		for (const l of filtered) for (const w of wrapText(l, width)) push(w, 'warning');
	} else tableAndTotals(doc, options, width, push);
	// Flag sentences wrap like Problems lines: their advice is at the end, so a cut would lose it.
	for (const l of flagSectionLines(doc)) {
		const lead = /^ */.exec(l.text)![0];
		const [first = '', ...more] = wrapText(l.text, width - lead.length);
		push(lead + first, l.style);
		const indent = `${lead}  `;
		for (const line of more.length > 0 ? wrapText(more.join(' '), width - indent.length) : []) push(indent + line, l.style);
	}
	for (const l of quotaSectionLines(doc)) push(l, l.startsWith('  ') || l === '' ? 'row' : 'dim');
	if (doc.problems.count > 0) {
		lines.push({text: '', style: 'row'});
		wrapped(`Problems (${formatCount(doc.problems.count, false)}): ${problemsBreakdown(doc)}`, 'warning');
		const maxProblems = options.maxProblems ?? 5;
		for (const p of doc.problems.items.slice(0, maxProblems)) {
			// The reason is never cut: a long path is shortened from the left, the text wraps.
			const where = `${shortenPath(sanitize(p.path), Math.max(12, Math.floor(width / 2) - (p.line ? String(p.line).length + 1 : 0)))}${p.line ? `:${p.line}` : ''}`;
			const text = `${where} ${p.field ? `${sanitize(p.field)}: ` : ''}${sanitize(p.reason)}`;
			const [first, ...more] = wrapText(text, width - 2);
			push(`  ${first}`, 'problem');
			for (const line of more.length > 0 ? wrapText(more.join(' '), width - 4) : []) push(`    ${line}`, 'problem');
		}
		if (doc.problems.count > maxProblems) push(`  … ${doc.problems.count - maxProblems} more: burn summary --once --json lists them`, 'dim');
	}
	return lines;
}

/** The table of the chosen dimension, its total, and the fidelity, token-count and cost lines. */
function tableAndTotals(doc: SummaryJson, options: ReportOptions, width: number, push: (text: string, style: LineStyle) => void): void {
	const priced = doc.totals.cost !== undefined;
	const columns = tableColumns(options.by, priced);
	const placed = fitColumns(columns, width);
	push(headerRow(placed), 'header');
	const entries = sortedEntries(doc, options.by);
	const maxRows = options.maxRows ?? 50;
	// Run ids wider than their column show the part that tells them apart (time-ordered ids share a prefix).
	const nameWidth = placed.find((c) => c.id === 'name')?.actualWidth ?? 8;
	const labels = options.by === 'run' ? runLabels(entries.map(([k]) => k), nameWidth) : null;
	for (const [key, bucket] of entries.slice(0, maxRows)) push(formatRow(placed, bucketCells(labels?.get(key) ?? sanitize(key), bucket)), 'row');
	if (entries.length > maxRows) push(`+${entries.length - maxRows} more (use --json for all)`, 'dim');
	push(formatRow(placed, bucketCells('Total', doc.totals)), 'total');
	push('', 'row');

	push(`Fidelity: ${fidelityLine(doc)}`, 'dim');
	push(`Token counts: ${tokenCountsLine(doc)}`, 'dim');
	if (hasPartial([doc.totals, ...entries.map(([, b]) => b)])) push(`${PARTIAL_MARK} partial: some records did not state this field · ${UNKNOWN} unknown`, 'dim');
	if (priced && doc.totals.cost) {
		const cost = doc.totals.cost;
		const basis = costBasisText(cost);
		push(`Cost: ${costTotalText(cost)}${basis ? ` · basis: ${basis}` : ''}`, 'dim');
		if (cost.reportedMinusComputed !== undefined) {
			push(`Reported costs kept; they differ from the token-computed cost by ${formatUsdDelta(cost.reportedMinusComputed)}`, 'dim');
		}
		if (doc.pricing) push(`Prices: embedded table as of ${doc.pricing.asOf}${doc.pricing.sheets.map((p) => ` + ${sanitize(p)}`).join('')}`, 'dim');
	}
	if (priced && doc.totals.cost && doc.totals.cost.unpricedModels.length > 0) {
		push(`Unpriced models (not in any price table): ${doc.totals.cost.unpricedModels.map(sanitize).join(', ')}`, 'warning');
	}
}

/** The message for "nothing found": every place searched. */
export function nothingFoundLines(doc: SummaryJson): string[] {
	const out = ['No usage data found.', 'Searched:'];
	for (const s of doc.sources) out.push(`  ${s.kind}: ${sanitize(s.path)} (${s.files} files)`);
	for (const m of doc.missing) out.push(`  ${m.kind}: ${sanitize(m.path)} (does not exist)`);
	out.push('Point burn at data with --usage <file|dir> (or BURN_USAGE), or try: burn watch --demo');
	return out;
}

/** The filters in force, as the user would write them; empty when none. */
export function filterText(filters: SummaryJson['filters']): string[] {
	const out: string[] = [];
	if (filters.issue !== null) out.push(`--issue ${sanitize(filters.issue)}`);
	if (filters.since !== null) out.push(`--since ${filters.since}`);
	if (filters.until !== null) out.push(`--until ${filters.until}`);
	return out;
}

/** Data was found but the filters removed every record: say so, not "No usage data found". */
export function filteredOutLines(doc: SummaryJson): string[] | null {
	const read = doc.sources.reduce((n, s) => n + s.records, 0);
	const filters = filterText(doc.filters);
	if (doc.totals.records > 0 || read === 0 || filters.length === 0) return null;
	const files = doc.sources.reduce((n, s) => n + s.files, 0);
	return [
		`No records match ${filters.join(' ')}.`,
		`${read.toLocaleString('en-US')} record${read === 1 ? '' : 's'} read from ${files.toLocaleString('en-US')} file${files === 1 ? '' : 's'} (${doc.sources.map((s) => s.kind).filter((k, i, a) => a.indexOf(k) === i).join(', ')}); the filters removed all of them.`,
		'Widen the filter, or drop it to see everything.',
	];
}

