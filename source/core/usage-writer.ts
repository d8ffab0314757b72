/**
 * A normalized record → a Symphony `usage.jsonl` record (docs/usage-jsonl.md §5). Pure.
 *
 * Only counts, names, times and ids are copied: there is no field a prompt or a response could
 * travel in. `runID` is a UUID v5 (SHA-1, RFC 9562 §5.5) of `<source>:<session id>`, so a rerun
 * gives the same id and two sources cannot collide. Turns are numbered by the caller.
 */
import {createHash} from 'node:crypto';
import {NO_ISSUE, UNKNOWN_MODEL} from './ledger.js';
import type {UsageRecord} from './record.js';

export const SCHEMA_VERSION = 1;

/** The namespace of burn's run ids (a fixed random UUID; changing it changes every backfilled runID). */
export const BURN_RUN_NAMESPACE = 'b1e2a6c4-6d0f-4c59-9a7e-2f1d3c8b5e70';

export function uuidV5(name: string, namespace = BURN_RUN_NAMESPACE): string {
	const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
	const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
	const b = Buffer.from(hash.subarray(0, 16));
	b[6] = (b[6]! & 0x0f) | 0x50;
	b[8] = (b[8]! & 0x3f) | 0x80;
	const hex = b.toString('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const runIds = new Map<string, string>();

/** Memoized: a backfill asks once per record, and a session has many records. */
export function runIdFor(r: Pick<UsageRecord, 'source' | 'runId'>): string {
	const name = `${r.source}:${r.runId}`;
	let id = runIds.get(name);
	if (id === undefined) {
		if (runIds.size > 100_000) runIds.clear();
		runIds.set(name, (id = uuidV5(name)));
	}
	return id;
}

export interface SpecRecord {
	schemaVersion: number;
	recordedAt: string;
	runID: string;
	turn: number;
	issueIdentifier: string;
	provider: string;
	model: string;
	botRole: 'developer' | 'reviewer';
	inputTokens: number | null;
	outputTokens: number | null;
	totalTokens: number | null;
	usageSource: UsageRecord['usageSource'];
	startedAt: string;
	endedAt: string;
	inputUncachedTokens?: number;
	inputCachedReadTokens?: number;
	inputCacheWriteTokens?: number;
	inputCacheWriteEphemeral5mTokens?: number;
	inputCacheWriteEphemeral1hTokens?: number;
	outputVisibleTokens?: number;
	outputReasoningTokens?: number;
	issueID?: string;
	mode?: string;
	effort?: string;
	exitReason?: string;
	estimate?: number;
	workspacePath?: string;
	reviewerMode?: string;
	pullRequest?: {repo?: string; number?: number; headSHA?: string; url?: string};
	quota?: {planType?: string; windows: Array<{label: string; windowMinutes?: number; usedPercent: number; resetsAt?: number}>};
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * `issueIdentifier` is required; a record no issue was found for is written as `(none)`, the key
 * burn itself uses for that row, so totals read back unchanged. A missing model is `(unknown)`.
 */
export function toSpecRecord(r: UsageRecord, turn: number, recordedAt: number): SpecRecord {
	const t = r.tokens;
	const unavailable = r.usageSource === 'unavailable';
	const out: SpecRecord = {
		schemaVersion: SCHEMA_VERSION,
		recordedAt: iso(recordedAt),
		runID: runIdFor(r),
		turn,
		issueIdentifier: r.issue ?? NO_ISSUE,
		provider: r.provider ?? r.source,
		model: r.model ?? UNKNOWN_MODEL,
		botRole: r.meta?.botRole === 'reviewer' ? 'reviewer' : 'developer',
		inputTokens: unavailable ? null : t.input,
		outputTokens: unavailable ? null : t.output,
		totalTokens: unavailable ? null : t.total,
		usageSource: r.usageSource,
		startedAt: iso(Math.min(r.startedAt ?? r.at, r.at)),
		endedAt: iso(r.at),
	};
	if (!unavailable) {
		const set = <K extends keyof SpecRecord>(k: K, v: number | null) => {
			if (v !== null && Number.isFinite(v) && v >= 0) (out as unknown as Record<string, number>)[k] = v;
		};
		if (t.input !== null && t.cacheRead !== null && t.cacheWrite !== null) set('inputUncachedTokens', t.input - t.cacheRead - t.cacheWrite);
		set('inputCachedReadTokens', t.cacheRead);
		set('inputCacheWriteTokens', t.cacheWrite);
		set('inputCacheWriteEphemeral5mTokens', t.cacheWrite5m);
		set('inputCacheWriteEphemeral1hTokens', t.cacheWrite1h);
		if (t.output !== null && t.reasoning !== null) set('outputVisibleTokens', t.output - t.reasoning);
		set('outputReasoningTokens', t.reasoning);
	}
	const m = r.meta;
	if (m?.issueId) out.issueID = m.issueId;
	if (m?.mode) out.mode = m.mode;
	if (m?.effort) out.effort = m.effort;
	if (m?.exitReason) out.exitReason = m.exitReason;
	if (typeof m?.estimate === 'number') out.estimate = m.estimate;
	if (m?.reviewerMode) out.reviewerMode = m.reviewerMode;
	if (m?.pullRequest && Object.keys(m.pullRequest).length > 0) out.pullRequest = {...m.pullRequest};
	if (r.workspace) out.workspacePath = r.workspace;
	if (r.quota && r.quota.windows.length > 0) {
		out.quota = {
			...(r.quota.planType ? {planType: r.quota.planType} : {}),
			windows: r.quota.windows.map((w) => ({
				label: w.label,
				...(w.windowMinutes !== null ? {windowMinutes: w.windowMinutes} : {}),
				usedPercent: Math.min(100, Math.max(0, w.usedPercent)),
				...(w.resetsAt !== null ? {resetsAt: w.resetsAt} : {}),
			})),
		};
	}
	return out;
}

/** What makes two written records the same turn, for idempotent reruns (runID is separate). */
export function specFingerprint(s: Pick<SpecRecord, 'endedAt' | 'model' | 'inputTokens' | 'outputTokens' | 'totalTokens'>): string {
	return `${Date.parse(s.endedAt)}|${s.model}|${s.inputTokens}|${s.outputTokens}|${s.totalTokens}`;
}

/** Records of one run in time order (ties by key, so the order is stable across reruns). */
export function inTurnOrder(records: UsageRecord[]): UsageRecord[] {
	return records.sort((a, b) => a.at - b.at || (a.startedAt ?? a.at) - (b.startedAt ?? b.at) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
