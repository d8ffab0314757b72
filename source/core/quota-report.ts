/**
 * The `quota` windows of a `burn.summary/1` document as report lines (text and markdown): used %,
 * reset time and how far off it is (from the document's `generatedAt`), pace and projected full.
 */
import {formatTime} from './format.js';
import {formatDuration, type QuotaEntry} from './quota.js';
import {sanitize} from './sanitize.js';
import type {SummaryJson} from './summary.js';

export function quotaEntryText(e: QuotaEntry, now: number): string {
	const name = `${sanitize(e.provider)} ${sanitize(e.window)}`;
	const sampled = `${sanitize(e.source)}, sampled ${formatTime(Date.parse(e.sampledAt))}`;
	if (e.stale) return `${name}: ${Math.round(e.usedPercent)}% at the sample; the window has reset since (stale) [${sampled}]`;
	const reset = e.resetsAt === null ? 'reset time unknown' : `resets ${formatTime(Date.parse(e.resetsAt))} (in ${formatDuration(Date.parse(e.resetsAt) - now)})`;
	const pace = e.pace === null ? 'pace unknown (too little of the window seen)' : `pace ×${e.pace.toFixed(2)}`;
	const full = e.projectedFullAt === null ? '' : ` · full at this pace ${formatTime(Date.parse(e.projectedFullAt))}`;
	return `${name}: ${Math.round(e.usedPercent)}% used · ${reset} · ${pace}${full} [${sampled}]`;
}

export function quotaSectionLines(doc: SummaryJson): string[] {
	if (!doc.quota || doc.quota.length === 0) return [];
	const now = Date.parse(doc.generatedAt);
	return ['', 'Quota (vendor-reported windows):', ...doc.quota.map((e) => `  ${quotaEntryText(e, now)}`)];
}

export function quotaSectionMarkdown(doc: SummaryJson): string[] {
	if (!doc.quota || doc.quota.length === 0) return [];
	const now = Date.parse(doc.generatedAt);
	return ['', '### Quota', '', ...doc.quota.map((e) => `- ${quotaEntryText(e, now).replace(/\|/g, '\\|')}`)];
}
