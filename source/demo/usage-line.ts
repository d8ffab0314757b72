/**
 * One Symphony usage.jsonl record (docs/usage-jsonl.md §5) as a line: what the demo factory writes
 * and what tests append. Token fields follow the spec: `inputTokens` is the total billable input
 * including cache reads and writes.
 */
export interface TurnSpec {
	runId: string;
	turn: number;
	issue: string;
	provider: string;
	model: string;
	botRole: 'developer' | 'reviewer';
	startedAt: number;
	endedAt: number;
	/** Uncached input. */
	input: number;
	cacheRead: number;
	cacheWrite: number;
	output: number;
	reasoning?: number;
	exitReason?: string;
	workspacePath?: string;
	usageSource?: 'provider_reported' | 'estimated' | 'unavailable';
}

export function usageLine(t: TurnSpec): string {
	const unavailable = t.usageSource === 'unavailable';
	const input = t.input + t.cacheRead + t.cacheWrite;
	const record: Record<string, unknown> = {
		schemaVersion: 1,
		recordedAt: new Date(t.endedAt).toISOString(),
		runID: t.runId,
		turn: t.turn,
		issueIdentifier: t.issue,
		provider: t.provider,
		model: t.model,
		botRole: t.botRole,
		inputTokens: unavailable ? null : input,
		outputTokens: unavailable ? null : t.output,
		totalTokens: unavailable ? null : input + t.output,
		usageSource: t.usageSource ?? 'provider_reported',
		startedAt: new Date(t.startedAt).toISOString(),
		endedAt: new Date(t.endedAt).toISOString(),
	};
	if (!unavailable) {
		record.inputUncachedTokens = t.input;
		record.inputCachedReadTokens = t.cacheRead;
		record.inputCacheWriteTokens = t.cacheWrite;
		if (t.reasoning !== undefined) record.outputReasoningTokens = t.reasoning;
	}
	if (t.exitReason) record.exitReason = t.exitReason;
	if (t.workspacePath) record.workspacePath = t.workspacePath;
	return JSON.stringify(record);
}

/** A stable GUID for run `n` of a seed (the spec requires `runID` to be a GUID). */
export function runGuid(seed: number, n: number): string {
	const hex = (v: number, len: number) => (v >>> 0).toString(16).padStart(len, '0').slice(-len);
	// The first 8 hex digits are what the UI shows, so they must differ between runs.
	const mix = Math.imul(seed ^ Math.imul(n, 2654435761), 2246822519) ^ (n << 7);
	return `${hex(mix, 8)}-${hex(n, 4)}-4000-8000-${hex(seed, 8)}${hex(n, 4)}`;
}
