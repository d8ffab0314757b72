import {describe, expect, it} from 'vitest';
import {formatResetClock, quotaBrief, quotaEntries, quotaFlags, recordQuotaSamples, windowName, type ProviderQuotaSample} from '../../source/core/quota.js';

const MIN = 60_000;
const T = Date.parse('2026-12-02T12:00:00Z');
const s = (o: Partial<ProviderQuotaSample> & {used: number; resetsIn: number; minutes?: number | null; label?: string}): ProviderQuotaSample => ({
	provider: o.provider ?? 'anthropic',
	source: o.source ?? 'statusline',
	at: o.at ?? T,
	windows: [{label: o.label ?? 'five_hour', windowMinutes: o.minutes === undefined ? 300 : o.minutes, usedPercent: o.used, resetsAt: Math.floor(((o.at ?? T) + o.resetsIn) / 1000)}],
});

describe('quota windows at now', () => {
	it('names windows by length: 5h, 7d, else the source name', () => {
		expect(windowName({label: 'primary', windowMinutes: 300})).toBe('5h');
		expect(windowName({label: 'weekly', windowMinutes: 10080})).toBe('7d');
		expect(windowName({label: 'seven_day', windowMinutes: null})).toBe('7d');
		expect(windowName({label: 'secondary', windowMinutes: 60})).toBe('secondary');
	});

	it('pace = used % ÷ elapsed %; projected full when the pace runs out before the reset', () => {
		// 2.5 h into a 5 h window (50 % elapsed) with 60 % used: pace 1.2; full 2.5 h × 100/60 after the start.
		const [e] = quotaEntries([s({used: 60, resetsIn: 150 * MIN})], T);
		expect(e).toMatchObject({provider: 'anthropic', window: '5h', usedPercent: 60, pace: 1.2, stale: false, source: 'statusline'});
		const start = T - 150 * MIN;
		expect(Date.parse(e!.projectedFullAt!)).toBe(start + (150 * MIN * 100) / 60);
		// Slower than the window: no projected full.
		const [slow] = quotaEntries([s({used: 30, resetsIn: 150 * MIN})], T);
		expect(slow!.pace).toBe(0.6);
		expect(slow!.projectedFullAt).toBeNull();
	});

	it('stale: the reset time has passed since the sample (no pace, no projection)', () => {
		const [e] = quotaEntries([s({used: 53, resetsIn: 60 * MIN})], T + 61 * MIN);
		expect(e).toMatchObject({stale: true, pace: null, projectedFullAt: null, usedPercent: 53});
		// Without a reset time, a sample older than its window has seen a reset too.
		const noReset: ProviderQuotaSample = {provider: 'openai', source: 'codex', at: T, windows: [{label: '5h', windowMinutes: 300, usedPercent: 10, resetsAt: null}]};
		expect(quotaEntries([noReset], T + 299 * MIN)[0]!.stale).toBe(false);
		expect(quotaEntries([noReset], T + 300 * MIN)[0]!.stale).toBe(true);
	});

	it('needs a minimum of evidence: 2 % used, or 5 minutes into the window, gives no pace', () => {
		expect(quotaEntries([s({used: 2, resetsIn: 100 * MIN})], T)[0]!.pace).toBeNull();
		expect(quotaEntries([s({used: 40, resetsIn: 295 * MIN})], T)[0]!.pace).toBeNull();
		expect(quotaEntries([s({used: 40, resetsIn: 250 * MIN})], T)[0]!.pace).not.toBeNull();
	});

	it('the newest sample per provider and window wins; sorted by provider, 5h before 7d', () => {
		const old = s({used: 10, resetsIn: 100 * MIN, at: T - 10 * MIN});
		const fresh = s({used: 20, resetsIn: 90 * MIN});
		const week = s({used: 5, resetsIn: 3 * 1440 * MIN, label: 'seven_day', minutes: 10080});
		const codex = s({provider: 'openai', source: 'codex', used: 7, resetsIn: 100 * MIN, label: 'primary'});
		const out = quotaEntries([week, fresh, codex, old], T);
		expect(out.map((e) => `${e.provider} ${e.window} ${e.usedPercent}`)).toEqual(['anthropic 5h 20', 'anthropic 7d 5', 'openai 5h 7']);
	});

	it('record samples: the newest per source and provider', () => {
		const q = (at: number, used: number) => ({at, planType: null, windows: [{label: '5h', windowMinutes: 300, usedPercent: used, resetsAt: null}]});
		const out = recordQuotaSamples([
			{source: 'codex', provider: 'openai', quota: q(T, 1)},
			{source: 'codex', provider: 'openai', quota: q(T + 1, 2)},
			{source: 'codex', provider: 'openai', quota: null},
		]);
		expect(out).toHaveLength(1);
		expect(out[0]!.windows[0]!.usedPercent).toBe(2);
	});

	it('brief: used %, local reset clock, pace; a stale window says reset', () => {
		const [e] = quotaEntries([s({used: 60, resetsIn: 150 * MIN})], T);
		expect(quotaBrief(e!, T, 60)).toBe('5h 60% ↻15:30 ×1.2'); // 14:30Z in UTC+1
		expect(formatResetClock(T + 3 * 1440 * MIN, T, 0)).toBe('Sat 12:00');
		const [st] = quotaEntries([s({used: 60, resetsIn: 1 * MIN})], T + 2 * MIN);
		expect(quotaBrief(st!, T, 0)).toBe('5h reset');
	});

	it('window flags: warn at 80 %, crit at 95 %, warn when the pace fills it before the reset, crit within 15 min; stale never', () => {
		const flags = (used: number, resetsIn: number, now = T) => quotaFlags(quotaEntries([s({used, resetsIn})], now), now);
		expect(flags(79, 250 * MIN)[0]!.message).toMatch(/at this pace/); // 79 % used 50 min in: full long before the reset
		expect(flags(50, 100 * MIN)).toEqual([]); // pace 0.75, under 80 %
		expect(flags(80, 100 * MIN)[0]).toMatchObject({id: 'rate_limit_proximity:source:anthropic 5h', severity: 'warn', value: 80, threshold: 80, unit: 'percent', active: true});
		expect(flags(80, 100 * MIN)[0]!.message).toBe('The anthropic 5h rate-limit window is 80% used; resets in 1.7 h: slow down or expect to be throttled.');
		expect(flags(95, 100 * MIN)[0]!.severity).toBe('crit');
		// 70 % used 2 h into the window (40 % elapsed): pace 1.75, full 50 min after the sample, before the reset in 3 h.
		const pace = flags(70, 180 * MIN)[0]!;
		expect(pace.severity).toBe('warn');
		expect(pace.message).toMatch(/70% used and at this pace \(×1\.8\) full in 51 min, before it resets in 3\.0 h\./);
		expect(flags(70, 180 * MIN, T + 40 * MIN)[0]!.severity).toBe('crit'); // 11 min to full
		expect(flags(99, 1 * MIN, T + 2 * MIN)).toEqual([]); // reset since the sample
	});
});
