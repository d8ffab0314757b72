/**
 * Transcript rules: A4 loop repetition (tool-call fingerprints), A5 error loop (the same error
 * again and again in a 10-minute window), A6 tool-failure streak (results that keep failing).
 * All per run, on ActivityEvents, at each event's own time.
 */
import type {ActivityEvent} from '../record.js';
import {minutes} from './params.js';
import {round} from './spend.js';
import {wilsonLower} from './stats.js';
import {shortId, type Detector} from './types.js';

/** Ids, UUIDs, hex, timestamps and long numbers masked, so "the same call" matches itself. */
export function fingerprint(name: string, detail: string): string {
	const masked = detail
		.replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
		.replace(/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?/g, '<ts>')
		.replace(/\b(toolu|call|msg|req|run|fc)_[A-Za-z0-9]+/g, '<id>')
		.replace(/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<hex>')
		.replace(/\d{4,}/g, '<n>')
		.replace(/\s+/g, ' ')
		.trim();
	return `${name}(${masked})`;
}

const READ_SEARCH_EDIT = /^(read|view|cat|open|grep|glob|search|find|ls|list|edit|multiedit|write|str_replace|apply_patch|web_?search)/i;
// Per tool name (a handful): loop repetition asks for every call in its window on every call.
const readSearchEdit = new Map<string, boolean>();
export function isReadSearchEdit(toolName: string): boolean {
	let v = readSearchEdit.get(toolName);
	if (v === undefined) {
		v = READ_SEARCH_EDIT.test(toolName.replace(/^.*__/, ''));
		if (readSearchEdit.size < 4096) readSearchEdit.set(toolName, v);
	}
	return v;
}

const short = (s: string, n = 60) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

// ── A4 loop_repetition ──────────────────────────────────────────────────────────────────────

interface LoopState {
	last: string | null;
	lastName: string;
	streak: number;
	window: Array<{fp: string; name: string}>;
}

export function loopRepetition(): Detector {
	const runs = new Map<string, LoopState>();
	return {
		state: {runs},
		onEvent(e, ctx) {
			if (e.kind !== 'tool_call') return;
			const p = ctx.params.loop;
			let s = runs.get(e.runId);
			if (!s) runs.set(e.runId, (s = {last: null, lastName: '', streak: 0, window: []}));
			const fp = fingerprint(e.name, e.detail);
			s.streak = fp === s.last ? s.streak + 1 : 1;
			s.last = fp;
			s.lastName = e.name;
			s.window.push({fp, name: e.name});
			if (s.window.length > p.shareWindow) s.window.shift();
			const factor = isReadSearchEdit(e.name) ? p.readSearchEditFactor : 1;
			const streakT = p.streak * factor;
			const streakRatio = s.streak / streakT;
			// Share of the top fingerprint among recent calls; read/search/edit calls repeat by nature.
			let shareRatio = 0;
			let top = '';
			let topShare = 0;
			if (s.window.length >= p.shareMinCalls) {
				const counts = new Map<string, number>();
				for (const w of s.window) if (!isReadSearchEdit(w.name)) counts.set(w.fp, (counts.get(w.fp) ?? 0) + 1);
				for (const [f, n] of counts) {
					if (n / s.window.length > topShare) {
						topShare = n / s.window.length;
						top = f;
					}
				}
				shareRatio = topShare / p.share;
			}
			const byStreak = streakRatio >= shareRatio;
			// The message may be built later (lifecycle.ts): it reads these, not the run's state.
			const streak = s.streak;
			const calls = s.window.length;
			ctx.life.observe({
				kind: 'loop_repetition',
				scope: {type: 'run', id: e.runId},
				at: e.at,
				ratio: Math.max(streakRatio, shareRatio),
				severity: s.streak >= p.critStreak * factor ? 'crit' : 'warn',
				value: byStreak ? s.streak : round(topShare),
				threshold: byStreak ? streakT : p.share,
				unit: byStreak ? 'count' : 'ratio',
				baseline: byStreak ? null : {n: s.window.length, window: `last ${p.shareWindow} calls`},
				message: () => byStreak
					? `Run ${shortId(e.runId)} made the same call ${streak} times in a row: ${short(fp)} — it is probably looping; look at the transcript.`
					: `Run ${shortId(e.runId)} spent ${Math.round(topShare * 100)}% of its last ${calls} tool calls on ${short(top)} — it is probably going in circles.`,
				evidence: () => short(fp, 120),
			});
		},
	};
}

// ── A5 error_loop ───────────────────────────────────────────────────────────────────────────

function errorFingerprint(e: ActivityEvent): string | null {
	if (e.kind === 'error') return fingerprint(e.name, e.detail);
	if (e.kind === 'tool_result' && e.ok === false) return fingerprint(`tool:${e.name}`, e.detail);
	return null;
}

export function errorLoop(): Detector {
	const runs = new Map<string, Array<{at: number; fp: string}>>();
	return {
		state: {runs},
		onEvent(e, ctx) {
			const fp = errorFingerprint(e);
			if (fp === null) return;
			const p = ctx.params.errorLoop;
			let list = runs.get(e.runId);
			if (!list) runs.set(e.runId, (list = []));
			list.push({at: e.at, fp});
			const from = e.at - minutes(p.windowMinutes);
			while (list.length > 0 && list[0]!.at < from) list.shift();
			const counts = new Map<string, number>();
			for (const x of list) counts.set(x.fp, (counts.get(x.fp) ?? 0) + 1);
			const n = counts.get(fp)!;
			let worst = fp;
			let worstN = n;
			for (const [f, c] of counts) if (c > worstN) [worst, worstN] = [f, c];
			ctx.life.observe({
				kind: 'error_loop',
				scope: {type: 'run', id: e.runId},
				at: e.at,
				ratio: worstN / p.count,
				severity: worstN >= p.critCount ? 'crit' : 'warn',
				value: worstN,
				threshold: p.count,
				unit: 'count',
				baseline: {window: `${p.windowMinutes}m`},
				message: () => `Run ${shortId(e.runId)} hit the same error ${worstN} times in ${p.windowMinutes} min: ${short(worst)} — retrying will not fix it; look at the cause.`,
				evidence: () => short(fp, 120),
			});
		},
	};
}

// ── A6 tool_failure_streak ──────────────────────────────────────────────────────────────────

export function toolFailureStreak(): Detector {
	const runs = new Map<string, {streak: number; window: boolean[]; lastTool: string}>();
	return {
		state: {runs},
		onEvent(e, ctx) {
			if (e.kind !== 'tool_result' || e.ok === undefined) return;
			const p = ctx.params.toolFailure;
			let s = runs.get(e.runId);
			if (!s) runs.set(e.runId, (s = {streak: 0, window: [], lastTool: ''}));
			s.streak = e.ok ? 0 : s.streak + 1;
			if (!e.ok) s.lastTool = e.name;
			s.window.push(!e.ok);
			if (s.window.length > p.window) s.window.shift();
			const failures = s.window.filter(Boolean).length;
			const lb = s.window.length >= p.minResults ? wilsonLower(failures, s.window.length) : 0;
			const byStreak = s.streak / p.streak >= lb / p.wilson;
			// The message may be built later (lifecycle.ts): it reads these, not the run's state.
			const {streak, lastTool} = s;
			const results = s.window.length;
			ctx.life.observe({
				kind: 'tool_failure_streak',
				scope: {type: 'run', id: e.runId},
				at: e.at,
				ratio: Math.max(s.streak / p.streak, lb / p.wilson),
				severity: s.streak >= p.critStreak ? 'crit' : 'warn',
				value: byStreak ? s.streak : round(lb),
				threshold: byStreak ? p.streak : p.wilson,
				unit: byStreak ? 'count' : 'ratio',
				baseline: {n: s.window.length, window: `last ${p.window} results`},
				message: () => byStreak
					? `Run ${shortId(e.runId)} has had ${streak} failed tool results in a row (last: ${short(lastTool, 40)}): check the tool's setup or permissions.`
					: `Run ${shortId(e.runId)}: ${failures} of its last ${results} tool results failed (at least ${Math.round(lb * 100)}% failure rate, 95% confidence).`,
				evidence: () => `${e.ok ? 'ok' : 'failed'}: ${short(e.name, 40)} ${short(e.detail, 80)}`,
			});
		},
	};
}
