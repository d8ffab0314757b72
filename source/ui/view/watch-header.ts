/**
 * The watch header as text: breadcrumbs on the left; live/paused, spend rate now, today's total
 * and the fidelity mark on the right; sources on a second line when there is room. Parts are
 * dropped or shortened to fit the width, never wrapped.
 */
import {formatCount, truncate, UNKNOWN} from '../../core/format.js';
import {quotaBrief} from '../../core/quota.js';
import {recordsText} from '../../core/report.js';
import {sanitize} from '../../core/sanitize.js';
import type {LiveSnapshot} from '../../core/snapshot.js';
import {isPriced, type FidelityMark} from './watch-model.js';
import {formatRate, rateOf, recentSpend, todayTotal} from './watch-rates.js';

export interface HeaderInfo {
	crumbs: string[];
	paused: boolean;
	ready: boolean;
	/** `$4.20/h` or `12.3k tok/m` (over the last 5 minutes); `—` before anything was read. */
	rate: string;
	/** `$12.34`, `≥ $12.34` or `1.2M tok`; `—` before anything was read. */
	today: string;
	fidelity: FidelityMark;
	/** Share of records with measured tokens, 0–100; null before there is a record to measure. */
	measuredPercent: number | null;
	sources: string;
	/** Vendor rate-limit windows, most used first (`5h 42% ↻14:00 ×1.3`); stale ones left out. */
	quota?: string[];
}

export function headerInfo(snapshot: LiveSnapshot, now: number, crumbs: string[], paused: boolean): HeaderInfo {
	const doc = snapshot.doc;
	const priced = isPriced(doc);
	const lowerBound = priced && (doc.totals.cost?.unpricedModels.length ?? 0) > 0;
	const recent = recentSpend(snapshot, now);
	const rateValue = rateOf(recent.total, priced);
	const rate = priced ? `${lowerBound ? '≥' : ''}${formatRate(rateValue, true)}/h` : `${formatRate(rateValue, false)} tok/m`;
	const today = todayTotal(snapshot, now, priced);
	const {byClass, usageSource} = doc.fidelity;
	const records = doc.totals.records;
	const measured = Math.max(0, byClass.full + byClass['usage-only'] - usageSource.estimated);
	// Nothing read yet is not "100% measured": every number waits for data.
	const empty = records === 0;
	const measuredPercent = empty ? null : Math.round((measured / records) * 100);
	const fidelity: FidelityMark = records === 0 || measured === records ? 'measured' : measured > 0 || doc.totals.tokens.input.known > 0 ? 'partial' : 'unknown';
	const files = snapshot.sources.reduce((s, x) => s + x.files, 0);
	const kinds = [...new Set(snapshot.sources.map((s) => sanitize(s.kind)))];
	const problems = doc.problems.count;
	const sources =
		snapshot.sources.length === 0
			? // Before the first read is done no root is listed yet: that is not "none found".
				snapshot.ready
				? 'no sources found'
				: 'reading…'
			: `${kinds.join(', ')} · ${files} file${files === 1 ? '' : 's'} · ${recordsText(doc)}${problems > 0 ? ` · ${formatCount(problems, false)} problems` : ''}`;
	const windows = (doc.quota ?? []).filter((e) => !e.stale).sort((a, b) => b.usedPercent - a.usedPercent);
	const several = new Set(windows.map((e) => e.provider)).size > 1;
	const tz = -new Date(now).getTimezoneOffset();
	const quota = windows.map((e) => `${several ? `${sanitize(e.provider)} ` : ''}${quotaBrief(e, now, tz)}`);
	return {
		quota,
		crumbs,
		paused,
		ready: snapshot.ready,
		// Kept totals carry no records: the rate over the last 5 minutes waits for the read.
		rate: empty || snapshot.kept ? (priced ? `${UNKNOWN}/h` : `${UNKNOWN} tok/m`) : rate,
		today: empty ? UNKNOWN : priced ? `${lowerBound ? '≥ ' : ''}${formatRate(today, true)}` : `${formatRate(today, false)} tok`,
		fidelity,
		measuredPercent,
		sources,
	};
}

export interface HeaderPart {
	text: string;
	role: 'title' | 'crumb' | 'live' | 'paused' | 'rate' | 'dim' | 'fidelity' | 'quota';
}

/**
 * One line: `burn Issues › MT-12    ● live  $4.20/h  today $12.34  ● 98%`. From 100 columns the
 * numbers say what they are (`$4.20/h last 5m`, `● 98% measured`); narrower, the help overlay does.
 */
export function headerLine(h: HeaderInfo, width: number, fidelityGlyph: string): {left: HeaderPart[]; right: HeaderPart[]} {
	const compact = width < 60;
	const wide = width >= 100;
	const percent = h.measuredPercent === null ? UNKNOWN : `${h.measuredPercent}%`;
	const status: HeaderPart = h.paused
		? {text: compact ? '‖' : '‖ paused', role: 'paused'}
		: {text: h.ready ? (compact ? '●' : '● live') : compact ? '…' : '… reading', role: h.ready ? 'live' : 'dim'};
	// Display order, with the priority each part is kept by (lower stays longer).
	const parts: Array<{part: HeaderPart; priority: number}> = [
		{part: status, priority: 0},
		{part: {text: h.rate, role: 'rate'}, priority: 1},
		...(wide ? [{part: {text: 'last 5m', role: 'dim' as const}, priority: 4}] : []),
		{part: {text: compact ? `Σ${h.today}` : `today ${h.today}`, role: 'dim'}, priority: 3},
		{part: {text: `${h.measuredPercent === null ? '○' : fidelityGlyph}${compact ? '' : ` ${percent}${wide ? ' measured' : ''}`}`, role: 'fidelity'}, priority: 2},
		// Quota windows are dropped first when the pane is narrow; the most used one stays longest.
		...(h.quota ?? []).map((text, i) => ({part: {text, role: 'quota' as const}, priority: 5 + i})),
	];
	const cells = (p: HeaderPart) => Array.from(p.text).length + 1;
	const crumbText = h.crumbs.join(' › ');
	const minLeft = Math.min(Array.from(crumbText).length, compact ? 8 : 16) + (compact ? 0 : 5);
	const kept = new Set<number>();
	let used = 0;
	for (const priority of [...new Set(parts.map((p) => p.priority))].sort((a, b) => a - b)) {
		parts.forEach((p, i) => {
			if (p.priority !== priority) return;
			if (priority === 0 || used + cells(p.part) + minLeft <= width) {
				kept.add(i);
				used += cells(p.part);
			}
		});
	}
	const right = parts.filter((_, i) => kept.has(i)).map((p) => p.part);
	const room = Math.max(0, width - used);
	const left: HeaderPart[] = [];
	if (!compact && room >= 5 + Math.min(Array.from(crumbText).length, 16)) left.push({text: 'burn ', role: 'title'});
	const leftRoom = room - (left.length > 0 ? 5 : 0) - 1;
	left.push({text: fitCrumbs(h.crumbs, Math.max(0, leftRoom)), role: 'crumb'});
	return {left, right};
}

/** The deepest crumbs matter most: drop from the left (`…› run 3c1e0f7a`) before truncating. */
export function fitCrumbs(crumbs: readonly string[], width: number): string {
	const len = (s: string) => Array.from(s).length;
	for (let from = 0; from < crumbs.length; from++) {
		const text = (from > 0 ? '…› ' : '') + crumbs.slice(from).join(' › ');
		if (len(text) <= width) return text;
	}
	return truncate(crumbs[crumbs.length - 1] ?? '', width);
}
