/**
 * Quota windows for `watch`: wraps the engine's store so each snapshot's document carries
 * `quota` (the records' windows and the statusline's samples, at the snapshot's time). The
 * samples file is re-read only when its size or mtime changes (checked every few seconds), the
 * records are re-scanned for samples at most every few seconds, and the windows are re-judged
 * as time passes (a window whose reset passes turns stale without new data).
 */
import type {Flag} from '../core/flags.js';
import {quotaEntries, quotaFlags, recordQuotaSamples, type ProviderQuotaSample, type QuotaEntry, type QuotaFlagThresholds} from '../core/quota.js';
import type {LiveSnapshot, LiveStore} from '../core/snapshot.js';

export interface QuotaStoreOptions {
	/** The statusline's samples and a stamp that changes when they do. */
	samples: () => ProviderQuotaSample[];
	stamp: () => string;
	/** How often to look at the samples file and the clock, ms (0: never; tests). */
	pollMs?: number;
	/** Re-scan the records for samples at most this often, ms. */
	scanMs?: number;
	clock?: () => number;
	/** Thresholds for the statusline windows' flags (`flags.rateLimit`). */
	thresholds?: QuotaFlagThresholds;
}

export interface QuotaStore extends LiveStore {
	stop(): void;
}

export function withQuota(store: LiveStore, options: QuotaStoreOptions): QuotaStore {
	const clock = options.clock ?? Date.now;
	const scanMs = options.scanMs ?? 2000;
	const listeners = new Set<() => void>();
	let fileSamples = options.samples();
	let stamp = options.stamp();
	let recordSamples: ProviderQuotaSample[] = [];
	let scannedRevision = -1;
	let scannedAt = -Infinity;
	let base: LiveSnapshot | null = null;
	let out: LiveSnapshot | null = null;
	let entries: QuotaEntry[] = [];
	let windowFlags: Flag[] = [];
	let entriesKey = '';
	// The statusline's windows raise their own flags (records' windows are the A12 detector's).
	const decorate = (snapshot: LiveSnapshot): LiveSnapshot => ({
		...snapshot,
		doc: {...snapshot.doc, quota: entries},
		flags: windowFlags.length > 0 ? [...snapshot.flags, ...windowFlags] : snapshot.flags,
	});

	const judge = (snapshot: LiveSnapshot): boolean => {
		const now = Math.max(snapshot.now, clock());
		// A kept snapshot has no records: its windows were kept with it (the read's snapshot rescans).
		if (snapshot.kept) recordSamples = snapshot.kept.quota;
		else if (snapshot.revision !== scannedRevision && now - scannedAt >= scanMs) {
			recordSamples = recordQuotaSamples(snapshot.ledger.records());
			scannedRevision = snapshot.revision;
			scannedAt = now;
		}
		const next = quotaEntries([...recordSamples, ...fileSamples], now);
		const key = JSON.stringify(next.map((e) => [e.provider, e.window, e.usedPercent, e.resetsAt, e.sampledAt, e.pace, e.stale]));
		if (key === entriesKey) return false;
		entries = next;
		entriesKey = key;
		windowFlags = quotaFlags(
			next.filter((e) => e.source === 'statusline'),
			now,
			options.thresholds,
		);
		return true;
	};

	const getSnapshot = (): LiveSnapshot => {
		const snapshot = store.getSnapshot();
		if (snapshot !== base || out === null) {
			base = snapshot;
			judge(snapshot);
			out = decorate(snapshot);
		}
		return out;
	};

	const timer =
		(options.pollMs ?? 5000) > 0
			? setInterval(() => {
					const s = options.stamp();
					if (s !== stamp) {
						stamp = s;
						fileSamples = options.samples();
					}
					if (base && judge(base)) {
						out = decorate(base);
						for (const l of [...listeners]) l();
					}
				}, options.pollMs ?? 5000)
			: null;
	timer?.unref?.();

	return {
		getSnapshot,
		subscribe(listener) {
			listeners.add(listener);
			const off = store.subscribe(listener);
			return () => {
				listeners.delete(listener);
				off();
			};
		},
		stop() {
			if (timer) clearInterval(timer);
		},
	};
}
