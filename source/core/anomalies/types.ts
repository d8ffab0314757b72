/**
 * What every detector sees. Detectors are folds over time-sorted items: `onRecord`/`onEvent`
 * update state and report observations to the lifecycle at the item's own time; `atNow` looks at
 * the state at an injected `now` (liveness: stalls, silent sources) without changing it.
 */
import type {Flag, FlagNote} from '../flags.js';
import type {ProblemKind} from '../problems.js';
import type {ActivityEvent, UsageRecord} from '../record.js';
import type {SourceNumbers} from '../source-numbers.js';
import type {Lifecycle} from './lifecycle.js';
import type {AnomalyParams} from './params.js';

/** A source root as the data-quality rule sees it: the engine's numbers (core/source-numbers.ts), in part. */
export interface SourceInfo extends Pick<SourceNumbers, 'kind' | 'path' | 'records' | 'problems'> {
	/** Problems by kind for this source, when known (schema-version mismatches are warned about). */
	problemsByKind?: Partial<Record<ProblemKind, number>>;
}

/** Aggregate facts without event times (A16 data quality). */
export interface DataContext {
	sources: SourceInfo[];
	/** Whether a pricer was applied: without one, "unpriced" is not a data problem. */
	priced: boolean;
	/** Runs known to be running (e.g. from a Symphony run state), for "silent" stalls. */
	runningRuns?: ReadonlySet<string>;
}

export interface FoldContext {
	params: AnomalyParams;
	/** USD cost of a record, or null when unpriced. */
	costOf: (r: UsageRecord) => number | null;
	life: Lifecycle;
}

export interface NowOutput {
	flags: Flag[];
	notes: FlagNote[];
}

export interface Detector {
	/**
	 * Everything the detector folds into, for a resumable monitor (`FlagMonitor.snapshot`): plain
	 * data a structured clone keeps (Maps, Sets, arrays, objects, typed arrays; no functions).
	 * Maps and Sets are refilled in place on restore, objects assigned into, so handlers must read
	 * scalars through an object held here, never a closed-over `let`.
	 */
	state?: Record<string, unknown>;
	onRecord?(r: UsageRecord, ctx: FoldContext): void;
	onEvent?(e: ActivityEvent, ctx: FoldContext): void;
	atNow?(now: number, ctx: FoldContext, data: DataContext, out: NowOutput): void;
	/**
	 * The part of `state` that `atNow` reads when no run is known to be running (`runningRuns`
	 * unset: every summary), for `FlagMonitor.evaluationSnapshot`; the whole `state` without it.
	 * Only for evaluating at another `now`, never for folding more.
	 */
	atNowState?(): Record<string, unknown>;
}

export type DetectorFactory = () => Detector;

/** The short id of a run for sentences: long UUIDs shortened. */
export function shortId(id: string): string {
	return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}
