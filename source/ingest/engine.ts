/**
 * The engine: discovery → file trackers (and the index) → raw ledger → counting once → coalescing
 * store. The one read path: `summary --once`, `sources` and `backfill` read once, save the index
 * and stop (ingest/read-once.ts); `watch` and `serve` then keep reading what changes, driven by
 * the watcher (ingest/watcher.ts), which decides when to read (docs/pipeline.md).
 */
import {existsSync} from 'node:fs';
import {join} from 'node:path';
import {DEFAULT_ISSUE_PATTERNS} from '../core/attribution.js';
import {CountingCoalescer, DEFAULT_RECOUNT_INTERVAL_MS, inert} from '../core/counting/coalescer.js';
import type {Flag} from '../core/flags.js';
import {Ledger} from '../core/ledger.js';
import type {ProblemLog} from '../core/problems.js';
import {acceptFor} from '../core/record-filter.js';
import type {LiveSnapshot} from '../core/snapshot.js';
import type {SourceNumbers} from '../core/source-numbers.js';
import {BOSUN_ALERTS_FILE, bosunAlertsSource} from '../sources/bosun-alerts.js';
import {SOURCES} from '../sources/registry.js';
import type {SourceDefinition, SourceRoot} from '../sources/types.js';
import {discoverSources, listRootFiles, rootReads, type DiscoveryResult} from './discover.js';
import {buildLiveSnapshot, type DocumentParts} from './document.js';
import type {EngineOptions, LiveEngine} from './engine-types.js';
import {FileTracker, type RecordSink, type SyncOutcome} from './file-tracker.js';
import {EngineIndex} from './engine-index.js';
import {filesProblems, tallyFiles} from './file-tally.js';
import type {LoadedIndex} from './index-store.js';
import {RecordAttribution} from './record-attribution.js';
import {CoalescingStore} from './store.js';
import type {Manifest, ManifestFile} from './summary-cache.js';
import {Watcher, type WatchedEngine} from './watcher.js';

/** `discovered`: the roots the caller already found (so what it showed first and what the engine reads are the same). */
export function createLiveEngine(options: EngineOptions, discovered?: DiscoveryResult): Engine {
	return new Engine(options, discovered);
}

/** Only bosun alerts this recent join the live flags (the same horizon as burn's own live flags). */
export const LIVE_EXTERNAL_MS = 10 * 60_000;

interface TrackedFile {
	tracker: FileTracker;
	root: SourceRoot;
}

/** bosun's alerts files are tracked like record files, but hold flags: their records go nowhere. */
const NO_RECORDS: RecordSink = {add: () => {}, retract: () => {}};

export interface EngineStats {
	/** Files tracked (deleted ones included). */
	files: number;
	/** Bytes read from files so far (not counting what the index supplied). */
	bytesRead: number;
	/** Files whose records came from the index. */
	restoredFiles: number;
	/** Size of the index last written. */
	indexBytes: number | null;
}

export class Engine implements LiveEngine, WatchedEngine {
	/** Every record read, deduplicated, unfiltered: files are retracted from it. */
	readonly ledger: Ledger;
	/** The ledger that counts (counting-once rules, filters), re-counted only when a rule can apply. */
	readonly counted: CountingCoalescer;
	/** bosun's `agent-alerts.jsonl`, one per bosun root (not a record source: not in the index). */
	private readonly alerts = new Map<string, FileTracker>();
	private recountTimer: NodeJS.Timeout | null = null;
	readonly store: CoalescingStore;
	readonly notices: string[] = [];
	/** What was restored from the persistent index, what changed since, and its write. */
	private readonly index: EngineIndex;
	/** Since start, every record read (not restored) was inert with a new key, and nothing was retracted. */
	private appendsOnly = true;
	ready = false;
	/** The first read's progress (files), shown by the live view until `ready`. */
	private readonly progress = {filesDone: 0, filesTotal: 0};
	/** The snapshot shown while the first read runs: built once, re-issued with new progress. */
	private readingSnapshot: LiveSnapshot | null = null;
	private lastYield = 0;

