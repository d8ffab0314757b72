/**
 * The live store (Ink rule 3): the engine calls `invalidate()` as often as it likes; listeners
 * hear about it at most once per interval, with a new immutable snapshot. `getSnapshot` returns
 * the same object until the next publish (useSyncExternalStore semantics).
 */
import type {LiveSnapshot, LiveStore} from '../core/snapshot.js';

export class CoalescingStore implements LiveStore {
	/** null: stale, built on the next `getSnapshot` (nobody reading means no build). */
	private snapshot: LiveSnapshot | null = null;
	private readonly listeners = new Set<() => void>();
	private timer: NodeJS.Timeout | null = null;
	private lastPublish = 0;
	private stopped = false;

	constructor(
		private readonly build: () => LiveSnapshot,
		private readonly intervalMs: number,
	) {}

	subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	};

	getSnapshot = (): LiveSnapshot => (this.snapshot ??= this.build());

	/** Something changed: publish within the interval (coalescing everything until then). */
	invalidate(): void {
		if (this.timer || this.stopped) return;
		const wait = Math.max(0, this.lastPublish + this.intervalMs - Date.now());
		this.timer = setTimeout(() => {
			this.timer = null;
			this.publish();
		}, wait);
	}

	/** Publish now (the first full read finished; one-shot reads). */
	publish(): void {
		if (this.timer) {
			clearTimeout(this.timer);
			this.timer = null;
		}
		this.lastPublish = Date.now();
		this.snapshot = null;
		for (const l of [...this.listeners]) l();
	}

	stop(): void {
		this.stopped = true;
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
	}
}
