/**
 * What the exporters read: the latest live snapshot as metric points at a given clock time.
 * The record pass (points.ts) runs once per snapshot; every read runs the retraction guard
 * (cheap: one entry per series) so a pending shrink is booked when its grace time is over.
 * Pure apart from the store it reads; saving the guard's state is the caller's (`onState`).
 */
import type {LiveSnapshot, LiveStore} from '../core/snapshot.js';
import {DEFAULT_LABELS, type LabelChoice} from './families.js';
import {aggregate, counterPoints, gaugePoints, type Aggregate, type MetricPoint} from './points.js';
import {RetractionGuard, seriesKey, type RetractionOptions, type SavedRetractionState} from './retraction.js';

export interface MetricsFeedOptions extends RetractionOptions {
	labels?: LabelChoice;
	/** How long a flag stays live after its last evidence (`lifecycle.liveMinutes` of the flag thresholds). */
	liveFlagMs?: number;
	/** The guard state saved by an earlier run (state-file.ts). */
	saved?: SavedRetractionState | null;
	/** Called after a read that changed the guard's state; `urgent` when a retraction was booked. */
	onState?: (state: SavedRetractionState, urgent: boolean) => void;
}

export class MetricsFeed {
	readonly labels: LabelChoice;
	private readonly guard: RetractionGuard;
	private last: {snapshot: LiveSnapshot; agg: Aggregate; counters: MetricPoint[]; keys: string[]} | null = null;

	constructor(
		private readonly store: LiveStore,
		private readonly options: MetricsFeedOptions = {},
	) {
		this.labels = options.labels ?? DEFAULT_LABELS;
		this.guard = new RetractionGuard(options.saved, options);
	}

	/** Every point at clock time `now`. Before the first full read only `burn.engine.ready` = 0. */
	read(now: number): MetricPoint[] {
		const snapshot = this.store.getSnapshot();
		if (!snapshot.ready) return [{family: 'burn.engine.ready', labels: {}, value: 0}];
		let last = this.last;
		if (!last || last.snapshot !== snapshot) {
			const agg = aggregate(snapshot.ledger, this.labels, snapshot.now);
			const counters = counterPoints(agg);
			last = this.last = {snapshot, agg, counters, keys: counters.map((p) => seriesKey(p.family, p.labels))};
		}
		const changed = this.guard.update(last.counters, now, last.keys);
		if (changed.grew || changed.retracted) this.options.onState?.(this.guard.save(), changed.retracted);
		return [...this.guard.points(), ...gaugePoints(last.agg, snapshot, now, this.labels, this.options.liveFlagMs)];
	}

	state(): SavedRetractionState {
		return this.guard.save();
	}
}
