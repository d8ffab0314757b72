/**
 * Live watching: after the engine's first read, `watch` and `serve` keep it up to date. Change
 * detection is event-driven (chokidar, short debounce) with a stat-only polling backstop; nothing
 * is re-read unless its identity changed, and while nothing changes nothing runs but the
 * backstop's stat calls. The watcher decides *when* to read; the engine (ingest/engine.ts) reads.
 */
import type {FSWatcher} from 'chokidar';
import type {SourceDefinition, SourceRoot} from '../sources/types.js';
import type {EngineOptions} from './engine-types.js';

/** What the watcher asks of the engine it drives. */
export interface WatchedEngine {
	/** Runs a job after the ones queued before it: files are never read concurrently. */
	serial(job: () => Promise<void>): Promise<void>;
	/** Reads the file an event named (tracking it if a root reads it); true when something changed. */
	syncPath(path: string): Promise<boolean>;
	/** Lists every root's directories again and reads new files; true when something changed. */
	relistRoots(): Promise<boolean>;
	/** Stats every tracked file and reads those whose identity changed; true when something changed. */
	syncChangedFiles(): Promise<boolean>;
	/** Discovers again: roots that appeared since the first read are read and returned. */
	addNewRoots(): Promise<SourceRoot[]>;
	/** Something changed: the view is told. */
	invalidate(): void;
	/** Saves the index if anything changed since it was last saved. */
	writeIndex(): void;
}

export class Watcher {
	private watchers: FSWatcher[] = [];
	private watch: typeof import('chokidar').watch | null = null;
	private readonly watcherReady: Promise<void>[] = [];
	private readonly dirty = new Set<string>();
	private relistDue = false;
	private debounceTimer: NodeJS.Timeout | null = null;
	private lastFlushAt = -Infinity;
	private pollTimer: NodeJS.Timeout | null = null;
	private indexTimer: NodeJS.Timeout | null = null;
	private lastRelist: number;
	private stopped = false;

	constructor(
		private readonly engine: WatchedEngine,
		private readonly options: EngineOptions,
		private readonly sources: readonly SourceDefinition[],
		private readonly now: () => number,
	) {
		this.lastRelist = now();
	}

	/** Starts watching these roots (chokidar is loaded only now: one-shot reads start faster without it). */
	async start(roots: readonly SourceRoot[]): Promise<void> {
		this.watch = (await import('chokidar')).watch;
		if (this.stopped) return;
		for (const root of roots) this.watchRoot(root);
		const poll = this.options.pollIntervalMs ?? 5000;
		if (poll > 0) {
			this.pollTimer = setInterval(() => void this.engine.serial(() => this.pollOnce()), poll);
			this.pollTimer.unref?.();
		}
	}

	/** Stops the timers and closes the file watchers (queued reads are the engine's to await). */
	async stop(): Promise<void> {
		this.stopped = true;
		for (const t of [this.debounceTimer, this.indexTimer]) if (t) clearTimeout(t);
		if (this.pollTimer) clearInterval(this.pollTimer);
		this.debounceTimer = this.indexTimer = this.pollTimer = null;
		const watchers = this.watchers;
		this.watchers = [];
		await Promise.all(watchers.map((w) => w.close()));
	}

	/** Resolves when the file watchers finished their initial walk (until then only the backstop sees events). */
	async ready(): Promise<void> {
		await Promise.all(this.watcherReady);
	}

	private watchRoot(root: SourceRoot): void {
		const def = this.sources.find((s) => s.kind === root.kind);
		if (!this.watch) return;
		const w = this.watch(root.path, {
			ignoreInitial: true,
			persistent: true,
			depth: def?.recursive ? undefined : 0,
			ignorePermissionErrors: true,
		});
		w.on('all', (event, path) => {
			if (event === 'addDir' || event === 'unlinkDir') this.relistDue = true;
			else this.dirty.add(path);
			this.scheduleFlush();
		});
		this.watcherReady.push(new Promise((resolve) => w.once('ready', () => resolve())));
		w.on('error', () => {
			// The polling backstop covers a watcher that failed (too many watches, odd file systems).
		});
		this.watchers.push(w);
	}

	private scheduleFlush(): void {
		// The first event starts the clock and later ones join it, so a file written to non-stop is
		// still read every interval. The wait is above chokidar's 50 ms change throttle: a write whose
		// event it swallowed is on disk by the time we read. When idle, the first event is also read
		// at once (leading edge); its paths stay dirty for the read at the end of the wait.
		if (this.stopped || this.debounceTimer) return;
		const wait = Math.max(55, this.options.debounceMs ?? 60);
		if (performance.now() - this.lastFlushAt >= wait) void this.engine.serial(() => this.flush(true));
		this.debounceTimer = setTimeout(() => {
			this.debounceTimer = null;
			void this.engine.serial(() => this.flush(false));
		}, wait);
	}

	/** Reads the files events named; `keep`: they stay dirty for the next read (a leading-edge read). */
	private async flush(keep: boolean): Promise<void> {
		this.lastFlushAt = performance.now();
		const paths = [...this.dirty];
		if (!keep) this.dirty.clear();
		let changed = false;
		for (const p of paths) if (await this.engine.syncPath(p)) changed = true;
		if (this.relistDue) {
			this.relistDue = false;
			if (await this.relist()) changed = true;
		}
		if (changed) this.changed();
	}

	private async relist(): Promise<boolean> {
		const changed = await this.engine.relistRoots();
		this.lastRelist = this.now();
		return changed;
	}

	/** The backstop: stat every file, look for roots that appeared, now and then list directories. */
	private async pollOnce(): Promise<void> {
		if (this.stopped) return;
		const added = await this.engine.addNewRoots();
		for (const root of added) this.watchRoot(root);
		let changed = added.length > 0;
		if (await this.engine.syncChangedFiles()) changed = true;
		if (this.now() - this.lastRelist >= (this.options.relistIntervalMs ?? 60_000)) {
			if (await this.relist()) changed = true;
		}
		if (changed) this.changed();
	}

	/** Tells the view, and saves the index a while later (a rewrite serializes every record). */
	private changed(): void {
		this.engine.invalidate();
		if (!this.options.cacheDir || this.indexTimer || this.stopped) return;
		this.indexTimer = setTimeout(() => {
			this.indexTimer = null;
			void this.engine.serial(async () => this.engine.writeIndex());
		}, this.options.indexWriteDelayMs ?? 300_000);
		this.indexTimer.unref?.();
	}
}
