/**
 * One line per flag for the watch strip and the summary's Flags section: severity, kind, scope,
 * the sentence, value vs threshold. Strings from files are sanitized here.
 */
import type {Flag, Severity} from '../flags.js';
import {formatCount, formatUsd} from '../format.js';
import {sanitize} from '../sanitize.js';

export function flagSeverityLabel(s: Severity): string {
	return {info: 'info', warn: 'WARN', crit: 'CRIT'}[s];
}

export function formatFlagValue(v: number, unit: string): string {
	switch (unit) {
		case 'usd':
			return formatUsd(v);
		case 'usd/min':
			return `${formatUsd(v)}/min`;
		case 'tokens':
			return `${formatCount(v)} tok`;
		case 'tokens/min':
			return `${formatCount(v)} tok/min`;
		case 'percent':
			return `${Number(v.toFixed(1))}%`;
		case 'ratio':
			return v <= 1 ? `${Math.round(v * 100)}%` : v.toFixed(2);
		case 'minutes':
			return `${Math.round(v)} min`;
		default:
			return Number.isInteger(v) ? String(v) : v.toFixed(2);
	}
}

export function flagScopeLabel(f: Flag): string {
	const id = sanitize(f.scope.id);
	return `${f.scope.type} ${f.scope.type === 'run' && id.length > 12 ? `${id.slice(0, 8)}…` : id}`;
}

/** `CRIT budget_burn issue MT-7: … (104% vs 80%)` */
export function flagLine(f: Flag): string {
	const vs = `${formatFlagValue(f.value, f.unit)} vs ${formatFlagValue(f.threshold, f.unit)}`;
	const from = f.external ? ` [${sanitize(f.external)}]` : '';
	return `${flagSeverityLabel(f.severity)} ${f.kind}${from} ${flagScopeLabel(f)}: ${sanitize(f.message)} (${vs}${f.active === false ? ', cleared' : ''})`;
}
