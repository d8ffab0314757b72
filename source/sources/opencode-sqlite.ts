/**
 * OpenCode's SQLite store (`opencode.db`, `opencode-<channel>.db`; docs/transcript-formats.md §3.2).
 *
 * This DocumentSource is the one place a source opens a file itself: SQLite needs the database,
 * its `-wal` and its `-shm` together, so ingest cannot hand it bytes. It is opened read-only
 * (never written, never checkpointed), so rows still in the `-wal` of a live database are read,
 * and a database at rest gets no `-wal`/`-shm` files beside it (`openDb`).
 * Locked, busy, corrupt or foreign databases become problems, never exceptions.
 *
 * better-sqlite3 is synchronous: the busy timeout is kept short (it blocks the event loop), a busy
 * database is retried a few times with asynchronous pauses instead, and long scans yield to the
 * event loop every few thousand rows (the read transaction stays open, so the snapshot is consistent;
 * in WAL mode an open reader does not block OpenCode's writes).
 */
import type BetterSqlite from 'better-sqlite3';
import {closeSync, existsSync, fstatSync, openSync, readFileSync, readSync} from 'node:fs';
import type {Problem} from '../core/problems.js';
import type {UsageRecord} from '../core/record.js';
import {OPENCODE_PARSER_VERSION, opencodeRecord, parseStepFinish, type StepFinish} from './opencode.js';
import type {DocumentResult, DocumentSource} from './types.js';

export const opencodeDbSource: DocumentSource = {
	kind: 'opencode',
	parserVersion: OPENCODE_PARSER_VERSION,
	read: readOpencodeDb,
};

export interface DbReadOptions {
	/** SQLite busy timeout per attempt (blocks the event loop), ms. */
	busyTimeoutMs?: number;
	/** Asynchronous pauses between attempts while the database is busy, ms. */
	retryDelaysMs?: readonly number[];
}

const DEFAULT_RETRY_DELAYS = [50, 100, 200, 400] as const;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function sqliteCode(error: unknown): string {
	const code = (error as {code?: unknown})?.code;
	return typeof code === 'string' ? code : '';
}

const isBusy = (error: unknown) => /^SQLITE_(BUSY|LOCKED)/.test(sqliteCode(error));

export async function readOpencodeDb(path: string, options: DbReadOptions = {}): Promise<DocumentResult> {
	const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS;
	for (let attempt = 0; ; attempt++) {
		try {
			return await readOnce(path, options.busyTimeoutMs ?? 50);
		} catch (error) {
			if (isBusy(error) && attempt < delays.length) {
				await sleep(delays[attempt]!);
				continue;
			}
			return {records: [], events: [], problems: [dbProblem(path, error, attempt + 1)]};
		}
	}
}

function dbProblem(path: string, error: unknown, attempts: number): Problem {
	const code = sqliteCode(error);
	const message = (error as Error)?.message ?? String(error);
	let reason: string;
	if (isBusy(error)) reason = `database is locked by another process (${attempts} attempts): ${message}; read again when it changes`;
	else if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') reason = `not a readable SQLite database: ${message}`;
	else if (code === 'SQLITE_CANTOPEN') reason = `cannot open read-only (a WAL database needs its -shm file or a writable directory): ${message}`;
	else reason = `${code ? `${code}: ` : ''}${message}`;
	return {kind: 'read-error', path, line: null, reason};
}

/** Rows between yields to the event loop: a large database must not freeze the live view. */
const ROWS_PER_YIELD = 2000;
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

async function readOnce(path: string, busyTimeoutMs: number): Promise<DocumentResult> {
	const problems: Problem[] = [];
	const records: UsageRecord[] = [];
	// Loaded on first use: a native module every command would otherwise pay for at startup.
	const {default: Database} = await import('better-sqlite3');
	const db = openDb(Database, path, busyTimeoutMs);
	try {
		const tables = new Set(
			(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as Array<{name: string}>).map((r) => r.name),
		);
		const messageCols = tables.has('message') ? columns(db, 'message') : new Set<string>();
		if (!['id', 'session_id', 'data'].every((c) => messageCols.has(c))) {
			problems.push({
				kind: 'unsupported-format',
				path,
				line: null,
				reason: 'no OpenCode message(id, session_id, data) table: not an OpenCode database, or a schema this reader does not know',
			});
			return {records, events: [], problems};
		}
		// One read transaction: parts, sessions and messages come from the same snapshot.
		db.exec('BEGIN');
		try {
			const steps = tables.has('part') ? await readSteps(db) : new Map<string, StepFinish[]>();
			const sessions = tables.has('session') ? readSessions(db) : new Map<string, SessionRow>();
			const timeCol = messageCols.has('time_created') ? 'time_created' : 'NULL';
			// SQL-side pre-filter: rows that cannot carry usage are never parsed.
			const rows = db
				.prepare(`SELECT id, session_id, ${timeCol} AS time_created, data FROM message WHERE instr(data, '"tokens"') > 0`)
				.iterate() as IterableIterator<{id: unknown; session_id: unknown; time_created: unknown; data: unknown}>;
			let n = 0;
			for (const row of rows) {
				if (++n % ROWS_PER_YIELD === 0) await yieldToLoop();
				const id = String(row.id);
				const text = textOf(row.data);
				if (text === null) continue;
				let value: unknown;
				try {
					value = JSON.parse(text);
				} catch (error) {
					problems.push({kind: 'malformed-json', path, line: null, field: 'data', reason: `message ${id}: not valid JSON: ${(error as Error).message}`});
					continue;
				}
				const sessionId = row.session_id === null || row.session_id === undefined ? null : String(row.session_id);
				const session = sessionId ? sessions.get(sessionId) : undefined;
				const record = opencodeRecord(
					value,
					{
						path,
						messageId: id,
						sessionId,
						timeCreated: typeof row.time_created === 'number' ? row.time_created : null,
						sessionDirectory: session?.directory ?? null,
						hasParent: session ? session.hasParent : null,
						steps: steps.get(id) ?? [],
					},
					problems,
				);
				if (record) records.push(record);
			}
		} finally {
			db.exec('COMMIT');
		}
	} finally {
		db.close();
	}
	return {records, events: [], problems};
}

