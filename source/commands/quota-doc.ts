/**
 * The `quota` of a summary document: the windows in the records (Codex `rate_limits`, usage.jsonl
 * `quota`) and those the statusline recorded from Claude Code (`$XDG_STATE_HOME/burn/quota.jsonl`),
 * as they stand at `now` (core/quota.ts).
 */
import {quotaEntries, recordQuotaSamples, type ProviderQuotaSample, type QuotaEntry} from '../core/quota.js';
import type {UsageRecord} from '../core/record.js';
import {readSamples, stateDir} from '../ingest/quota-state.js';

export function statuslineSamples(env: NodeJS.ProcessEnv): ProviderQuotaSample[] {
	return readSamples(stateDir(env)).samples;
}

export function documentQuota(records: Iterable<UsageRecord>, env: NodeJS.ProcessEnv, now: number): QuotaEntry[] {
	return quotaEntries([...recordQuotaSamples(records), ...statuslineSamples(env)], now);
}
