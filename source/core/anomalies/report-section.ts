/**
 * The Flags section of the text and markdown summaries. Kept here so the shared report files
 * only call it. Every flag: severity, kind, scope, its sentence, value vs threshold.
 */
import type {Severity} from '../flags.js';
import {sanitize} from '../sanitize.js';
import type {SummaryJson} from '../summary.js';
import {flagLine, flagScopeLabel, flagSeverityLabel, formatFlagValue} from './format.js';

type Style = 'warning' | 'problem' | 'dim';
const STYLE: Record<Severity, Style> = {crit: 'problem', warn: 'warning', info: 'dim'};

function counts(doc: SummaryJson): string {
	const n = {crit: 0, warn: 0, info: 0};
	for (const f of doc.flags ?? []) n[f.severity]++;
	return (['crit', 'warn', 'info'] as const).filter((s) => n[s] > 0).map((s) => `${n[s]} ${s}`).join(' · ');
}

/** Lines for the text report; nothing when flags were not computed. */
export function flagSectionLines(doc: SummaryJson, maxFlags = 10): Array<{text: string; style: Style | 'row'}> {
	if (doc.flags === undefined) return [];
	const flags = doc.flags;
	const out: Array<{text: string; style: Style | 'row'}> = [{text: '', style: 'row'}];
	if (flags.length === 0) out.push({text: 'Flags: none raised', style: 'dim'});
	else out.push({text: `Flags (${flags.length}): ${counts(doc)}`, style: flags.some((f) => f.severity !== 'info') ? 'warning' : 'dim'});
	for (const f of flags.slice(0, maxFlags)) out.push({text: `  ${flagLine(f)}`, style: STYLE[f.severity]});
	if (flags.length > maxFlags) out.push({text: `  … ${flags.length - maxFlags} more: burn summary --once --json lists them`, style: 'dim'});
	for (const n of doc.flagNotes ?? []) out.push({text: `  ${n.kind}: ${sanitize(n.message)}`, style: 'dim'});
	return out;
}

const cell = (text: string) => sanitize(text).replace(/\|/g, '\\|');

export function flagSectionMarkdown(doc: SummaryJson, maxFlags = 50): string[] {
	if (doc.flags === undefined) return [];
	const flags = doc.flags;
	const out = ['', flags.length === 0 ? '### Flags (none raised)' : `### Flags (${flags.length}: ${counts(doc)})`];
	if (flags.length > 0) {
		out.push('', '| Severity | Kind | Scope | What happened | Value | Threshold |', '| --- | --- | --- | --- | ---: | ---: |');
		for (const f of flags.slice(0, maxFlags)) {
			out.push(
				`| ${flagSeverityLabel(f.severity)} | \`${f.kind}\`${f.external ? ` (${cell(f.external)})` : ''} | ${cell(flagScopeLabel(f))} | ${cell(f.message)}${f.active === false ? ' _(cleared)_' : ''} | ${formatFlagValue(f.value, f.unit)} | ${formatFlagValue(f.threshold, f.unit)} |`,
			);
		}
		if (flags.length > maxFlags) out.push('', `_+${flags.length - maxFlags} more flags: see \`--json\`._`);
	}
	if ((doc.flagNotes ?? []).length > 0) {
		out.push('');
		for (const n of doc.flagNotes!) out.push(`- \`${n.kind}\`: ${cell(n.message)}`);
	}
	return out;
}
