/**
 * The `burn.sources/1` document (what `burn sources --json` prints) and its text rendering:
 * per source and root, what was found (files, records, problems, fidelity, time range), and the
 * default locations that did not exist.
 */
import {formatCount, formatTime, truncate, wrapText} from './format.js';
import type {Problem} from './problems.js';
import {fidelityClassText, usageSourceText} from './fidelity.js';
import type {FidelityClass, Granularity, SourceKind, UsageSource} from './record.js';
import {sanitize} from './sanitize.js';
import type {SourceNumbers} from './source-numbers.js';

export const SOURCES_SCHEMA = 'burn.sources/1';

/** A root in `burn.sources/1`: the engine's numbers (core/source-numbers.ts) and what dedup within the root found. */
export interface SourceRootJson extends Pick<SourceNumbers, 'kind' | 'path' | 'via' | 'explicit' | 'files' | 'bytes'> {
	label: string;
	/** Records read, before dedup (`SourceNumbers.records`). */
	recordsRead: number;
	/** Records that count after dedup within this root. */
	records: number;
	/** The files' problems and the root's dedup conflicts. */
	problems: number;
	/**
	 * Files the index holds under this root that are gone from disk: their records still count
	 * (history survives the agents' clean-up) until `burn forget --gone`.
	 */
	gone: {files: number; records: number};
	/** Of the records that count: fidelity class and where the token counts came from (each adds up to `records`). */
	fidelity: {byClass: Record<FidelityClass, number>; byGranularity: Record<Granularity, number>; usageSource: Record<UsageSource, number>};
	range: {from: string | null; to: string | null};
	/** The first few problems, for a quick look (counts are complete). */
	sampleProblems: Problem[];
}

export interface SourcesJson {
	schema: typeof SOURCES_SCHEMA;
	generatedAt: string;
	/** A source flag turned default discovery off. */
	explicit: boolean;
	roots: SourceRootJson[];
	/** Places looked at that do not exist. */
	missing: Array<{kind: SourceKind; label: string; path: string; via: string}>;
}

const plural = (n: number, word: string) => `${formatCount(n, false)} ${word}${n === 1 ? '' : 's'}`;

function bytes(n: number): string {
	if (n < 1024) return `${n} B`;
	if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
	if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
	return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** Plain text lines, each at most `width` columns; every string from disk or env is sanitized. */
export function sourcesLines(doc: SourcesJson, width = 100): string[] {
	const out: string[] = [];
	// Lines wrap under their own indent rather than being cut: counts and reasons sit at their ends.
	const push = (s: string) => {
		if (Array.from(s).length <= width) return void out.push(s);
		const lead = /^ */.exec(s)![0];
		const [first = '', ...more] = wrapText(s.slice(lead.length), Math.max(1, width - lead.length));
		out.push(truncate(lead + first, width));
		const indent = `${lead}  `;
		for (const l of more.length > 0 ? wrapText(more.join(' '), Math.max(1, width - indent.length)) : []) out.push(truncate(indent + l, width));
	};
	push(doc.explicit ? 'Sources (named by flags; default discovery is off)' : 'Sources (default discovery: every location that exists)');
	if (doc.roots.length === 0) {
		push('');
		push('  Nothing found.');
	}
	let lastKind: string | null = null;
	for (const r of doc.roots) {
		if (r.kind !== lastKind) {
			push('');
			push(`${r.label} (${r.kind})`);
			lastKind = r.kind;
		}
		push(`  ${sanitize(r.path)}  [${sanitize(r.via)}]`);
		const dedup = r.records !== r.recordsRead ? ` (${formatCount(r.records, false)} after dedup)` : '';
		push(`    ${plural(r.files, 'file')} · ${bytes(r.bytes)} · ${plural(r.recordsRead, 'record')} read${dedup} · ${plural(r.problems, 'problem')}`);
		if (r.gone.files > 0) {
			push(`    gone from disk: ${plural(r.gone.files, 'file')} · ${plural(r.gone.records, 'record')}, still counted (burn forget --gone drops them)`);
		}
		// The summary's words and rule (core/fidelity.ts): classes, then where the counts came from.
		push(`    fidelity: ${fidelityClassText(r.fidelity.byClass) || '—'}`);
		push(`    token counts: ${usageSourceText(r.fidelity.usageSource) || '—'}`);
		push(`    range: ${formatTime(r.range.from === null ? null : Date.parse(r.range.from))} → ${formatTime(r.range.to === null ? null : Date.parse(r.range.to))}`);
		for (const p of r.sampleProblems) {
			push(`    ! ${sanitize(p.path)}${p.line ? `:${p.line}` : ''} ${p.kind}: ${sanitize(p.reason)}`);
		}
	}
	if (doc.missing.length > 0) {
		push('');
		push('Not found');
		for (const m of doc.missing) push(`  ${m.kind.padEnd(16)} ${sanitize(m.path)}  [${sanitize(m.via)}]`);
	}
	return out;
}
