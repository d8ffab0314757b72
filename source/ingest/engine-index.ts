/**
 * The engine's side of the persistent index (docs/index.md): the index as loaded, which trackers
 * were restored from it and still hold exactly its segment (`clean`: written back as they are),
 * gone files carried for other roots, whether anything changed since, and the write. The engine
 * owns the trackers and tells this what happened to them; this never reads a file itself.
 */
import {existsSync} from 'node:fs';
import type {FileTracker, TrackerSnapshot} from './file-tracker.js';
import {loadIndex, saveIndex, type IndexedFile, type IndexItem, type LoadedIndex, type SegmentRef} from './index-store.js';

export class EngineIndex {
	/** The index as loaded: gone files outside this run's roots are written back from it. */
	private loaded: LoadedIndex | null = null;
	private readonly carried: IndexedFile[] = [];
	/** Trackers whose state is exactly what this index segment holds (restored or written, unchanged since). */
	private readonly clean = new Map<string, SegmentRef>();
	/** Something changed since the index was loaded or last written. */
	dirty = false;
	/** A tracker is restoring from the index (its records are the index's, not read). */
	restoring = false;
	restoredFiles = 0;
	/** Size of the index last written. */
	bytes: number | null = null;
	/** The digest of the index last written. */
	private writtenDigest: string | null = null;

	constructor(
		/** null: no index (read everything, write nothing). */
		private readonly cacheDir: string | null,
		private readonly notice: (message: string) => void,
	) {}

	/** Loads the index (a damaged one is discarded with a notice and rebuilt at the next write). */
	load(): LoadedIndex | null {
		if (!this.cacheDir) return null;
		const loaded = loadIndex(this.cacheDir);
		if (loaded.notice) this.notice(loaded.notice);
		this.dirty = loaded.index === null;
		this.loaded = loaded.index;
		return loaded.index;
	}

	/**
	 * Restores a tracker from its entry in `index`, if the entry is there for this parser (`gone`:
	 * for a file gone from disk, any parser version: it cannot be read again). True if restored.
	 */
	restore(tracker: FileTracker, index: LoadedIndex, gone = false): boolean {
		const entry = index.take(tracker.path, tracker.parser, gone);
		if (!entry) return false;
		this.restoreEntry(tracker, gone ? {...entry, gone: true} : entry);
		// Kept as it is when written by this parser (a gone file's older entry is written again under this one's id).
		const segment = index.segment(tracker.path, tracker.parser, gone || entry.gone === true);
		if (segment) this.clean.set(tracker.path, segment);
		return true;
	}

	/**
	 * After the first read: files gone from disk that this run's roots do not cover (other source
	 * flags) are history, written back as they were; other entries not restored are a stale cache
	 * and dropped.
	 */
	carryUntracked(tracked: (path: string) => boolean): void {
		const index = this.loaded;
		if (!index) return;
		for (const known of index.files()) {
			if (tracked(known.path) || !(known.gone || !existsSync(known.path))) continue;
			this.carried.push(known);
			if (!known.gone) this.dirty = true;
		}
		if (index.size !== this.restoredFiles + this.carried.length) this.dirty = true;
		// Only carried entries that `write` encodes again (no segment to name as it is) still need their records.
		index.release(new Set(this.carried.filter((k) => index.segment(k.path, k.parser, true) === null).map((k) => k.path)));
	}

	/** A tracked file changed (or was dropped): its entry must be written again. */
	changed(path: string): void {
		this.dirty = true;
		this.clean.delete(path);
	}

	/** Writes the index if anything changed: clean trackers' segments as they are, the rest afresh. */
	write(trackers: Iterable<FileTracker>): void {
		if (!this.cacheDir || !this.dirty) return;
		const items: IndexItem[] = [];
		const paths = new Set<string>();
		for (const tracker of trackers) {
			paths.add(tracker.path);
			const segment = this.clean.get(tracker.path);
			if (segment) {
				items.push({path: tracker.path, segment});
				continue;
			}
			const s = tracker.snapshot();
			if (s) items.push(s);
		}
		if (this.loaded) {
			for (const known of this.carried) {
				const segment = this.loaded.segment(known.path, known.parser, true);
				if (segment) {
					items.push({path: known.path, segment});
					continue;
				}
				const entry = this.loaded.entry(known.path, known.parser);
				if (entry) items.push({...entry, gone: true});
			}
		}
		try {
			const saved = saveIndex(this.cacheDir, items);
			this.bytes = saved.bytes;
			this.writtenDigest = saved.digest;
			for (const [path, segment] of saved.segments) if (paths.has(path)) this.clean.set(path, segment);
			this.dirty = false;
		} catch (error) {
			this.notice(`could not write the index in ${this.cacheDir}: ${(error as Error).message}`);
		}
	}

	/**
	 * How the records counted relate to the index (the engine's `appendLineage`, docs/flag-state.md).
	 * `appendsOnly`: every record read (not restored) was inert with a new key and nothing was
	 * retracted. `exact`: the index on disk holds exactly this read's state (the engine's manifest).
	 */
	lineage(appendsOnly: boolean, exact: boolean): {from: string | null; written: string | null} {
		const loaded = this.loaded;
		const whole = this.carried.length === 0;
		const from = loaded !== null && whole && appendsOnly && this.restoredFiles === loaded.size ? loaded.digest : null;
		const written = whole && exact ? (this.writtenDigest ?? loaded?.digest ?? null) : null;
		return {from, written};
	}

	private restoreEntry(tracker: FileTracker, entry: TrackerSnapshot): void {
		this.restoring = true;
		try {
			tracker.restore(entry);
		} finally {
			this.restoring = false;
		}
		this.restoredFiles++;
	}
}
