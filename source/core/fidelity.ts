import {formatCount} from './format.js';
import type {Coverage, FidelityClass, Granularity, UsageRecord, UsageSource} from './record.js';

/**
 * The one place a record's fidelity class is derived (seed 004): from its granularity and
 * what it covered. The class summarizes; granularity and coverage stay on the record.
 *
 * - cost-only / per-session-aggregate granularity → `cost-only` / `aggregate-only`;
 * - input or output unknown → `partial` (an `unavailable` record lands here too);
 * - input, output and cache reads known, with tool-call detail → `full`;
 * - input and output known otherwise → `usage-only`.
 */
export function fidelityClass(granularity: Granularity, coverage: Coverage): FidelityClass {
	if (granularity === 'cost-only') return 'cost-only';
	if (granularity === 'per-session-aggregate') return 'aggregate-only';
	if (!coverage.hasInputTokens || !coverage.hasOutputTokens) return 'partial';
	if (coverage.hasCacheReadTokens && coverage.hasToolCalls) return 'full';
	return 'usage-only';
}

export function recordFidelity(record: UsageRecord): FidelityClass {
	return fidelityClass(record.granularity, record.coverage);
}

/**
 * The one vocabulary for fidelity in text (summary, markdown, `burn sources`): the classes
 * above, each record in exactly one, so the parts add up to the records. An `unavailable`
 * record is `partial` here; where its counts came from is the other partition, `usageSourceText`.
 */
const CLASS_ORDER: readonly FidelityClass[] = ['full', 'usage-only', 'aggregate-only', 'cost-only', 'partial'];
export function fidelityClassText(byClass: Readonly<Record<FidelityClass, number>>): string {
	return CLASS_ORDER.filter((c) => byClass[c] > 0).map((c) => `${formatCount(byClass[c], false)} ${c}`).join(' · ');
}

/** Where the token counts came from, each record once: `400 provider-reported · 42 estimated · 12 unavailable`. */
const SOURCE_ORDER: readonly UsageSource[] = ['provider_reported', 'estimated', 'unavailable'];
export function usageSourceText(usageSource: Readonly<Record<UsageSource, number>>): string {
	return SOURCE_ORDER.filter((u) => usageSource[u] > 0).map((u) => `${formatCount(usageSource[u], false)} ${u.replace('_', '-')}`).join(' · ');
}