	private readonly files = new Map<string, TrackedFile>();
	private roots: SourceRoot[] = [];
	private missing: SourceRoot[] = [];
	private explicit = false;
	private readonly sources: readonly SourceDefinition[];
	private readonly patterns: readonly RegExp[];
	private readonly now: () => number;
	private readonly sink: RecordSink;
	/** Keeps the engine up to date after the first read (watch, serve); null for one-shot reads. */
	private watcher: Watcher | null = null;
	private queue: Promise<void> = Promise.resolve();
	private stopped = false;

	constructor(
		private readonly options: EngineOptions,
		/** Discovery already done by the caller (one-shot commands), so both see the same roots. */
		private readonly discovered?: DiscoveryResult,
	) {
		this.sources = options.sources ?? SOURCES;
		this.patterns = [...DEFAULT_ISSUE_PATTERNS, ...(options.issuePatterns ?? [])];
		this.now = options.now ?? Date.now;
		this.index = new EngineIndex(options.cacheDir ?? null, (message) => this.notice(message));
		const index = this.index;
		// Filters apply after the count-once rules (they can change a record's issue): not here.
		this.ledger = new Ledger({pricer: options.pricer});
		const ledger = this.ledger;
		this.counted = new CountingCoalescer(ledger, {
			pricer: options.pricer,
			accept: acceptFor(options.filters),
			intervalMs: options.watch === false ? 0 : (options.recountIntervalMs ?? DEFAULT_RECOUNT_INTERVAL_MS),
		});
		const counted = this.counted;
		const gate = counted.gate;
		const attribution = new RecordAttribution(this.patterns, this.sources);
		const onRecord = options.onRecord;
		// Not counting (`burn sources`): the records stay with their files' trackers only.
		if (options.count === false) this.sink = {add: () => {}, retract: () => {}};
		else this.sink = {
			asRead: (r) => attribution.asRead(r),
			add: (r) => {
				const attributed = attribution.attribute(r);
				const size = ledger.size;
				counted.add(attributed);
				if (!index.restoring && (ledger.size !== size + 1 || !inert(attributed))) this.appendsOnly = false;
				onRecord?.(attributed);
			},
			retract: (path) => {
				this.appendsOnly = false;
				ledger.retractFile(path);
				gate.retract(path);
				// A retracted file's duplicate conflicts go with it (a re-read reports them again).
				ledger.conflicts.dropPath(path);
			},
		};
		this.store = new CoalescingStore(() => this.buildSnapshot(), options.notifyIntervalMs ?? 150);
	}

	async start(): Promise<void> {
		const discovery = this.discovered ?? discoverSources(this.options.discovery, this.sources);
		this.roots = [...discovery.roots];
		this.missing = [...discovery.missing];
		this.explicit = discovery.explicit;
		this.trackAlerts(this.roots);
		const index = this.index.load();
		const lists = this.roots.map((root) => listRootFiles(root, this.sources));
		this.progress.filesTotal = lists.reduce((n, l) => n + l.length, 0);
		this.lastYield = performance.now();
		await this.serial(async () => {
			for (let i = 0; i < this.roots.length; i++) {
				await this.readRoot(this.roots[i]!, index, lists[i]);
				this.restoreGone(this.roots[i]!, index);
			}
			for (const alerts of this.alerts.values()) await alerts.sync();
		});
		this.index.carryUntracked((path) => this.files.has(path));
		this.ready = true;
		this.store.publish();
		if (this.options.watch === false || this.stopped) return;
		this.watcher = new Watcher(this, this.options, this.sources, this.now);
		await this.watcher.start(this.roots);
	}

	/** `writeIndex: false`: the caller writes it later (`summary --once` answers first). */
	async stop({writeIndex = true}: {writeIndex?: boolean} = {}): Promise<void> {
		this.stopped = true;
		if (this.recountTimer) clearTimeout(this.recountTimer);
		this.recountTimer = null;
		await this.watcher?.stop();
		await this.queue;
		this.store.stop();
		if (writeIndex) this.writeIndex();
	}

