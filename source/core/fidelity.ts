import type {Coverage, FidelityClass, Granularity, UsageRecord} from './record.js';

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
