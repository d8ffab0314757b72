/**
 * Flag lifecycle, driven only by event time: raise at the threshold (ratio ≥ 1), clear below
 * `clearRatio` of it (hysteresis), no re-raise within the cooldown after a clear, and a kind that
 * fires `escalateAfter` times for one scope within an hour goes up one severity. Pure state
 * machine: the same observations in the same order give the same flags, replayed or live.
 */
import type {Flag, FlagBaseline, FlagScope, Severity} from '../flags.js';
import {minutes, type AnomalyParams} from './params.js';

export interface Observation {
	kind: string;
	scope: FlagScope;
	at: number;
	/** value ÷ threshold of the deciding condition: ≥ 1 raises, < clearRatio clears. */
	ratio: number;
	/** Severity if raised or still raised now. */
	severity: Severity;
	value: number;
	threshold: number;
	unit: string;
	baseline: FlagBaseline | null;
	/**
	 * Built only when the flag is raised or peaks (most observations raise nothing), and a peak's
	 * only when the flag is read: a closure must capture values fixed at the observation (consts),
	 * never detector state that later items change.
	 */
	message: string | (() => string);
	fallback?: 'tokens';
	/** Evidence line for drill-down, appended while the flag is raised (a closure: as `message`). */
	evidence?: string | (() => string);
}

interface ScopeState {
	flag: Flag | null;
	active: boolean;
	lastClearAt: number | null;
	raises: number[];
	fired: number;
	worst: Severity;
	/** The largest ratio seen in the current episode. */
	peak: number;
}

/** Evidence whose text is not built yet (see `Lifecycle.settle`). */
type LazyEvidence = {at: number; text: string | (() => string)};

const ORDER: Severity[] = ['info', 'warn', 'crit'];
const RANK: Record<Severity, number> = {info: 0, warn: 1, crit: 2};
const rank = (s: Severity) => RANK[s];
const up = (s: Severity): Severity => ORDER[Math.min(2, rank(s) + 1)]!;
const MAX_EVIDENCE = 12;
const ESCALATE_WINDOW = minutes(60);

export function flagId(kind: string, scope: FlagScope): string {
	return `${kind}:${scope.type}:${scope.id}`;
}

export class Lifecycle {
	/** kind → scope type → scope id: looked up without building the flag id per observation. */
	private readonly states = new Map<string, Map<string, Map<string, ScopeState>>>();
	/**
	 * Flags whose message or evidence still hold closures: a flag that peaks on every item (retry
	 * churn's attempts only grow) would otherwise format its sentence per record. Built on read.
	 */
	private readonly unsettled = new Map<Flag, (() => string) | null>();

	constructor(private readonly params: AnomalyParams['lifecycle']) {}

	/**
	 * The scope looked up last: a detector asks `quiet` and then observes the same scope, mostly
	 * one scope record after record (a run's turns). Not state; dropped when the states are.
	 */
	private lastKind = '';
	private lastType = '';
	private lastId = '';
	private lastSt: ScopeState | undefined = undefined;

	private find(kind: string, type: string, id: string): ScopeState | undefined {
		if (this.lastSt !== undefined && this.lastId === id && this.lastKind === kind && this.lastType === type) return this.lastSt;
		const st = this.states.get(kind)?.get(type)?.get(id);
		if (st) {
			this.lastKind = kind;
			this.lastType = type;
			this.lastId = id;
			this.lastSt = st;
		}
		return st;
	}

	/**
	 * An observation at this ratio would change nothing (below the threshold, no episode open):
	 * detectors ask first and skip building it (most observations are quiet).
	 */
	quiet(kind: string, type: string, id: string, ratio: number): boolean {
		return ratio < 1 && !(this.find(kind, type, id)?.active ?? false);
	}