	/** The index on disk already holds exactly what was read (a write now would change nothing). */
	get indexUnchanged(): boolean {
		return this.options.cacheDir != null && this.ready && !this.index.dirty;
	}

	get stats(): EngineStats {
		let bytesRead = 0;
		for (const f of this.files.values()) bytesRead += f.tracker.bytesRead;
		return {files: this.files.size, bytesRead, restoredFiles: this.index.restoredFiles, indexBytes: this.index.bytes};
	}

	/**
	 * Resolves when the file watchers finished their initial walk (events before that are caught
	 * by the polling backstop only). `start()` does not wait for it, so the first frame is not delayed.
	 */
	async watchReady(): Promise<void> {
		await this.watcher?.ready();
	}

	/** Saves the index now if anything changed since it was loaded or last saved. */
	writeIndex(): void {
		if (this.ready) this.index.write(this.trackedFiles());
	}

	/**
	 * How the records counted relate to the index, for a flag fold resumed over an append
	 * (docs/flag-state.md). `from`: the loaded index's digest when every entry of it was restored
	 * and every record read since was one no counting rule can touch (`inert`) with a new key, and
	 * nothing was retracted: then the records counted are the loaded index's, each as it counted
	 * there, plus new ones. `written`: the digest of the index this read left on disk when it holds
	 * exactly the records counted (no entry carried uncounted, none counted aside). Null: not so.
	 */
	appendLineage(): {from: string | null; written: string | null} {
		return this.index.lineage(this.appendsOnly, this.manifest() !== null);
	}

	/**
	 * The files as this read left them, for the summary kept at the index's watermark
	 * (ingest/summary-cache.ts); null when the index on disk does not hold exactly this state (no
	 * index, not written, a file whose read failed and will be tried again, or the records of a
	 * gone file whose path came back, counted aside in this process only).
	 */
	manifest(): Manifest | null {
		if (!this.options.cacheDir || this.index.dirty || !this.ready || this.options.count === false) return null;
		const files: ManifestFile[] = [];
		for (const {tracker} of this.files.values()) {
			// Records moved aside from a path that came back are not in the index (only this process has them).
			if (tracker.identity === null || tracker.ghostRecords > 0) return null;
			files.push({path: tracker.path, identity: tracker.identity, gone: tracker.deleted, document: tracker.reader.type === 'document'});
		}
		const alerts: ManifestFile[] = [];
		for (const a of this.alerts.values()) {
			alerts.push({path: a.path, identity: a.deleted ? null : a.identity, gone: false, document: false});
		}
		return {files, alerts};
	}

	/**
	 * Per-root numbers and the one problem log of every file read (record files in reading order,
	 * one `incomplete-line` per file whose last line waits for its LF; then bosun's alerts files).
	 */
	tally(): {sources: SourceNumbers[]; problems: ProblemLog} {
		return tallyFiles(this.roots, this.files.values(), this.alerts.values());
	}

	/** bosun's alerts, every one read. */
	externalFlags(): Flag[] {
		const out: Flag[] = [];
		for (const alerts of this.alerts.values()) if (!alerts.deleted) out.push(...alerts.flags);
		return out;
	}

	/** What the document is built from, now (the ledger that counts is re-counted if due). */
	parts(): DocumentParts {
		const counting = this.counted.current();
		if (counting.dueAt !== null) this.recountWhenDue(counting.dueAt);
		const {sources, problems} = this.tally();
		return {
			counting,
			rulesApplied: counting.ledger !== this.ledger || counting.usage !== null,
			sources,
			missing: this.missing,
			problems,
			externalFlags: this.externalFlags(),
		};
	}

	rootList(): readonly SourceRoot[] {
		return this.roots;
	}

	/** The roots read, the places looked at that did not exist, and whether a flag named them. */
	get discovery(): DiscoveryResult {
		return {roots: this.roots, missing: this.missing, explicit: this.explicit};
	}

