/**
 * One tracked file: its identity (dev, ino, size, mtime), the committed byte offset, the source's
 * resume state, and the records it contributed. `sync()` decides what a change means:
 * - appended (same inode, not smaller, the bytes before the offset unchanged) → read from the offset;
 * - shrank, replaced (new inode) or rewritten → retract its records and re-read from zero;
 * - `.gz`, whole-document and whole-line sources → any change re-reads the file;
 * - gone → keep its records (the money was spent), in the index too: agents delete old
 *   transcripts (Claude Code after 30 days), and history must survive that until the user drops
 *   it (`burn forget --gone`).
 */
import {createHash} from 'node:crypto';
import {closeSync, fstatSync, openSync, readSync, statSync, type Stats} from 'node:fs';
import {VersionFold, versionsReplace} from '../core/dedup.js';
import type {Flag} from '../core/flags.js';
import {canonicalProvider} from '../core/provider.js';
import {sharedCoverage, type ActivityEvent, type UsageRecord, type UsageSource} from '../core/record.js';
import {ProblemLog} from '../core/problems.js';
import type {DocumentResult, FileReader, ParseResult} from '../sources/types.js';
import {isGzip, readLineFile, readWholeLines} from './line-reader.js';

export interface FileIdentity {
	dev: number;
	ino: number;
	/** Bytes seen at the last read (may exceed the size stat'ed before it). */
	size: number;
	mtimeMs: number;
	/** SQLite write-ahead log beside a database: its changes are the database's changes. */
	walSize?: number;
	walMtimeMs?: number;
}

/** Where the tracker's records go (the engine's ledger, with issue attribution). */
export interface RecordSink {
	add(record: UsageRecord): void;
	retract(path: string): void;
	/**
	 * The record as its file says, for the index, when `add` changed it in place (an issue found
	 * from its workspace); the record itself otherwise.
	 */
	asRead?(record: UsageRecord): UsageRecord;
}

export interface TimeSpan {
	from: number;
	to: number;
}

export type SyncOutcome = 'unchanged' | 'read' | 'reread' | 'deleted' | 'error';

/** What the persistent index keeps per file. */
export interface TrackerSnapshot {
	path: string;
	parser: string;
	identity: FileIdentity;
	offset: number;
	line: number;
	state: unknown;
	fingerprint: string | null;
	tailBytes: number;
	records: UsageRecord[];
	/** Parsed records not kept in `records` (versions the index folded away). */
	folded: number;
	/** Earliest and latest time of every record parsed, folded versions included (`burn sources`' range). */
	span: TimeSpan | null;
	events: ActivityEvent[];
	problems: ProblemLog;
	/** The file is gone from disk; its records still count. */
	gone?: boolean;
}

/** Problems listed per file (counts are exact): a file re-read from zero drops its old ones instead of doubling them. */
export const MAX_PROBLEMS_PER_FILE = 50;
/** Bytes hashed at the start of the file and just before the offset to tell an append from a rewrite. */
const FINGERPRINT_SPAN = 4096;

export function parserId(reader: FileReader): string {
	return `${reader.source.kind}:${reader.type}:${reader.source.parserVersion}`;
}

export class FileTracker {
	readonly parser: string;
	identity: FileIdentity | null = null;
	offset = 0;
	/** Line number of the first line at `offset`. */
	line = 1;
	state: unknown;
	fingerprint: string | null = null;
	tailBytes = 0;
	records: UsageRecord[] = [];
	/** Records parsed but not kept (superseded versions folded by the index). */
	folded = 0;
	span: TimeSpan | null = null;
	events: ActivityEvent[] = [];
	/** Flags the file itself raised (bosun's alerts); not kept in the index. */
	flags: Flag[] = [];
	problems = new ProblemLog(MAX_PROBLEMS_PER_FILE);
	/** The file is gone; its records stay counted. */
	deleted = false;
	/** Records moved aside when a deleted file's path came back with new content. */
	ghostRecords = 0;
	lastChangeAt: number | null = null;
	/** Total bytes read by this tracker (for throughput numbers). */
	bytesRead = 0;
	private readonly strings = new Map<string, string>();
	private previous: UsageRecord | null = null;
	/** While a read runs: folds each record into `records` as it arrives (dropped when the read ends). */
	private folding: VersionFold | null = null;
	/** The last provider name read and its canonical name. */
	private rawProvider: string | null = null;
	private provider: string | null = null;