	observe(o: Observation): void {
		let st = this.find(o.kind, o.scope.type, o.scope.id);
		if (!st) {
			if (o.ratio < 1) return;
			let byType = this.states.get(o.kind);
			if (!byType) this.states.set(o.kind, (byType = new Map()));
			let byId = byType.get(o.scope.type);
			if (!byId) byType.set(o.scope.type, (byId = new Map()));
			byId.set(o.scope.id, (st = {flag: null, active: false, lastClearAt: null, raises: [], fired: 0, worst: 'info', peak: 0}));
		}
		if (!st.active) {
			if (o.ratio < 1) return;
			if (st.lastClearAt !== null && o.at - st.lastClearAt < minutes(this.params.cooldownMinutes)) return;
			st.raises = st.raises.filter((t) => o.at - t < ESCALATE_WINDOW);
			st.raises.push(o.at);
			st.fired++;
			const severity = st.raises.length >= this.params.escalateAfter ? up(o.severity) : o.severity;
			st.active = true;
			st.peak = o.ratio;
			st.flag = {
				id: flagId(o.kind, o.scope),
				kind: o.kind,
				scope: o.scope,
				severity,
				value: o.value,
				threshold: o.threshold,
				unit: o.unit,
				baseline: o.baseline,
				firstAt: o.at,
				lastAt: o.at,
				message: severity !== o.severity ? `${text(o.message)} (fired ${st.raises.length}× within an hour: escalated)` : text(o.message),
				active: true,
				clearedAt: null,
				fired: st.fired,
				...(o.fallback ? {fallback: o.fallback} : {}),
				evidence: o.evidence ? [{at: o.at, text: text(o.evidence)}] : [],
			};
			if (rank(severity) > rank(st.worst)) st.worst = severity;
			return;
		}
		const flag = st.flag!;
		if (o.ratio < this.params.clearRatio) {
			st.active = false;
			st.lastClearAt = o.at;
			flag.active = false;
			flag.clearedAt = o.at;
			return;
		}
		flag.lastAt = o.at;
		if (o.evidence) {
			pushEvidence(flag.evidence as LazyEvidence[], {at: o.at, text: o.evidence});
			if (typeof o.evidence === 'function' && !this.unsettled.has(flag)) this.unsettled.set(flag, null);
		}
		// Keep the peak of the episode: the worst severity, and the largest value at it.
		const escalated = st.raises.length >= this.params.escalateAfter ? up(o.severity) : o.severity;
		if (rank(escalated) > rank(flag.severity) || (rank(escalated) === rank(flag.severity) && o.ratio >= st.peak)) {
			if (rank(escalated) > rank(flag.severity)) flag.severity = escalated;
			st.peak = Math.max(st.peak, o.ratio);
			flag.value = o.value;
			flag.threshold = o.threshold;
			flag.unit = o.unit;
			flag.baseline = o.baseline;
			if (typeof o.message === 'function') this.unsettled.set(flag, o.message);
			else {
				flag.message = o.message;
				if (this.unsettled.get(flag)) this.unsettled.set(flag, null);
			}
			if (o.fallback) flag.fallback = o.fallback;
			// A delete of a missing property still takes the runtime's slow path (once per peak).
			else if ('fallback' in flag) delete flag.fallback;
		}
		if (rank(flag.severity) > rank(st.worst)) st.worst = flag.severity;
	}

	/** Builds the messages and evidence texts left as closures. */
	private settle(): void {
		for (const [flag, message] of this.unsettled) {
			if (message) flag.message = message();
			for (const e of flag.evidence as LazyEvidence[]) if (typeof e.text === 'function') e.text = e.text();
		}
		this.unsettled.clear();
	}

	/** Every scope that ever raised: its latest episode, at the worst severity it reached. */
	flags(): Flag[] {
		this.settle();
		const out: Flag[] = [];
		for (const byType of this.states.values()) {
			for (const byId of byType.values()) {
				for (const st of byId.values()) {
					if (!st.flag) continue;
					out.push({...st.flag, severity: st.worst, evidence: [...(st.flag.evidence ?? [])]});
				}
			}
		}
		return out;
	}

	/** The state machine's state (plain data, for a resumable monitor). */
	get state(): Map<string, unknown> {
		this.settle();
		return this.states;
	}

	/** Takes over a state from `state` (a structured clone of it). */
	adoptState(state: Map<string, unknown>): void {
		this.lastSt = undefined;
		this.unsettled.clear();
		this.states.clear();
		for (const [k, v] of state) this.states.set(k, v as Map<string, Map<string, ScopeState>>);
	}

	isActive(kind: string, scope: FlagScope): boolean {
		return this.find(kind, scope.type, scope.id)?.active ?? false;
	}
}

const text = (t: string | (() => string)) => (typeof t === 'function' ? t() : t);

function pushEvidence(list: LazyEvidence[], e: LazyEvidence): void {
	// Keep the first line (how it started) and the most recent ones: a full list drops its second
	// in place (a splice built an array of the removed line, for every line of a long episode).
	if (list.length < MAX_EVIDENCE) {
		list.push(e);
		return;
	}
	for (let i = 1; i < list.length - 1; i++) list[i] = list[i + 1]!;
	list[list.length - 1] = e;
}
