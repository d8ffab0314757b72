/**
 * A7 stall: a run that has gone quiet for longer than its own rhythm allows. Judged at `now`
 * (a liveness rule), from state folded in event time. Only with evidence the run is still going:
 * a tool call with no result yet ("blocked-tool"), or a run the caller knows is running ("silent").
 * A finished transcript looks exactly like a silent one, so silence alone is never a stall.
 */
import {minutes} from './params.js';
import {round} from './spend.js';
import {quantile} from './stats.js';
import {shortId, type Detector} from './types.js';

interface StallRun {
	lastAt: number;
	gaps: number[];
	pending: number;
	pendingTool: string;
	pendingSince: number;
	sawResults: boolean;
}

export function stall(): Detector {
	const runs = new Map<string, StallRun>();
	const touch = (runId: string, at: number) => {
		let s = runs.get(runId);
		if (!s) runs.set(runId, (s = {lastAt: at, gaps: [], pending: 0, pendingTool: '', pendingSince: at, sawResults: false}));
		else {
			if (at > s.lastAt) s.gaps.push(at - s.lastAt);
			if (s.gaps.length > 200) s.gaps.shift();
			s.lastAt = Math.max(s.lastAt, at);
		}
		return s;
	};
	return {
		state: {runs},
		onRecord(r) {
			touch(r.runId, r.at);
		},
		onEvent(e) {
			const s = touch(e.runId, e.at);
			if (e.kind === 'tool_call') {
				if (s.pending === 0) s.pendingSince = e.at;
				s.pending++;
				s.pendingTool = e.name;
			} else if (e.kind === 'tool_result') {
				s.sawResults = true;
				s.pending = Math.max(0, s.pending - 1);
			}
		},
		// Without runningRuns only a blocked run can stall: a kept evaluation needs no other run's gaps.
		atNowState: () => ({runs: new Map([...runs].filter(([, s]) => s.pending > 0 && s.sawResults))}),
		atNow(now, ctx, data, out) {
			const p = ctx.params.stall;
			for (const [runId, s] of runs) {
				const blocked = s.pending > 0 && s.sawResults;
				const running = data.runningRuns?.has(runId) ?? false;
				if (!blocked && !running) continue;
				const gap = now - s.lastAt;
				if (gap > p.maxHours * 60 * 60_000) continue;
				const q = s.gaps.length >= p.minGaps ? quantile(s.gaps, p.gapQuantile)! : 0;
				const bound = Math.max(minutes(p.minMinutes), p.gapFactor * q);
				if (gap <= bound) continue;
				const gapMin = gap / 60_000;
				const boundMin = bound / 60_000;
				out.flags.push({
					id: `stall:run:${runId}`,
					kind: 'stall',
					scope: {type: 'run', id: runId},
					severity: gap > p.critFactor * bound ? 'crit' : 'warn',
					value: round(gapMin),
					threshold: round(boundMin),
					unit: 'minutes',
					baseline: s.gaps.length >= p.minGaps ? {n: s.gaps.length, window: `q${Math.round(p.gapQuantile * 100)} of own gaps ×${p.gapFactor}`} : {window: `floor ${p.minMinutes}m`},
					firstAt: s.lastAt,
					lastAt: now,
					message: blocked
						? `Run ${shortId(runId)} has waited ${Math.round(gapMin)} min on a ${s.pendingTool} call with no result (its usual gaps allow ${Math.round(boundMin)} min): the tool may be hung or waiting for approval.`
						: `Run ${shortId(runId)} is running but has been silent for ${Math.round(gapMin)} min (bound ${Math.round(boundMin)} min): check that the agent is alive.`,
					active: true,
					evidence: [{at: s.lastAt, text: blocked ? `last activity; ${s.pending} tool call(s) pending since ${new Date(s.pendingSince).toISOString()}` : 'last activity'}],
				});
			}
		},
	};
}