	constructor(
		readonly path: string,
		readonly reader: FileReader,
		private readonly sink: RecordSink,
		private readonly clock: () => number = Date.now,
	) {
		this.parser = parserId(reader);
		this.state = reader.type === 'lines' ? reader.source.initialState(path) : null;
	}

	/** Restores what the index knew; the records count again. `sync()` then reads only what changed. */
	restore(snap: TrackerSnapshot): void {
		this.identity = snap.identity;
		this.offset = snap.offset;
		this.line = snap.line;
		this.state = snap.state;
		this.fingerprint = snap.fingerprint;
		this.tailBytes = snap.tailBytes;
		this.records = snap.records;
		this.folded = snap.folded;
		this.span = snap.span;
		this.events = snap.events;
		this.problems = snap.problems;
		if (snap.gone) this.deleted = true;
		for (const r of this.records) this.sink.add(r);
	}

	snapshot(): TrackerSnapshot | null {
		if (!this.identity) return null;
		return {
			path: this.path,
			parser: this.parser,
			identity: this.identity,
			offset: this.offset,
			line: this.line,
			state: this.state,
			fingerprint: this.fingerprint,
			tailBytes: this.tailBytes,
			records: this.recordsAsRead(),
			folded: this.folded,
			span: this.span,
			events: this.events,
			problems: this.problems,
			...(this.deleted ? {gone: true} : {}),
		};
	}

	/** The records as read (see `RecordSink.asRead`): a new array only when one differs. */
	private recordsAsRead(): UsageRecord[] {
		const asRead = this.sink.asRead;
		const records = this.records;
		if (asRead === undefined) return records;
		let out: UsageRecord[] | null = null;
		for (let i = 0; i < records.length; i++) {
			const r = records[i]!;
			const a = asRead(r);
			if (out === null && a !== r) out = records.slice(0, i);
			if (out !== null) out.push(a);
		}
		return out ?? records;
	}

	/** Has the file (or its WAL) changed since the last read? Stat only. */
	changed(): boolean {
		const st = statOrNull(this.path);
		if (!st) return !this.deleted;
		if (this.deleted || !this.identity) return true;
		return !sameIdentity(this.identity, this.identityOf(st, this.identity.size));
	}

	async sync(): Promise<SyncOutcome> {
		const st = statOrNull(this.path);
		if (!st) {
			if (this.deleted || !this.identity) return 'unchanged';
			this.deleted = true;
			this.lastChangeAt = this.clock();
			return 'deleted';
		}
		if (!st.isFile()) return 'unchanged';
		try {
			if (this.deleted) {
				this.moveToGhost();
				return await this.reread();
			}
			const id = this.identity;
			if (!id) return await this.reread();
			const now = this.identityOf(st, st.size);
			if (sameIdentity(id, now)) return 'unchanged';
			if (this.reader.type !== 'lines' || isGzip(this.path)) return await this.reread();
			if (now.ino !== id.ino || now.dev !== id.dev || st.size < id.size) return await this.reread();
			if (this.fingerprint !== null && fingerprintOf(this.path, this.offset) !== this.fingerprint) return await this.reread();
			return await this.readLines(false);
		} catch (error) {
			this.problems.add({kind: 'read-error', path: this.path, line: null, reason: (error as Error).message});
			this.lastChangeAt = this.clock();
			return 'error';
		}
	}

	private async reread(): Promise<SyncOutcome> {
		if (this.reader.type !== 'lines') {
			const st = statSync(this.path);
			// Read first, retract after: a busy database keeps its old numbers rather than none.
			const result: DocumentResult =
				this.reader.type === 'document' ? await this.reader.source.read(this.path) : await readWholeLines(this.path, this.reader.source);
			if (this.reader.type === 'whole-lines') this.bytesRead += st.size;
			this.retract();
			this.identity = this.identityOf(st, st.size);
			this.take(result);
			this.folding = null;
			this.lastChangeAt = this.clock();
			return 'reread';
		}
		const hadRecords = this.identity !== null;
		this.retract();
		await this.readLines(true);
		return hadRecords ? 'reread' : 'read';
	}

	private retract(): void {
		if (this.records.length > 0 || this.identity) this.sink.retract(this.path);
		this.records = [];
		this.folding = null;
		this.folded = 0;
		this.span = null;
		this.events = [];
		this.flags = [];
		this.problems.clear();
		this.offset = 0;
		this.line = 1;
		this.tailBytes = 0;
		this.fingerprint = null;
		this.identity = null;
		if (this.reader.type === 'lines') this.state = this.reader.source.initialState(this.path);
	}

