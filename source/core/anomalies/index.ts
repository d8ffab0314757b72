/**
 * Anomaly flags (docs/anomalies.md): one entry point for `summary` (batch) and the live engine
 * (incremental, through `FlagMonitor`). Both run the same fold, so replayed history raises the
 * same flags as living through it.
 */
import type {Flag} from '../flags.js';
import type {ActivityEvent, UsageRecord} from '../record.js';
import {FlagMonitor, type Evaluation} from './monitor.js';
import {DEFAULT_PARAMS, type AnomalyParams} from './params.js';
import type {DataContext} from './types.js';

export {FlagMonitor, liveFlags, type Evaluation, type MonitorOptions} from './monitor.js';
export {DEFAULT_PARAMS, resolveParams, type AnomalyParams, type ParamsOverride} from './params.js';
export type {DataContext, SourceInfo} from './types.js';
export {flagLine, flagSeverityLabel, formatFlagValue} from './format.js';

export interface DetectInput {
	/** Counted records (after dedup and filters), any order. */
	records: Iterable<UsageRecord>;
	events: Iterable<ActivityEvent>;
	/** USD cost of a record, null when unpriced (or no pricer). */
	costOf: (r: UsageRecord) => number | null;
	data?: DataContext;
	params?: AnomalyParams;
	/** Epoch ms of the evaluation: the end of the range, never the wall clock inside a rule. */
	now: number;
}

export function detect(input: DetectInput): Evaluation {
	const monitor = new FlagMonitor({params: input.params ?? DEFAULT_PARAMS, costOf: input.costOf});
	monitor.addRecords(input.records);
	monitor.addEvents(input.events);
	if (input.data) monitor.setData(input.data);
	return monitor.evaluate(input.now);
}

export function detectFlags(input: DetectInput): Flag[] {
	return detect(input).flags;
}
export {createFlagHook, type FlagHook, type FlagHookOptions} from './live.js';
