/**
 * Builds real OpenCode SQLite databases in temp dirs (the schema of docs/transcript-formats.md §3.2),
 * so tests never commit binaries.
 */
import Database from 'better-sqlite3';

export const W = '/home/dev/symphony_workspaces/ACME-12';

export const SCHEMA = `
CREATE TABLE session (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, parent_id TEXT, slug TEXT, directory TEXT NOT NULL,
  title TEXT, version TEXT, cost REAL, tokens_input INTEGER, tokens_output INTEGER, tokens_reasoning INTEGER,
  tokens_cache_read INTEGER, tokens_cache_write INTEGER, time_created INTEGER NOT NULL, time_updated INTEGER NOT NULL);
CREATE TABLE message (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, time_created INTEGER NOT NULL,
  time_updated INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE part (id TEXT PRIMARY KEY, message_id TEXT NOT NULL, session_id TEXT NOT NULL, time_created INTEGER NOT NULL,
  time_updated INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX part_message_idx ON part(message_id);
`;

export type Db = Database.Database;

export function createDb(path: string, journal: 'wal' | 'delete' = 'wal'): Db {
	const db = new Database(path);
	db.pragma(`journal_mode = ${journal}`);
	// Keep rows in the -wal until the test checkpoints (a live OpenCode does the same between checkpoints).
	db.pragma('wal_autocheckpoint = 0');
	db.exec(SCHEMA);
	return db;
}

export function addSession(db: Db, id: string, directory: string, parent: string | null = null): void {
	// Aggregate columns hold cumulative nonsense: a reader that adds them fails the exact totals.
	db.prepare(
		`INSERT INTO session (id, project_id, parent_id, slug, directory, title, version, cost, tokens_input, tokens_output,
		 tokens_reasoning, tokens_cache_read, tokens_cache_write, time_created, time_updated)
		 VALUES (?, 'prj', ?, 'slug', ?, 't', '1.2.0', 9.99, 999999, 999999, 999999, 999999, 999999, 1790937600000, 1790937600000)`,
	).run(id, parent, directory);
}

export function addMessage(db: Db, id: string, session: string, data: object | string, timeCreated = 1790937600000): void {
	db.prepare(`INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)`).run(
		id,
		session,
		timeCreated,
		timeCreated,
		typeof data === 'string' ? data : JSON.stringify(data),
	);
}

export function addPart(db: Db, id: string, message: string, session: string, data: object, timeCreated = 1790937600000): void {
	db.prepare(`INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?, ?)`).run(
		id,
		message,
		session,
		timeCreated,
		timeCreated,
		JSON.stringify(data),
	);
}

const A2_TOKENS = {input: 12, output: 500, reasoning: 0, cache: {read: 18240, write: 2210}};

/** The rows that land in the main .db file (checkpointed). */
export function addBaseRows(db: Db): void {
	addSession(db, 'ses_SYNTHA', W);
	addSession(db, 'ses_SYNTHC', '/home/dev/widget', 'ses_SYNTHA');
	// Same id as the legacy JSON copy, with a later (larger) output: the DB copy must win.
	addMessage(db, 'msg_SYNTHA2', 'ses_SYNTHA', {
		role: 'assistant',
		parentID: 'msg_SYNTHA1',
		modelID: 'claude-sonnet-4-6',
		providerID: 'anthropic',
		agent: 'build',
		path: {cwd: W, root: W},
		cost: 0.021,
		tokens: A2_TOKENS,
		time: {created: 1790937601000, completed: 1790937622000},
	});
	addPart(db, 'prt_SYNTHD1', 'msg_SYNTHA2', 'ses_SYNTHA', {type: 'step-finish', reason: 'stop', cost: 0.021, tokens: A2_TOKENS});
	addMessage(db, 'msg_SYNTHC1', 'ses_SYNTHC', {role: 'user', model: {providerID: 'anthropic', modelID: 'claude-haiku-4-5'}, time: {created: 1790937799000}});
}

/** The rows a test leaves in the -wal (not checkpointed). */
export function addWalRows(db: Db): void {
	// No path: the workspace comes from the session row; no reasoning key: null.
	addMessage(db, 'msg_SYNTHC2', 'ses_SYNTHC', {
		role: 'assistant',
		modelID: 'claude-haiku-4-5',
		providerID: 'anthropic',
		cost: 0.002,
		tokens: {input: 7, output: 3, cache: {read: 90, write: 0}},
		time: {created: 1790937800000, completed: 1790937801000},
	});
	// Time in seconds; cost 0 = not stated.
	addMessage(db, 'msg_SYNTHC3', 'ses_SYNTHC', {
		role: 'assistant',
		modelID: 'gemini-3-pro-preview',
		providerID: 'google',
		path: {cwd: '/home/dev/widget', root: '/home/dev/widget'},
		cost: 0,
		tokens: {input: 20, output: 10, reasoning: 4, cache: {read: 0, write: 64}},
		time: {created: 1790937900},
	});
	addMessage(db, 'msg_SYNTHC4', 'ses_SYNTHC', 'not json but mentions "tokens"');
}
