/**
 * The summary as GitHub markdown (for PR comments and pipeline reports): the same facts as the
 * text report, every column, no width limit.
 */
import {formatTime, PARTIAL_MARK, UNKNOWN} from './format.js';
import {bucketCells, costBasisText, costTotalText, dimensionTitle, fidelityLine, formatUsdDelta, hasPartial, plural, problemsBreakdown, recordsText, sortedEntries, tableColumns, tokenCountsLine, type ReportDimension} from './report.js';
import {flagSectionMarkdown} from './anomalies/report-section.js';
import {quotaSectionMarkdown} from './quota-report.js';
import {sanitize} from './sanitize.js';
import type {SummaryJson} from './summary.js';

/** Markdown table cells must not break the table. */
function cell(text: string): string {
	return sanitize(text).replace(/\|/g, '\\|');
}

export function summaryMarkdown(doc: SummaryJson, by: ReportDimension, maxRows = 100): string {
	const out: string[] = [];
	const priced = doc.totals.cost !== undefined;
	const files = doc.sources.reduce((s, x) => s + x.files, 0);
	out.push('## burn summary', '');
	out.push(
		`${plural(doc.sources.length, 'source')} · ${plural(files, 'file')} · ${recordsText(doc)} · ${plural(doc.problems.count, 'problem')} · ` +
			`${formatTime(doc.range.from ? Date.parse(doc.range.from) : null)} → ${formatTime(doc.range.to ? Date.parse(doc.range.to) : null)}`,
		'',
	);
	for (const w of doc.warnings) out.push(`> **Warning:** ${cell(w)}`, '');
	const cols = tableColumns(by, priced);
	out.push(`| ${cols.map((c) => c.header).join(' | ')} |`);
	out.push(`| ${cols.map((c) => (c.align === 'right' ? '---:' : '---')).join(' | ')} |`);
	const entries = sortedEntries(doc, by);
	for (const [key, bucket] of entries.slice(0, maxRows)) {
		const cells = bucketCells(sanitize(key), bucket, false);
		out.push(`| ${cols.map((c) => cell(cells[c.id] ?? '')).join(' | ')} |`);
	}
	const total = bucketCells('**Total**', doc.totals, false);
	out.push(`| ${cols.map((c) => (c.id === 'name' ? total.name : cell(total[c.id] ?? ''))).join(' | ')} |`);
	if (entries.length > maxRows) out.push('', `_+${entries.length - maxRows} more ${dimensionTitle(by).toLowerCase()}s: see \`--json\`._`);
	out.push('', `**Fidelity:** ${fidelityLine(doc)} · **Token counts:** ${tokenCountsLine(doc)}`);
	if (hasPartial([doc.totals, ...entries.map(([, b]) => b)])) out.push('', `\`${PARTIAL_MARK}\` partial: some records did not state this field · \`${UNKNOWN}\` unknown`);
	if (doc.totals.cost) {
		const cost = doc.totals.cost;
		const basis = costBasisText(cost);
		out.push('', `**Cost:** ${cell(costTotalText(cost))}${basis ? ` · basis: ${basis}` : ''}`);
		if (cost.reportedMinusComputed !== undefined) out.push('', `Reported costs kept; they differ from the token-computed cost by ${formatUsdDelta(cost.reportedMinusComputed)}.`);
		if (doc.pricing) out.push('', `_Prices: embedded table as of ${doc.pricing.asOf}${doc.pricing.sheets.map((p) => ` + \`${cell(p)}\``).join('')}._`);
	}
	if (doc.totals.cost && doc.totals.cost.unpricedModels.length > 0) {
		out.push('', `**Unpriced models:** ${doc.totals.cost.unpricedModels.map((m) => `\`${cell(m)}\``).join(', ')}`);
	}
	out.push(...flagSectionMarkdown(doc));
	out.push(...quotaSectionMarkdown(doc));
	if (doc.problems.count > 0) {
		out.push('', `### Problems (${doc.problems.count})`, '', `${problemsBreakdown(doc)}.`, '');
		for (const p of doc.problems.items.slice(0, 20)) {
			out.push(`- \`${cell(p.path)}${p.line ? `:${p.line}` : ''}\` ${p.field ? `\`${cell(p.field)}\`: ` : ''}${cell(p.reason)}`);
		}
		if (doc.problems.count > 20) out.push(`- … ${doc.problems.count - 20} more (see \`--json\`)`);
	}
	return out.join('\n') + '\n';
}
