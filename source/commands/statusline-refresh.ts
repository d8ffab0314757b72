/**
 * The statusline's background refresh: one full read through the persistent index, as
 * `summary --once` does it, boiled down to the digest the status line shows (today's spend,
 * $/h over the last 5 minutes, the most severe live flag).
 */
import meow from 'meow';
import {liveFlags} from '../core/anomalies/monitor.js';
import {SEVERITY_RANK, type Flag} from '../core/flags.js';
import type {SummaryJson} from '../core/summary.js';
import type {StatusDigest} from '../core/statusline.js';
import {cacheDirFrom, cacheFlags} from './cache-flags.js';
import {collectSummary} from '../ingest/read-once.js';
import {loadFlagParams, summaryFlags, watchFlagOptions} from './flag-options.js';
import {loadPrices, priceFlags} from './price-sheets.js';
import {discoveryOptions, issuePatterns, sourceFlags} from './source-flags.js';

const MINUTE = 60_000;

export async function computeDigest(argv: string[], env: NodeJS.ProcessEnv, cwd: string, now: number): Promise<StatusDigest> {
	const cli = meow('', {
		importMeta: import.meta,
		description: false,
		argv,
		allowUnknownFlags: true,
		flags: {...sourceFlags, ...priceFlags, ...cacheFlags, ...watchFlagOptions, width: {type: 'string'}, refresh: {type: 'boolean'}},
	});
	const flags = cli.flags;
	const prices = loadPrices(flags, env, cwd);
	const params = loadFlagParams(flags, env, cwd);
	const collected = await collectSummary({discovery: discoveryOptions(flags, env, cwd), pricer: prices.pricer, now: new Date(now), issuePatterns: issuePatterns(flags), cacheDir: cacheDirFrom(flags, env, cwd)});
	const {ledger, doc} = collected;
	const midnight = new Date(now);
	midnight.setHours(0, 0, 0, 0);
	let today = 0;
	let recent = 0;
	for (const [minute, b] of ledger.minutes) {
		if (minute >= midnight.getTime() && minute <= now) today += b.usd;
		if (minute > now - 5 * MINUTE && minute <= now) recent += b.usd;
	}
	const priced = (doc.totals.cost?.usd ?? null) !== null;
	const flagged = summaryFlags(collected, params, true, undefined, now);
	const live = liveFlags(flagged.flags, now, params).sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.lastAt - a.lastAt);
	const top = live.find((f) => f.severity !== 'info') ?? null;
	return {
		v: 1,
		at: now,
		todayUsd: priced ? Math.round(today * 1e6) / 1e6 : null,
		todayLowerBound: (doc.totals.cost?.unpricedModels.length ?? 0) > 0,
		usdPerHour: priced ? Math.round(((recent * 60) / 5) * 1e6) / 1e6 : null,
		flag: top ? {severity: top.severity, kind: top.kind, subject: subject(top, doc)} : null,
	};
}

/** What the flag is about, short: `MT-12 3c1e0f7a…` for a run, else the scope id. */
function subject(f: Flag, doc: SummaryJson): string {
	if (f.scope.type !== 'run') return f.scope.id;
	const run = f.scope.id.length > 12 ? `${f.scope.id.slice(0, 8)}…` : f.scope.id;
	const issue = doc.byRun[f.scope.id]?.issue;
	return issue ? `${issue} ${run}` : `run ${run}`;
}