	/** One root's files' problems (as `tally` counts them). */
	problemsOf(root: SourceRoot): ProblemLog {
		return filesProblems(this.filesOf(root));
	}

	*trackedFiles(): IterableIterator<FileTracker> {
		for (const f of this.files.values()) yield f.tracker;
	}

	/** The trackers of one root's files, in reading order. */
	*filesOf(root: SourceRoot): IterableIterator<FileTracker> {
		for (const f of this.files.values()) if (f.root === root) yield f.tracker;
	}

	/** Every tracked file's activity events, for the anomaly hook. */
	events() {
		const out = [];
		for (const f of this.files.values()) out.push(...f.tracker.events);
		return out;
	}

	private buildSnapshot(): LiveSnapshot {
		const now = this.now();
		// During the first read nothing is counted on screen yet: the progress is what changes, and
		// counting (and the flag fold) over a half-read history would slow the read itself.
		if (!this.ready && this.readingSnapshot) return {...this.readingSnapshot, now, progress: {...this.progress}};
		const parts = this.parts();
		// No flags before the first read is complete: the hook's first look is at the whole history.
		const detected = this.ready && this.options.detectFlags ? this.options.detectFlags(parts.counting.ledger, now, () => this.events()) : [];
		const snapshot = buildLiveSnapshot(parts, {
			now,
			ready: this.ready,
			priced: this.options.pricer !== undefined,
			filters: this.options.filters,
			warnings: this.options.onNotice ? [] : this.notices,
			flags: [...detected, ...parts.externalFlags.filter((f) => f.lastAt >= now - LIVE_EXTERNAL_MS)],
		});
		if (this.ready) return snapshot;
		this.readingSnapshot = snapshot;
		return {...snapshot, progress: {...this.progress}};
	}

	/** Tracks the alerts file of every bosun root not seen yet. */
	private trackAlerts(roots: readonly SourceRoot[]): void {
		for (const root of roots) {
			if (root.kind !== 'bosun') continue;
			const path = join(root.path, BOSUN_ALERTS_FILE);
			if (!this.alerts.has(path)) this.alerts.set(path, new FileTracker(path, {type: 'whole-lines', source: bosunAlertsSource}, NO_RECORDS, this.now));
		}
	}

	/** The snapshot showed a count older than the raw ledger: publish again when a re-count is due. */
	private recountWhenDue(dueAt: number): void {
		if (this.recountTimer || this.stopped) return;
		this.recountTimer = setTimeout(
			() => {
				this.recountTimer = null;
				this.store.invalidate();
			},
			Math.max(0, dueAt - performance.now()) + 5,
		);
	}

	private notice(message: string): void {
		this.notices.push(message);
		this.options.onNotice?.(message);
	}

	/** Runs jobs one at a time: trackers are never synced concurrently. */
	serial(job: () => Promise<void>): Promise<void> {
		const next = this.queue.then(job).catch((error: unknown) => this.notice(`engine: ${(error as Error).message}`));
		this.queue = next;
		return next;
	}

	private async readRoot(root: SourceRoot, index: LoadedIndex | null, files = listRootFiles(root, this.sources)): Promise<boolean> {
		let changed = false;
		for (const file of files) {
			if (this.files.has(file)) continue;
			const tracked = this.track(file, root);
			if (!tracked) continue;
			const restored = index !== null && this.index.restore(tracked.tracker, index);
			if (this.settle(await tracked.tracker.sync(), file)) changed = true;
			if (!restored) changed = true;
			if (!this.ready) await this.reportProgress();
		}
		return changed;
	}

