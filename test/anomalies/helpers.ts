import {FlagMonitor} from '../../source/core/anomalies/monitor.js';
import {DEFAULT_PARAMS, resolveParams, type AnomalyParams, type ParamsOverride} from '../../source/core/anomalies/params.js';
import type {DataContext, Detector} from '../../source/core/anomalies/types.js';
import type {Flag} from '../../source/core/flags.js';
import type {ActivityEvent, Tokens, UsageRecord} from '../../source/core/record.js';
import {makeRecord} from '../helpers/records.js';

export const T0 = Date.parse('2026-10-02T10:00:00Z');
export const MIN = 60_000;

let seq = 0;
/** A record with a unique key; `usd` becomes its cost through `costOf` below. */
export type RecordInput = Omit<Partial<UsageRecord>, 'tokens'> & {tokens?: Partial<Tokens>; usd?: number | null};

export function rec(o: RecordInput = {}): UsageRecord & {usd?: number | null} {
	const {usd, ...rest} = o;
	const r = makeRecord({key: `k${++seq}`, ...rest} as Parameters<typeof makeRecord>[0]) as UsageRecord & {usd?: number | null};
	if (usd !== undefined) r.usd = usd;
	return r;
}

export const costOf = (r: UsageRecord) => {
	const usd = (r as {usd?: number | null}).usd;
	return usd === undefined ? null : usd;
};

export function ev(kind: ActivityEvent['kind'], at: number, name: string, detail = '', o: Partial<ActivityEvent> = {}): ActivityEvent {
	return {kind, source: 'claude', runId: 'run-1', issue: null, at, name, detail, ...o};
}

export interface Case {
	records?: UsageRecord[];
	events?: ActivityEvent[];
	now: number;
	params?: ParamsOverride;
	data?: DataContext;
	detectors?: () => Detector[];
}

export function params(o?: ParamsOverride): AnomalyParams {
	return resolveParams(o);
}

function monitor(c: Case): FlagMonitor {
	const m = new FlagMonitor({params: c.params ? params(c.params) : DEFAULT_PARAMS, costOf, detectors: c.detectors});
	if (c.data) m.setData(c.data);
	return m;
}

/** All at once. */
export function batch(c: Case) {
	const m = monitor(c);
	m.addRecords(c.records ?? []);
	m.addEvents(c.events ?? []);
	return m.evaluate(c.now);
}

/** A tiny deterministic PRNG so failures reproduce. */
function rng(seed: number) {
	let s = seed >>> 0;
	return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/**
 * The same history fed as a live engine would: in time order in random-sized pieces, with
 * evaluations in between at the time of the newest item, plus some late pieces out of order.
 */
export function streamed(c: Case, seed = 1) {
	const m = monitor(c);
	const rand = rng(seed);
	const items: Array<{at: number; r?: UsageRecord; e?: ActivityEvent}> = [
		...(c.records ?? []).map((r) => ({at: r.at, r})),
		...(c.events ?? []).map((e) => ({at: e.at, e})),
	].sort((a, b) => a.at - b.at);
	// Swap a few neighbours: another file's lines arriving a little late.
	for (let i = 1; i < items.length; i++) if (rand() < 0.1) [items[i - 1], items[i]] = [items[i]!, items[i - 1]!];
	let i = 0;
	while (i < items.length) {
		const n = 1 + Math.floor(rand() * 7);
		const piece = items.slice(i, i + n);
		m.addRecords(piece.filter((x) => x.r).map((x) => x.r!));
		m.addEvents(piece.filter((x) => x.e).map((x) => x.e!));
		i += n;
		m.evaluate(Math.min(c.now, piece[piece.length - 1]!.at));
	}
	return m.evaluate(c.now);
}

export const byKind = (flags: Flag[], kind: string) => flags.filter((f) => f.kind === kind);
export const one = (flags: Flag[], kind: string) => {
	const f = byKind(flags, kind);
	return f.length === 1 ? f[0]! : undefined;
};

/**
 * A day of mixed history that trips most kinds (spend, peers, budgets, churn, context, cache,
 * quota, tools, stall). `peers` completed peer runs; `bigRun` adds MT-90's six $2 turns.
 */
export function mixedHistory({peers, bigRun}: {peers: number; bigRun: boolean}): {records: UsageRecord[]; events: ActivityEvent[]} {
	const records: UsageRecord[] = [];
	const events: ActivityEvent[] = [];
	for (let i = 0; i < 50; i++) records.push(rec({runId: 'spiky', at: T0 + i * MIN, usd: i < 40 ? 0.1 * (1 + ((i % 7) - 3) * 0.1) : 0.8}));
	for (let p = 0; p < peers; p++) for (let t = 0; t < 3; t++) records.push(rec({runId: `peer-${p}`, issue: `MT-${p}`, at: T0 + 2 * 60 * MIN + p * 10 * MIN + t * MIN, usd: 0.3 + p * 0.01, meta: {botRole: 'developer'}}));
	if (bigRun) for (let t = 0; t < 6; t++) records.push(rec({runId: 'big', issue: 'MT-90', at: T0 + 5 * 60 * MIN + t * MIN, usd: 2, meta: {botRole: 'developer'}}));
	for (let k = 0; k < 4; k++) records.push(rec({runId: `retry-${k}`, issue: 'MT-77', at: T0 + 5 * 60 * MIN + k * 20 * MIN, usd: 4, meta: {botRole: 'developer'}}));
	for (let i = 0; i < 9; i++) records.push(rec({source: 'claude', runId: 'ctx', granularity: 'per-message', at: T0 + 7 * 60 * MIN + i * 20_000, usd: 0.2, tokens: {input: 120_000 + i * 8_000, cacheRead: i < 6 ? 110_000 : 5_000, cacheWrite: i < 6 ? 2_000 : 120_000, output: 300, total: 120_300}}));
	for (let i = 0; i < 4; i++) records.push(rec({source: 'codex', runId: 'codex-1', at: T0 + 8 * 60 * MIN + i * 5 * MIN, usd: 0.1, quota: {at: T0 + 8 * 60 * MIN + i * 5 * MIN, planType: null, windows: [{label: 'primary', windowMinutes: 300, usedPercent: 70 + i * 5, resetsAt: null}]}}));
	for (let i = 0; i < 8; i++) events.push(ev('tool_call', T0 + 9 * 60 * MIN + i * 5000, 'Bash', '{"command":"npm test"}', {runId: 'loopy'}));
	for (let i = 0; i < 5; i++) events.push(ev('tool_result', T0 + 9 * 60 * MIN + i * 5000 + 1000, 'Bash', `Error: port 3${i}00 in use`, {runId: 'loopy', ok: false}));
	for (let i = 0; i < 5; i++) events.push(ev('error', T0 + 10 * 60 * MIN + i * 30_000, 'api_error', `overloaded (request req_${i}abc)`, {runId: 'err'}));
	return {records, events};
}
