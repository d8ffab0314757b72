import {describe, expect, it} from 'vitest';
import {errorLoop, fingerprint, loopRepetition, toolFailureStreak} from '../../source/core/anomalies/tools.js';
import {batch, byKind, ev, MIN, one, streamed, T0, type Case} from './helpers.js';

const calls = (n: number, name = 'Bash', detail = '{"command":"npm test"}', start = T0, step = 1000) =>
	Array.from({length: n}, (_, i) => ev('tool_call', start + i * step, name, detail));

describe('fingerprint', () => {
	it('masks ids, UUIDs, hex, timestamps and long numbers', () => {
		const a = fingerprint('Bash', 'cat /tmp/0199c0de-0000-7000-8000-0000000000a1.log at 2026-10-02T10:00:01Z pid 48213 sha 1a2b3c4d5e6f');
		const b = fingerprint('Bash', 'cat /tmp/0199c0de-1111-7000-8000-0000000000b2.log at 2026-10-03T11:00:01Z pid 99999 sha 9f8e7d6c5b4a');
		expect(a).toBe(b);
		expect(fingerprint('Bash', 'npm test')).not.toBe(fingerprint('Bash', 'npm run build'));
	});
});

describe('A4 loop_repetition', () => {
	const run = (c: Omit<Case, 'now'>, now = T0 + 60 * MIN) => batch({...c, now, detectors: () => [loopRepetition()]});

	it('flags a streak of identical calls at 6, not at 5; crit at 12', () => {
		expect(byKind(run({events: calls(5)}).flags, 'loop_repetition')).toHaveLength(0);
		const f = one(run({events: calls(6)}).flags, 'loop_repetition')!;
		expect(f).toMatchObject({severity: 'warn', value: 6, threshold: 6, unit: 'count', scope: {type: 'run', id: 'run-1'}});
		expect(f.message).toMatch(/same call 6 times in a row/);
		expect(one(run({events: calls(12)}).flags, 'loop_repetition')!.severity).toBe('crit');
	});

	it('the message says what the streak was at its peak, not after (messages are built when read)', () => {
		const events = [...calls(7), ev('tool_call', T0 + 7000, 'Bash', '{"command":"ls"}')];
		const f = one(run({events}).flags, 'loop_repetition')!;
		expect(f).toMatchObject({active: false, value: 7});
		expect(f.message).toMatch(/same call 7 times in a row/);
	});

	it('varied calls are not a loop', () => {
		const events = Array.from({length: 30}, (_, i) => ev('tool_call', T0 + i * 1000, 'Bash', `{"command":"step ${String.fromCharCode(97 + (i % 26))}"}`));
		expect(run({events}).flags).toHaveLength(0);
	});

	it('read/search/edit tools need three times the streak', () => {
		expect(run({events: calls(17, 'Read', '{"file":"a.ts"}')}).flags).toHaveLength(0);
		expect(one(run({events: calls(18, 'Read', '{"file":"a.ts"}')}).flags, 'loop_repetition')!.threshold).toBe(18);
	});

	it('top-fingerprint share needs 10 calls (minimum evidence) and ≥ 50%', () => {
		const alt = (n: number) => Array.from({length: n}, (_, i) => ev('tool_call', T0 + i * 1000, 'Bash', i % 2 === 0 ? 'make' : `echo ${'xyz'[i % 3]}`));
		expect(run({events: alt(9)}).flags).toHaveLength(0);
		const f = one(run({events: alt(10)}).flags, 'loop_repetition')!;
		expect(f).toMatchObject({unit: 'ratio', value: 0.5, threshold: 0.5});
		const other = Array.from({length: 10}, (_, i) => ev('tool_call', T0 + i * 1000, 'Bash', i < 4 ? 'make' : `echo ${i}x`));
		expect(run({events: other}).flags).toHaveLength(0); // 40%
	});

	it('does not flap within the cooldown', () => {
		const broken = [...calls(6), ev('tool_call', T0 + 6500, 'Bash', 'ls -la'), ...calls(6, 'Bash', '{"command":"npm test"}', T0 + 7000)];
		const f = one(run({events: broken}).flags, 'loop_repetition')!;
		expect(f.fired).toBe(1);
		const later = [...broken, ev('tool_call', T0 + 20_000, 'Bash', 'pwd'), ...calls(6, 'Bash', '{"command":"npm test"}', T0 + 7 * MIN)];
		expect(one(run({events: later}).flags, 'loop_repetition')!.fired).toBe(2);
	});

	it('replayed equals streamed', () => {
		const events = [...calls(8), ev('tool_call', T0 + 9000, 'Bash', 'ls'), ...calls(13, 'Bash', 'npm test', T0 + 10 * MIN)];
		const c = {events, now: T0 + 60 * MIN, detectors: () => [loopRepetition()]};
		const b = batch(c);
		// Both streaks are loops: equality of two empty lists would prove nothing.
		expect(byKind(b.flags, 'loop_repetition').length).toBeGreaterThan(0);
		expect(b.flags.reduce((n, f) => n + (f.fired ?? 0), 0)).toBeGreaterThanOrEqual(2);
		for (const seed of [1, 2, 3]) expect(streamed(c, seed)).toEqual(b);
	});
});