	/** A deleted file's path came back: its old records stay counted under a separate origin. */
	private moveToGhost(): void {
		const ghost = `${this.path} (deleted)`;
		this.sink.retract(this.path);
		for (const r of this.records) this.sink.add({...r, origin: {...r.origin, path: ghost}});
		this.ghostRecords += this.records.length + this.folded;
		this.records = [];
		this.folded = 0;
		this.span = null;
		this.identity = null;
		this.deleted = false;
	}

	private take(result: Pick<ParseResult<unknown>, 'records' | 'events' | 'problems'> & {flags?: Flag[]}): void {
		// Superseded versions from this file are folded away as they come (see `VersionFold`): they
		// can never count again, since the file is only ever retracted whole, and the ledger keeps
		// only the best per file too.
		// Not for sources whose copies never replace each other (`versionsReplace`): every record is kept.
		let fold = this.folding;
		for (const r of result.records) {
			this.compact(r);
			if (!versionsReplace(r.source)) this.records.push(r);
			else {
				if (fold === null || fold.out !== this.records) fold = this.folding = new VersionFold(this.records);
				if (!fold.add(r)) this.folded++;
			}
			this.sink.add(r);
			const span = this.span;
			if (span === null) this.span = {from: r.at, to: r.at};
			else if (r.at < span.from) span.from = r.at;
			else if (r.at > span.to) span.to = r.at;
		}
		// Events are kept as long as records: a tool's name is one string per tracker, and a detail
		// equal to the previous event's (the same command run again) shares its string.
		const strings = this.strings;
		let last = this.events.length > 0 ? this.events[this.events.length - 1]! : null;
		for (const e of result.events) {
			e.name = intern(strings, e.name);
			if (last !== null && e.detail === last.detail) e.detail = last.detail;
			this.events.push(e);
			last = e;
		}
		if (result.problems.length > 0) this.problems.addAll(result.problems);
		if (result.flags) this.flags.push(...result.flags);
	}

	/**
	 * Records are kept for the life of the process: repeated strings (run, model, workspace, …)
	 * share one copy per tracker and equal coverage objects one per bit pattern. Done on intake,
	 * before anyone else holds the record.
	 */
	private compact(r: UsageRecord): void {
		// Consecutive records of a file mostly repeat the previous one's strings: compare first.
		const s = this.strings;
		const p = this.previous;
		r.runId = p !== null && r.runId === p.runId ? p.runId : intern(s, r.runId);
		if (r.model !== null) r.model = p !== null && r.model === p.model ? p.model : intern(s, r.model);
		// The provider's one name (core/provider.ts) on intake, so the engine's attribution finds it
		// already canonical and keeps the record instead of copying it (a copy per usage.jsonl line
		// was a second record object held by the ledger next to this one).
		if (r.provider !== null) {
			if (r.provider === this.rawProvider) r.provider = this.provider;
			else {
				this.rawProvider = r.provider;
				r.provider = this.provider = intern(s, canonicalProvider(r.provider)!);
			}
		}
		r.usageSource = sharedUsageSource(r.usageSource);
		if (r.issue !== null) r.issue = p !== null && r.issue === p.issue ? p.issue : intern(s, r.issue);
		if (r.workspace !== null) r.workspace = p !== null && r.workspace === p.workspace ? p.workspace : intern(s, r.workspace);
		if (r.origin.path === this.path) r.origin.path = this.path;
		r.coverage = sharedCoverage(r.coverage);
		// A run's turns mostly carry the same meta (role, mode, …): one object for equal neighbours
		// (nothing changes a record's meta after intake; the index then writes it once by identity).
		if (p !== null && r.meta && p.meta && r.meta !== p.meta && sameFlatObject(r.meta, p.meta)) r.meta = p.meta;
		this.previous = r;
	}

