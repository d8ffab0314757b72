import {describe, expect, it} from 'vitest';
import {DEFAULT_ISSUE_PATTERNS} from '../../source/core/attribution.js';
import {quotaEntries} from '../../source/core/quota.js';
import {parsePayload, payloadQuotaSample, refreshAfterMs, sameQuota, statuslineText, type StatuslineInput} from '../../source/core/statusline.js';

const NOW = Date.parse('2026-12-02T12:00:00Z');
const payload = {
	session_id: 's-1',
	transcript_path: '/home/dev/.claude/projects/x/s-1.jsonl',
	cwd: '/srv/symphony_workspaces/MT-42',
	model: {id: 'claude-opus-4-5', display_name: 'Opus 4.5'},
	workspace: {current_dir: '/srv/symphony_workspaces/MT-42', project_dir: '/srv/symphony_workspaces/MT-42'},
	cost: {total_cost_usd: 1.5},
	rate_limits: {five_hour: {used_percentage: 42, resets_at: NOW / 1000 + 7200}, seven_day: {used_percentage: 12.5, resets_at: NOW / 1000 + 3 * 86400}},
};

const input = (o: Partial<StatuslineInput> = {}): StatuslineInput => {
	const p = parsePayload(JSON.stringify(payload));
	return {payload: p, issuePatterns: DEFAULT_ISSUE_PATTERNS, sessionUsd: 0.75, sessionLowerBound: false, digest: null, quota: quotaEntries([payloadQuotaSample(p!, NOW)!], NOW), now: NOW, tzOffsetMinutes: 0, width: 200, ...o};
};

describe('statusline payload', () => {
	it('reads the documented fields; wrong types are unknown, not a crash', () => {
		const p = parsePayload(JSON.stringify(payload))!;
		expect(p).toMatchObject({sessionId: 's-1', model: 'Opus 4.5', workspaceDir: '/srv/symphony_workspaces/MT-42', claudeCostUsd: 1.5});
		expect(p.rateLimits).toEqual([
			{name: 'five_hour', usedPercent: 42, resetsAt: NOW / 1000 + 7200},
			{name: 'seven_day', usedPercent: 12.5, resetsAt: NOW / 1000 + 3 * 86400},
		]);
		const odd = parsePayload(JSON.stringify({session_id: 7, model: 'x', cost: 'lots', rate_limits: {five_hour: {used_percentage: 'hi'}, seven_day: null}}))!;
		expect(odd).toMatchObject({sessionId: null, model: 'x', claudeCostUsd: null, rateLimits: []});
		const iso = parsePayload(JSON.stringify({rate_limits: {five_hour: {used_percentage: 5, resets_at: '2026-12-02T14:00:00Z'}}}))!;
		expect(iso.rateLimits[0]!.resetsAt).toBe(Date.parse('2026-12-02T14:00:00Z') / 1000);
		expect(parsePayload('not json')).toBeNull();
		expect(parsePayload('[1,2]')).toBeNull();
	});

	it('the sample is anthropic windows of known length; equal samples are not new', () => {
		const p = parsePayload(JSON.stringify(payload))!;
		const a = payloadQuotaSample(p, NOW)!;
		expect(a.windows.map((w) => [w.label, w.windowMinutes])).toEqual([
			['five_hour', 300],
			['seven_day', 10080],
		]);
		expect(sameQuota(a, payloadQuotaSample(p, NOW + 5000))).toBe(true);
		const moved = parsePayload(JSON.stringify({...payload, rate_limits: {...payload.rate_limits, five_hour: {used_percentage: 43, resets_at: NOW / 1000 + 7200}}}))!;
		expect(sameQuota(a, payloadQuotaSample(moved, NOW))).toBe(false);
		expect(payloadQuotaSample(parsePayload('{}')!, NOW)).toBeNull();
	});
});

describe('statusline text', () => {
	it('issue, model, session cost, today, $/h, windows and the top flag', () => {
		const digest = {v: 1 as const, at: NOW - 30_000, todayUsd: 12.34, todayLowerBound: false, usdPerHour: 4.2, flag: {severity: 'warn' as const, kind: 'spend_spike', subject: 'MT-42 3c1e0f7a…'}};
		expect(statuslineText(input({digest}))).toBe('MT-42 · Opus 4.5 · $0.75 session · $12.34 today · $4.20/h · 5h 42% ↻14:00 ×0.7 · 7d 13% ↻Sat 12:00 ×0.2 · ! spend_spike MT-42 3c1e0f7a…');
	});

	it('drops parts by priority to fit; never wider than the width', () => {
		const digest = {v: 1 as const, at: NOW, todayUsd: 12.34, todayLowerBound: true, usdPerHour: 4.2, flag: null};
		const narrow = statuslineText(input({digest, width: 42}));
		expect(narrow).toBe('MT-42 · $0.75 session · 5h 42% ↻14:00 ×0.7');
		for (const width of [10, 20, 30, 60, 90]) expect(Array.from(statuslineText(input({digest, width}))).length).toBeLessThanOrEqual(width);
	});

	it('an old digest is not shown as now; no payload is a minimal line; strings are sanitized', () => {
		const digest = {v: 1 as const, at: NOW - 3_600_000, todayUsd: 12.34, todayLowerBound: false, usdPerHour: 4.2, flag: null};
		expect(statuslineText(input({digest}))).not.toMatch(/today/);
		expect(statuslineText(input({payload: null}))).toBe('burn');
		const evil = parsePayload(JSON.stringify({model: {display_name: 'x\u001b[2Jy'}, cwd: '/tmp/a\u0007b'}));
		expect(statuslineText(input({payload: evil, quota: [], sessionUsd: null}))).toBe('ab · xy');
	});

	it("without a transcript burn can count, Claude's own figure is labelled as such", () => {
		expect(statuslineText(input({sessionUsd: null, quota: []}))).toBe("MT-42 · Opus 4.5 · $1.50 session (Claude's)");
	});

	it('a big history is refreshed less often: 10× the last refresh, between 1 and 30 minutes; its digest is shown for two intervals', () => {
		const d = (tookMs: number, ageMs: number) => ({v: 1 as const, at: NOW - ageMs, todayUsd: 1, todayLowerBound: false, usdPerHour: 1, flag: null, tookMs});
		expect(refreshAfterMs(null)).toBe(60_000);
		expect(refreshAfterMs(d(500, 0))).toBe(60_000);
		expect(refreshAfterMs(d(120_000, 0))).toBe(20 * 60_000);
		expect(refreshAfterMs(d(3_600_000, 0))).toBe(30 * 60_000);
		expect(statuslineText(input({digest: d(120_000, 39 * 60_000)}))).toMatch(/\$1\.00 today/);
		expect(statuslineText(input({digest: d(120_000, 41 * 60_000)}))).not.toMatch(/today/);
	});
});