describe('A5 error_loop', () => {
	const errs = (n: number, start = T0, step = 30_000, detail = 'ECONNRESET on request 123456') =>
		Array.from({length: n}, (_, i) => ev('error', start + i * step, 'api_error', detail));
	const run = (events: ReturnType<typeof ev>[]) => batch({events, now: T0 + 2 * 60 * MIN, detectors: () => [errorLoop()]});

	it('4 of the same error in 10 minutes warns, 3 does not; 8 is crit', () => {
		expect(run(errs(3)).flags).toHaveLength(0);
		expect(one(run(errs(4)).flags, 'error_loop')).toMatchObject({severity: 'warn', value: 4, threshold: 4});
		expect(one(run(errs(8)).flags, 'error_loop')!.severity).toBe('crit');
	});

	it('the same errors spread beyond the window, or different errors, are not a loop', () => {
		expect(run(errs(6, T0, 4 * MIN)).flags).toHaveLength(0); // at most 3 in any 10 min
		const mixed = ['timeout', 'auth failed', 'disk full', 'rate limited', 'bad json', 'not found'].map((d, i) => ev('error', T0 + i * 1000, 'api_error', d));
		expect(run(mixed).flags).toHaveLength(0);
	});

	it('failed tool results count as errors; ids are masked', () => {
		const events = Array.from({length: 4}, (_, i) => ev('tool_result', T0 + i * 1000, 'Bash', `exit 1: lock held by pid ${4000 + i * 1111}`, {ok: false}));
		expect(one(run(events).flags, 'error_loop')!.value).toBe(4);
	});

	it('does not flap within the cooldown', () => {
		// 4 errors raise; a different error 11 min later clears (window empty of the loop); the loop resumes within 5 min.
		const events = [...errs(4), ev('error', T0 + 13 * MIN, 'api_error', 'other'), ...errs(4, T0 + 14 * MIN, 10_000)];
		expect(one(run(events).flags, 'error_loop')!.fired).toBe(1);
	});

	it('replayed equals streamed', () => {
		// A second run loops later on another error (another run: within one run the first clear starts a cooldown).
		const other = errs(9, T0 + 30 * MIN, 5000, 'other 1').map((e) => ({...e, runId: 'run-2'}));
		const c = {events: [...errs(5), ...other], now: T0 + 60 * MIN, detectors: () => [errorLoop()]};
		const b = batch(c);
		// Both loops are flagged, the second crit: equality of two empty lists would prove nothing.
		const loops = byKind(b.flags, 'error_loop');
		expect(loops.map((f) => [f.scope.id, f.severity, f.value]).sort()).toEqual([['run-1', 'warn', 5], ['run-2', 'crit', 9]]);
		for (const seed of [4, 5]) expect(streamed(c, seed)).toEqual(b);
	});
});

describe('A6 tool_failure_streak', () => {
	const results = (oks: boolean[], start = T0) => oks.map((ok, i) => ev('tool_result', start + i * 1000, 'Bash', ok ? 'ok' : `failed ${i}`, {ok}));
	const run = (events: ReturnType<typeof ev>[]) => batch({events, now: T0 + 60 * MIN, detectors: () => [toolFailureStreak()]});

	it('3 failures in a row warn, 2 do not; 6 are crit', () => {
		expect(run(results([true, false, false])).flags).toHaveLength(0);
		expect(one(run(results([true, false, false, false])).flags, 'tool_failure_streak')).toMatchObject({severity: 'warn', value: 3, unit: 'count'});
		expect(one(run(results(Array(6).fill(false))).flags, 'tool_failure_streak')!.severity).toBe('crit');
	});

	it('a high failure rate without a streak trips the Wilson bound; mostly-ok does not', () => {
		const pattern = Array.from({length: 20}, (_, i) => i % 3 !== 0); // fail every 3rd → 7/20, LB ≈ 0.18
		expect(run(results(pattern)).flags).toHaveLength(0);
		const bad = Array.from({length: 20}, (_, i) => i % 2 === 0); // 10/20 failing, LB ≈ 0.30
		const f = one(run(results(bad)).flags, 'tool_failure_streak')!;
		expect(f.unit).toBe('ratio');
		expect(f.value).toBeGreaterThanOrEqual(0.25);
	});

	it('the Wilson rule needs 5 results (minimum evidence)', () => {
		expect(run(results([false, true, false, true])).flags).toHaveLength(0);
	});

	it('does not flap within the cooldown, and replayed equals streamed', () => {
		const events = results([false, false, false, true, true, true, true, true, true, true, false, false, false]);
		const f = one(run(events).flags, 'tool_failure_streak')!;
		expect(f.fired).toBe(1);
		const c = {events, now: T0 + 60 * MIN, detectors: () => [toolFailureStreak()]};
		expect(streamed(c, 7)).toEqual(batch(c));
	});
});
