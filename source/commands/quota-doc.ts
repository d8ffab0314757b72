/**
 * The `quota` of a summary document: the windows in the records (Codex `rate_limits`, usage.jsonl
 * `quota`) and those the statusline recorded from Claude Code (`$XDG_STATE_HOME/burn/quota.jsonl`),
 * as they stand at `now` (core/quota.ts).
 */
import {SEVERITY_RANK, type Flag} from '../core/flags.js';
import {quotaEntries, quotaFlags, recordQuotaSamples, type ProviderQuotaSample, type QuotaEntry, type QuotaFlagThresholds} from '../core/quota.js';
import type {UsageRecord} from '../core/record.js';
import {readSamples, stateDir} from '../ingest/quota-state.js';

export function statuslineSamples(env: NodeJS.ProcessEnv): ProviderQuotaSample[] {
	return readSamples(stateDir(env)).samples;
}

export function documentQuota(records: Iterable<UsageRecord>, env: NodeJS.ProcessEnv, now: number): QuotaEntry[] {
	return quotaFromSamples(recordQuotaSamples(records), env, now);
}

/** The same from the records' newest windows already picked (`recordQuotaSamples`; kept by a warm summary). */
export function quotaFromSamples(fromRecords: readonly ProviderQuotaSample[], env: NodeJS.ProcessEnv, now: number): QuotaEntry[] {
	return quotaEntries([...fromRecords, ...statuslineSamples(env)], now);
}

/**
 * The flags plus `rate_limit_proximity` for the statusline's windows (the records' windows are
 * judged by the A12 detector already), newest first as summary orders them.
 */
export function withWindowFlags(flags: readonly Flag[], quota: readonly QuotaEntry[], now: number, thresholds?: QuotaFlagThresholds): Flag[] {
	const extra = quotaFlags(
		quota.filter((e) => e.source === 'statusline'),
		now,
		thresholds,
	);
	if (extra.length === 0) return [...flags];
	return [...flags, ...extra].sort((a, b) => b.lastAt - a.lastAt || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
}
