/**
 * bosun's own analyzer alerts (`.cache/agent-work-logs/agent-alerts.jsonl`: error_loop, tool_loop,
 * stuck_agent, cost_anomaly, …) as external flags. burn shows them next to its own flags and
 * never re-derives them. The analyzer repeats an alert after a cooldown: one flag per type +
 * attempt, first and last time kept, the largest value wins. The engine tracks the file as it
 * tracks a record file (ingest/engine.ts).
 */
import type {Flag, Severity} from '../core/flags.js';
import type {Problem} from '../core/problems.js';
import {forEachCompleteLine, isBlank, parseJsonLine} from './lines.js';
import type {WholeLineSource} from './types.js';

export const BOSUN_ALERTS_FILE = 'agent-alerts.jsonl';

const SEVERITY: Record<string, Severity> = {critical: 'crit', high: 'crit', medium: 'warn', warn: 'warn', warning: 'warn', low: 'info', info: 'info'};

interface AlertsState {
	byId: Map<string, Flag>;
	problems: Problem[];
}

/** The alerts file as a whole-line source: its result is flags (and problems), no records. */
export const bosunAlertsSource: WholeLineSource<AlertsState> = {
	kind: 'bosun',
	parserVersion: 1,
	initialState: () => ({byId: new Map(), problems: []}),
	parse(chunk, state, pos) {
		const {byId, problems} = state;
		const path = pos.path;
		const {consumedBytes, consumedLines} = forEachCompleteLine(chunk, (start, end, index) => {
			if (isBlank(chunk, start, end)) return;
			const line = pos.line + index;
			const parsed = parseJsonLine(chunk, start, end);
			if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
				problems.push({kind: 'malformed-json', path, line, reason: 'alert line is not a JSON object'});
				return;
			}
			const flag = alertToFlag(parsed.value as Record<string, unknown>);
			if (!flag) {
				problems.push({kind: 'invalid-record', path, line, field: 'type', reason: 'alert without a type or a valid timestamp'});
				return;
			}
			const seen = byId.get(flag.id);
			if (!seen) byId.set(flag.id, flag);
			else {
				seen.firstAt = Math.min(seen.firstAt, flag.firstAt);
				seen.lastAt = Math.max(seen.lastAt, flag.lastAt);
				if (flag.value > seen.value) {
					seen.value = flag.value;
					seen.message = flag.message;
				}
			}
		});
		return {records: [], events: [], problems: [], consumedBytes, consumedLines, state};
	},
	finish: ({byId, problems}) => ({records: [], events: [], problems, flags: [...byId.values()]}),
};

function alertToFlag(a: Record<string, unknown>): Flag | null {
	const type = typeof a.type === 'string' && a.type ? a.type : null;
	const at = Date.parse(typeof a.timestamp === 'string' ? a.timestamp : '');
	if (!type || !Number.isFinite(at)) return null;
	const attempt = typeof a.attempt_id === 'string' && a.attempt_id ? a.attempt_id : null;
	const task = typeof a.task_id === 'string' && a.task_id ? a.task_id : null;
	const scope = attempt ? {type: 'run' as const, id: attempt} : task ? {type: 'issue' as const, id: task} : {type: 'source' as const, id: 'bosun'};
	const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
	let value = 0;
	let threshold = 0;
	let unit = 'count';
	if (num(a.cost_usd) !== null) {
		value = num(a.cost_usd)!;
		threshold = num(a.threshold_usd) ?? 0;
		unit = 'usd';
	} else if (num(a.idle_time_ms) !== null) {
		value = Math.round(num(a.idle_time_ms)! / 600) / 100;
		threshold = Math.round((num(a.threshold_ms) ?? 0) / 600) / 100;
		unit = 'minutes';
	} else {
		value = num(a.occurrences) ?? num(a.restart_count) ?? num(a.error_count) ?? 1;
	}
	const severity = SEVERITY[String(a.severity ?? '').toLowerCase()] ?? 'warn';
	const what = type.replace(/_/g, ' ');
	const recommendation = typeof a.recommendation === 'string' ? `; bosun recommends ${a.recommendation.replace(/_/g, ' ')}` : '';
	const subject = attempt ? `attempt ${attempt}${task ? ` (${task})` : ''}` : task ? `task ${task}` : 'bosun';
	const amount = unit === 'usd' ? `$${value.toFixed(2)}` : unit === 'minutes' ? `${value} min` : `${value}×`;
	return {
		id: `bosun_${type}:${scope.type}:${scope.id}`,
		kind: `bosun_${type}`,
		scope,
		severity,
		value,
		threshold,
		unit,
		baseline: null,
		firstAt: at,
		lastAt: at,
		message: `bosun flagged ${what} on ${subject}: ${amount}${recommendation}.`,
		external: 'bosun',
	};
}