	private async readLines(fromZero: boolean): Promise<SyncOutcome> {
		if (this.reader.type !== 'lines') return 'unchanged';
		const source = this.reader.source;
		if (isGzip(this.path)) {
			const st = statSync(this.path);
			const read = await readLineFile(this.path, source, this.state, (r) => this.take(r));
			this.state = read.state;
			this.offset = read.consumedBytes;
			this.line = read.consumedLines + 1;
			this.tailBytes = read.tailBytes;
			this.folding = null;
			this.bytesRead += st.size;
			this.identity = this.identityOf(st, st.size);
			this.lastChangeAt = this.clock();
			return fromZero ? 'reread' : 'read';
		}
		const fd = openSync(this.path, 'r');
		try {
			const st = fstatSync(fd);
			const before = this.offset;
			// From the committed offset to EOF; complete lines go to the source, the partial last one waits.
			const read = await readLineFile(this.path, source, this.state, (r) => this.take(r), {fd, start: this.offset, line: this.line});
			this.state = read.state;
			this.offset += read.consumedBytes;
			this.line += read.consumedLines;
			this.tailBytes = read.tailBytes;
			this.bytesRead += read.bytesRead;
			this.folding = null;
			this.identity = this.identityOf(st, this.offset + this.tailBytes);
			this.fingerprint = this.offset > 0 ? fingerprintFd(fd, this.offset) : null;
			if (this.offset !== before || fromZero) this.lastChangeAt = this.clock();
			return fromZero ? 'reread' : 'read';
		} finally {
			closeSync(fd);
		}
	}

	private identityOf(st: Stats, size: number): FileIdentity {
		const id: FileIdentity = {dev: st.dev, ino: st.ino, size, mtimeMs: st.mtimeMs};
		if (this.reader.type === 'document') {
			const wal = statOrNull(`${this.path}-wal`);
			if (wal) {
				id.walSize = wal.size;
				id.walMtimeMs = wal.mtimeMs;
			}
		}
		return id;
	}
}

function intern(table: Map<string, string>, s: string): string {
	const had = table.get(s);
	if (had !== undefined) return had;
	table.set(s, s);
	return s;
}

/** Same keys in the same order and `===` values (nested objects compare by identity, so rarely equal). */
function sameFlatObject(a: object, b: object): boolean {
	const ka = Object.keys(a);
	const kb = Object.keys(b);
	if (ka.length !== kb.length) return false;
	const x = a as Record<string, unknown>;
	const y = b as Record<string, unknown>;
	for (let i = 0; i < ka.length; i++) {
		const k = ka[i]!;
		if (k !== kb[i] || x[k] !== y[k]) return false;
	}
	return true;
}

/** The literal for a usage source, so a parsed copy of the string is not kept per record. */
function sharedUsageSource(u: UsageSource): UsageSource {
	switch (u) {
		case 'provider_reported':
			return 'provider_reported';
		case 'estimated':
			return 'estimated';
		case 'unavailable':
			return 'unavailable';
		default:
			return u;
	}
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
	return (
		a.dev === b.dev &&
		a.ino === b.ino &&
		a.size === b.size &&
		a.mtimeMs === b.mtimeMs &&
		(a.walSize ?? -1) === (b.walSize ?? -1) &&
		(a.walMtimeMs ?? -1) === (b.walMtimeMs ?? -1)
	);
}

/**
 * A file's identity on disk as `sync()` compares it (a document's with its SQLite `-wal`), or
 * null when it is not a regular file: equal to the tracked identity exactly when `sync()` would
 * read nothing.
 */
export function diskIdentity(path: string, document: boolean): FileIdentity | null {
	const st = statOrNull(path);
	if (!st || !st.isFile()) return null;
	const id: FileIdentity = {dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs};
	if (document) {
		const wal = statOrNull(`${path}-wal`);
		if (wal) {
			id.walSize = wal.size;
			id.walMtimeMs = wal.mtimeMs;
		}
	}
	return id;
}

function statOrNull(path: string): Stats | null {
	try {
		return statSync(path);
	} catch {
		return null;
	}
}

/** Hash of the first and the last few KB before `offset`: an append leaves both alone. */
function fingerprintFd(fd: number, offset: number): string {
	const hash = createHash('sha1');
	const headLen = Math.min(FINGERPRINT_SPAN, offset);
	const head = Buffer.allocUnsafe(headLen);
	readSync(fd, head, 0, headLen, 0);
	hash.update(head);
	const tailStart = Math.max(headLen, offset - FINGERPRINT_SPAN);
	if (offset > tailStart) {
		const tail = Buffer.allocUnsafe(offset - tailStart);
		readSync(fd, tail, 0, tail.length, tailStart);
		hash.update(tail);
	}
	return hash.digest('base64').slice(0, 16);
}

function fingerprintOf(path: string, offset: number): string | null {
	if (offset === 0) return null;
	const fd = openSync(path, 'r');
	try {
		return fingerprintFd(fd, offset);
	} finally {
		closeSync(fd);
	}
}