	/**
	 * Files the index knew under this root that are gone from disk: agents delete old transcripts
	 * (Claude Code after 30 days by default), and what was read from them still counts, as
	 * `deleted` trackers that are never read again. `forgetGone()` drops them on purpose.
	 */
	private restoreGone(root: SourceRoot, index: LoadedIndex | null): void {
		if (!index) return;
		for (const known of index.files()) {
			if (this.files.has(known.path) || !rootReads(root, known.path, this.sources) || existsSync(known.path)) continue;
			const tracked = this.track(known.path, root);
			if (!tracked) continue;
			if (!this.index.restore(tracked.tracker, index, true)) {
				this.files.delete(known.path);
				continue;
			}
			// Written back marked gone (it may have been read live last time).
			if (!known.gone) this.index.dirty = true;
		}
	}

	/**
	 * `burn forget --gone`: drops every tracked file that is gone from disk, its records retracted,
	 * and leaves it out of the index from now on. Returns what was dropped.
	 */
	forgetGone(): {files: string[]; records: number} {
		const files: string[] = [];
		let records = 0;
		for (const [path, {tracker}] of this.files) {
			if (!tracker.deleted) continue;
			files.push(path);
			records += tracker.records.length;
			this.sink.retract(path);
			this.files.delete(path);
			this.index.changed(path);
		}
		if (files.length > 0) this.store.invalidate();
		return {files: files.sort(), records};
	}

	/**
	 * One file of the first read done: every ~100 ms, let the event loop run (the view draws its
	 * progress frame; reads are synchronous, so without this the screen would wait for all files).
	 */
	private async reportProgress(): Promise<void> {
		this.progress.filesDone++;
		if (this.options.watch === false || performance.now() - this.lastYield < (this.options.progressIntervalMs ?? 100)) return;
		this.store.invalidate();
		await new Promise<void>((resolve) => setImmediate(resolve));
		this.lastYield = performance.now();
	}

	private track(file: string, root: SourceRoot): TrackedFile | null {
		const def = this.sources.find((s) => s.kind === root.kind);
		if (!def) return null;
		const tracked = {tracker: new FileTracker(file, def.readerFor(file), this.sink, this.now), root};
		this.files.set(file, tracked);
		return tracked;
	}

	/** Book-keeping after a sync; true when something changed. */
	private settle(outcome: SyncOutcome, path: string): boolean {
		if (outcome === 'unchanged') return false;
		this.index.changed(path);
		return true;
	}

	// What the watcher (ingest/watcher.ts) asks of the engine.

	async syncPath(path: string): Promise<boolean> {
		const alerts = this.alerts.get(path);
		if (alerts) return (await alerts.sync()) !== 'unchanged';
		const tracked = this.files.get(path) ?? this.files.get(path.replace(/-(wal|journal)$/, '')) ?? this.adopt(path);
		return tracked !== null && this.settle(await tracked.tracker.sync(), tracked.tracker.path);
	}

	async relistRoots(): Promise<boolean> {
		let changed = false;
		for (const root of this.roots) if (await this.readRoot(root, null)) changed = true;
		return changed;
	}

	async syncChangedFiles(): Promise<boolean> {
		let changed = false;
		for (const {tracker} of this.files.values()) {
			if (tracker.changed() && this.settle(await tracker.sync(), tracker.path)) changed = true;
		}
		for (const alerts of this.alerts.values()) {
			if (alerts.changed() && (await alerts.sync()) !== 'unchanged') changed = true;
		}
		return changed;
	}

	async addNewRoots(): Promise<SourceRoot[]> {
		if (this.stopped) return [];
		const added: SourceRoot[] = [];
		for (const root of discoverSources(this.options.discovery, this.sources).roots) {
			if (this.roots.some((r) => r.kind === root.kind && r.path === root.path)) continue;
			this.roots.push(root);
			this.trackAlerts([root]);
			this.missing = this.missing.filter((m) => !(m.kind === root.kind && m.path === root.path));
			await this.readRoot(root, null);
			added.push(root);
		}
		return added;
	}

	invalidate(): void {
		this.store.invalidate();
	}

	/** A file event for a path not tracked yet: track it if a root's source reads it. */
	private adopt(path: string): TrackedFile | null {
		for (const root of this.roots) if (rootReads(root, path, this.sources)) return this.track(path, root);
		return null;
	}
}
