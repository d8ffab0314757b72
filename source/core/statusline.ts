/**
 * `burn statusline`, the pure part: what Claude Code pipes on stdin (its `statusLine` command
 * payload), the rate-limit sample in it, and the one line printed back. Everything from the
 * payload is untrusted: fields are checked one by one (a wrong type is "unknown", never a crash)
 * and every string is stripped of control characters before it is printed (docs/quota.md).
 */
import {issueFromWorkspace} from './attribution.js';
import {formatUsd, truncate} from './format.js';
import {SEVERITY_RANK} from './flags.js';
import {CLAUDE_WINDOWS, quotaBrief, quotaFlags, type ProviderQuotaSample, type QuotaEntry} from './quota.js';
import {sanitize} from './sanitize.js';

export interface StatuslinePayload {
	sessionId: string | null;
	transcriptPath: string | null;
	cwd: string | null;
	workspaceDir: string | null;
	model: string | null;
	/** Claude Code's own cost estimate (shown only when burn cannot count the session). */
	claudeCostUsd: number | null;
	/** `five_hour` / `seven_day` → {used %, resets at (epoch s)}. */
	rateLimits: Array<{name: string; usedPercent: number; resetsAt: number | null}>;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 && v.length < 4096 ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The payload's fields burn uses; null when the input is not a JSON object at all. */
export function parsePayload(text: string): StatuslinePayload | null {
	let v: unknown;
	try {
		v = JSON.parse(text);
	} catch {
		return null;
	}
	if (!isObj(v)) return null;
	const model = isObj(v.model) ? (str(v.model.display_name) ?? str(v.model.id)) : str(v.model);
	const workspace = isObj(v.workspace) ? v.workspace : {};
	const cost = isObj(v.cost) ? num(v.cost.total_cost_usd) : null;
	const rateLimits: StatuslinePayload['rateLimits'] = [];
	if (isObj(v.rate_limits)) {
		for (const [name, w] of Object.entries(v.rate_limits)) {
			if (!isObj(w)) continue;
			const used = num(w.used_percentage) ?? num(w.used_percent);
			if (used === null || used < 0 || used > 1000) continue;
			// Epoch seconds by the docs; an ISO time is taken too.
			let resetsAt = num(w.resets_at) ?? (typeof w.resets_at === 'string' && Number.isFinite(Date.parse(w.resets_at)) ? Math.round(Date.parse(w.resets_at) / 1000) : null);
			// A value in milliseconds is taken as such.
			if (resetsAt !== null && resetsAt > 1e11) resetsAt = Math.round(resetsAt / 1000);
			if (resetsAt !== null && resetsAt <= 0) resetsAt = null;
			rateLimits.push({name: name.slice(0, 40), usedPercent: Math.min(100, used), resetsAt});
		}
	}
	return {
		sessionId: str(v.session_id),
		transcriptPath: str(v.transcript_path),
		cwd: str(v.cwd),
		workspaceDir: str(workspace.current_dir) ?? str(workspace.project_dir),
		model,
		claudeCostUsd: cost,
		rateLimits,
	};
}

/** The payload's `rate_limits` as a quota sample (provider `anthropic`), or null when it has none. */
export function payloadQuotaSample(p: StatuslinePayload, now: number): ProviderQuotaSample | null {
	if (p.rateLimits.length === 0) return null;
	return {
		provider: 'anthropic',
		source: 'statusline',
		at: now,
		windows: p.rateLimits.map((w) => ({label: w.name, windowMinutes: CLAUDE_WINDOWS[w.name] ?? null, usedPercent: w.usedPercent, resetsAt: w.resetsAt})),
	};
}

/** Two samples say the same thing (Claude Code sends the same numbers after most messages). */
export function sameQuota(a: ProviderQuotaSample | null, b: ProviderQuotaSample | null): boolean {
	if (!a || !b || a.provider !== b.provider || a.windows.length !== b.windows.length) return false;
	return a.windows.every((w, i) => {
		const o = b.windows[i]!;
		return o.label === w.label && o.usedPercent === w.usedPercent && o.resetsAt === w.resetsAt;
	});
}

/** What the background refresh found across all sources (written by `burn statusline --refresh`). */
export interface StatusDigest {
	v: 1;
	/** Epoch ms of the read. */
	at: number;
	/** Priced spend today (local day), USD; null when nothing was priced. */
	todayUsd: number | null;
	/** Some of today's records had no price: the figure is a lower bound. */
	todayLowerBound: boolean;
	/** Spend rate over the last 5 minutes, USD per hour. */
	usdPerHour: number | null;
	/** The most severe live flag, if any. */
	flag: {severity: 'info' | 'warn' | 'crit'; kind: string; subject: string} | null;
	/** How long the refresh took, ms: a big history is refreshed less often. */
	tookMs?: number;
}

/** Refresh the digest when it is older than this: a minute, or 10× what the last refresh took (at most 30 min). */
export function refreshAfterMs(d: StatusDigest | null): number {
	return Math.min(30 * 60_000, Math.max(60_000, 10 * (d?.tookMs ?? 0)));
}

export interface StatuslineInput {
	payload: StatuslinePayload | null;
	issuePatterns: readonly RegExp[];
	/** This session's cost as burn counts it (transcript + sub-agents, priced); null: unknown. */
	sessionUsd: number | null;
	sessionLowerBound: boolean;
	digest: StatusDigest | null;
	/** Claude's windows at now (from this payload, or the newest recorded sample). */
	quota: QuotaEntry[];
	now: number;
	tzOffsetMinutes: number;
	width: number;
}

const FLAG_GLYPH = {info: '·', warn: '!', crit: '‼'} as const;
/** A digest older than this (or than two refresh intervals) is not shown as "now": the refresh has not run for a while. */
export const DIGEST_STALE_MS = 15 * 60_000;

/**
 * The line: parts in display order, dropped by priority (issue, session cost and the 5h window
 * stay longest) until it fits `width`; nothing wraps.
 */
export function statuslineText(input: StatuslineInput): string {
	const p = input.payload;
	if (!p) return 'burn';
	const parts: Array<{text: string; priority: number}> = [];
	const workspace = p.workspaceDir ?? p.cwd;
	const issue = issueFromWorkspace(workspace, input.issuePatterns);
	const place = issue ?? (workspace ? (workspace.split(/[\\/]/).filter(Boolean).pop() ?? null) : null);
	parts.push({text: place ? sanitize(place) : 'burn', priority: 0});
	if (p.model) parts.push({text: sanitize(p.model), priority: 7});
	if (input.sessionUsd !== null) parts.push({text: `${input.sessionLowerBound ? '≥' : ''}${formatUsd(input.sessionUsd)} session`, priority: 1});
	else if (p.claudeCostUsd !== null) parts.push({text: `${formatUsd(p.claudeCostUsd)} session (Claude's)`, priority: 1});
	const d = input.digest !== null && input.now - input.digest.at <= Math.max(DIGEST_STALE_MS, 2 * refreshAfterMs(input.digest)) ? input.digest : null;
	if (d?.todayUsd != null) parts.push({text: `${d.todayLowerBound ? '≥' : ''}${formatUsd(d.todayUsd)} today`, priority: 4});
	if (d?.usdPerHour != null) parts.push({text: `${formatUsd(d.usdPerHour)}/h`, priority: 5});
	for (const e of input.quota) {
		parts.push({text: quotaBrief(e, input.now, input.tzOffsetMinutes), priority: e.window === '5h' ? 2 : 6});
	}
	// The most severe of the digest's flag and this payload's own windows (a 96 % 5h window is news now).
	let flag = d?.flag ?? null;
	for (const f of quotaFlags(input.quota, input.now)) {
		if (!flag || SEVERITY_RANK[f.severity] > SEVERITY_RANK[flag.severity]) flag = {severity: f.severity, kind: f.kind, subject: f.scope.id};
	}
	if (flag) parts.push({text: `${FLAG_GLYPH[flag.severity]} ${sanitize(flag.kind)} ${sanitize(flag.subject)}`.trimEnd(), priority: flag.severity === 'crit' ? 2 : 3});
	const sep = ' · ';
	const len = (s: string) => Array.from(s).length;
	const kept = new Set(parts.map((_, i) => i));
	const total = () => [...kept].reduce((s, i) => s + len(parts[i]!.text), 0) + Math.max(0, kept.size - 1) * sep.length;
	for (let priority = 7; priority > 0 && total() > input.width; priority--) {
		for (let i = parts.length - 1; i >= 0 && total() > input.width; i--) if (parts[i]!.priority === priority) kept.delete(i);
	}
	return truncate(
		parts
			.filter((_, i) => kept.has(i))
			.map((x) => x.text)
			.join(sep),
		Math.max(1, input.width),
	);
}