/** A WAL-mode database at rest is read into memory up to this size; a larger one is opened in place. */
const MAX_IN_MEMORY_BYTES = 1024 ** 3;

/**
 * Opens the database without writing next to it when that can be avoided.
 * - A `-wal` beside it: OpenCode has it open (or did not close cleanly). Opened in place,
 *   read-only, so rows still in the `-wal` are read; SQLite shares the live `-shm`.
 * - No `-wal`, and the header says WAL mode (bytes 18–19 = 2): a read-only connection would
 *   create `-wal` and `-shm` beside the user's database and leave them there. SQLite's
 *   `immutable=1` URI avoids that, but better-sqlite3 is built without URI filenames, so the
 *   file is read into memory and opened from there (the copy's header marked rollback-journal,
 *   which an in-memory database needs). A checkpoint landing mid-read gives a torn copy, reported
 *   as a corrupt database and read again on the next change.
 * - Otherwise (rollback journal, or very large): opened in place, read-only.
 */
function openDb(Database: typeof BetterSqlite, path: string, timeout: number): BetterSqlite.Database {
	const inPlace = () => new Database(path, {readonly: true, fileMustExist: true, timeout});
	if (existsSync(`${path}-wal`)) return inPlace();
	const header = Buffer.alloc(100);
	const fd = openSync(path, 'r');
	let n: number;
	let size: number;
	try {
		size = fstatSync(fd).size;
		n = readSync(fd, header, 0, header.length, 0);
	} finally {
		closeSync(fd);
	}
	if (n < 20 || header[18] !== 2 || header[19] !== 2 || size > MAX_IN_MEMORY_BYTES) return inPlace();
	const bytes = readFileSync(path);
	bytes[18] = 1;
	bytes[19] = 1;
	return new Database(bytes, {readonly: true});
}

function columns(db: BetterSqlite.Database, table: string): Set<string> {
	return new Set((db.prepare(`PRAGMA table_info(${table})`).all() as Array<{name: string}>).map((r) => r.name));
}

function textOf(data: unknown): string | null {
	if (typeof data === 'string') return data;
	if (Buffer.isBuffer(data)) return data.toString('utf8');
	return null;
}

async function readSteps(db: BetterSqlite.Database): Promise<Map<string, StepFinish[]>> {
	const out = new Map<string, StepFinish[]>();
	const cols = columns(db, 'part');
	if (!cols.has('message_id') || !cols.has('data')) return out;
	// No ORDER BY: steps are summed, and a sort would block until the whole table is scanned.
	const rows = db
		.prepare(`SELECT message_id, data FROM part WHERE instr(data, '"step-finish"') > 0`)
		.iterate() as IterableIterator<{message_id: unknown; data: unknown}>;
	let n = 0;
	for (const row of rows) {
		if (++n % ROWS_PER_YIELD === 0) await yieldToLoop();
		const text = textOf(row.data);
		const step = text === null ? null : parseStepFinish(text);
		if (!step) continue;
		const id = String(row.message_id);
		const list = out.get(id);
		if (list) list.push(step);
		else out.set(id, [step]);
	}
	return out;
}

interface SessionRow {
	directory: string | null;
	/** null when the schema has no parent column. */
	hasParent: boolean | null;
}

function readSessions(db: BetterSqlite.Database): Map<string, SessionRow> {
	const out = new Map<string, SessionRow>();
	const cols = columns(db, 'session');
	if (!cols.has('id')) return out;
	const dir = cols.has('directory') ? 'directory' : 'NULL';
	const parent = cols.has('parent_id') ? 'parent_id' : 'NULL';
	const rows = db.prepare(`SELECT id, ${dir} AS directory, ${parent} AS parent_id FROM session`).iterate() as IterableIterator<{
		id: unknown;
		directory: unknown;
		parent_id: unknown;
	}>;
	for (const row of rows) {
		out.set(String(row.id), {
			directory: typeof row.directory === 'string' && row.directory !== '' ? row.directory : null,
			hasParent: parent === 'NULL' ? null : typeof row.parent_id === 'string' && row.parent_id !== '',
		});
	}
	return out;
}
