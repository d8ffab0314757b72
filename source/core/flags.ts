/**
 * An anomaly flag: what happened, how sure we are, and what to look at. Detectors (issue 7)
 * produce these; watch and summary show them.
 */
export type Severity = 'info' | 'warn' | 'crit';

export type FlagScopeType = 'run' | 'issue' | 'model' | 'source' | 'day';

export interface FlagScope {
	type: FlagScopeType;
	id: string;
}

export interface FlagBaseline {
	median?: number;
	mad?: number;
	n?: number;
	/** e.g. "60m", "30d peers". */
	window?: string;
}

export interface Flag {
	/** Stable across re-evaluations: `${kind}:${scope.type}:${scope.id}`. */
	id: string;
	/** Kind name from docs/anomalies.md, e.g. `spend_spike`, `budget_burn`, `data_quality`. */
	kind: string;
	scope: FlagScope;
	severity: Severity;
	value: number;
	threshold: number;
	/** Unit of value/threshold: `usd`, `usd/min`, `tokens`, `tokens/min`, `percent`, `count`, `minutes`, `ratio`, `score`. */
	unit: string;
	baseline: FlagBaseline | null;
	/** Epoch ms of the first and last evidence. */
	firstAt: number;
	lastAt: number;
	/** One plain sentence: what happened and what to look at. */
	message: string;
	/** Where the flag came from when not burn's own rules (e.g. bosun's agent-alerts.jsonl). */
	external?: string;
	/** Still raised at the evaluation time (false: it cleared at `clearedAt`). */
	active?: boolean;
	clearedAt?: number | null;
	/** How many times this kind was raised for this scope (re-fires escalate). */
	fired?: number;
	/** A $-based rule judged in tokens because the scope is mostly unpriced. */
	fallback?: 'tokens';
	/** A few timestamped lines behind the flag, for drill-down (oldest first). */
	evidence?: FlagEvidence[];
}

export interface FlagEvidence {
	at: number;
	text: string;
}

/** A kind that could not judge (no vendor data, unknown context window, too little history). */
export interface FlagNote {
	kind: string;
	state: 'unknown' | 'insufficient_baseline';
	message: string;
}

export const SEVERITY_RANK: Record<Severity, number> = {info: 0, warn: 1, crit: 2};
