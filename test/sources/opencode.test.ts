import {existsSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {collectSummary} from '../../source/ingest/read-once.js';
import type {UsageRecord} from '../../source/core/record.js';
import {discoverSources} from '../../source/ingest/discover.js';
import {readLegacyMessage} from '../../source/sources/opencode.js';
import {opencodeDefinition} from '../../source/sources/opencode-definition.js';
import {readOpencodeDb} from '../../source/sources/opencode-sqlite.js';
import {addBaseRows, addMessage, addWalRows, createDb, W, type Db} from '../helpers/opencode-db.js';
import {copyFixture, tempDir} from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
const open: Db[] = [];
beforeEach(() => ({dir, cleanup} = tempDir()));
afterEach(() => {
	for (const db of open.splice(0)) if (db.open) db.close();
	cleanup();
});

const byKey = (records: UsageRecord[]) => new Map(records.map((r) => [r.key, r]));

const collect = async (flags: Record<string, string[]>, env: NodeJS.ProcessEnv = {}) =>
	collectSummary({discovery: {cwd: dir, home: dir, env, flags}});

/** A live OpenCode data dir: base rows checkpointed into the .db, newer rows only in the -wal. */
function liveDb(home: string): {db: Db; path: string} {
	mkdirSync(home, {recursive: true});
	const path = join(home, 'opencode.db');
	const db = createDb(path);
	open.push(db);
	addBaseRows(db);
	db.pragma('wal_checkpoint(TRUNCATE)');
	addWalRows(db);
	return {db, path};
}

describe('OpenCode legacy JSON storage', () => {
	it('reads every pitfall with exact totals (step-finish sums, cost 0, absent fields, placeholders, no path)', async () => {
		const home = join(dir, 'opencode');
		copyFixture('opencode/legacy/storage', home);
		const {doc, ledger} = await collect({opencodeDir: [home]});
		expect(doc.totals.records).toBe(4);
		expect(doc.totals.tokens.input).toEqual({value: 22417, known: 4, missing: 0});
		expect(doc.totals.tokens.output).toEqual({value: 788, known: 4, missing: 0});
		expect(doc.totals.tokens.cacheRead).toEqual({value: 19740, known: 3, missing: 1});
		expect(doc.totals.tokens.cacheWrite).toEqual({value: 2510, known: 3, missing: 1});
		expect(doc.totals.tokens.reasoning).toEqual({value: 20, known: 3, missing: 1});
		expect(doc.totals.tokens.total).toEqual({value: 23205, known: 4, missing: 0});
		expect(doc.problems.byKind).toEqual({'malformed-json': 1});
		expect(doc.problems.items[0]!.path).toMatch(/msg_SYNTHB2\.json$/);

		const r = byKey([...ledger.records()]);
		// Two step-finish parts: their sum, not the message's last-step tokens.
		expect(r.get('opencode:msg_SYNTHA3')!.tokens).toMatchObject({input: 1815, cacheRead: 1500, cacheWrite: 300, output: 300, reasoning: 20});
		expect(r.get('opencode:msg_SYNTHA3')!.reportedCostUsd).toBe(0.03);
		// cost 0 is "not stated"; absent reasoning/cache keys stay null (seed 002).
		const a4 = r.get('opencode:msg_SYNTHA4')!;
		expect(a4.reportedCostUsd).toBeNull();
		expect(a4.tokens).toMatchObject({input: 40, output: 7, cacheRead: null, cacheWrite: null, reasoning: null, total: 47});
		expect(a4.coverage).toMatchObject({hasInputTokens: true, hasReasoningTokens: false, hasCacheReadTokens: false, hasCacheCreateTokens: false});
		// Explicit zeros are zeros.
		const b1 = r.get('opencode:msg_SYNTHB1')!;
		expect(b1.tokens).toMatchObject({cacheRead: 0, cacheWrite: 0, reasoning: 0});
		expect(b1.coverage).toMatchObject({hasReasoningTokens: true, hasCacheReadTokens: true, hasSessionRelationships: true});
		// No path.cwd: the session file's directory. A run is the session.
		expect(b1.workspace).toBe('/home/dev/acme-api');
		expect(b1.runId).toBe('ses_SYNTHB');
		expect(r.has('opencode:msg_SYNTHA5')).toBe(false);
		expect(doc.byIssue['ACME-12']!.records).toBe(3);
		expect(doc.byRun['ses_SYNTHA']!.records).toBe(3);
	});

	it('survives binary garbage and invalid UTF-8 in a message file', async () => {
		const msgDir = join(dir, 'storage', 'message', 'ses_X');
		mkdirSync(msgDir, {recursive: true});
		const garbage = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28]), Buffer.from('"assistant"'), Buffer.alloc(4096, 0xa0)]);
		writeFileSync(join(msgDir, 'msg_BAD.json'), garbage);
		const bad = Buffer.from(
			'{"role":"assistant","modelID":"m\xff","tokens":{"input":1,"output":2},"time":{"created":1790937600000},"cost":0}',
			'latin1',
		);
		writeFileSync(join(msgDir, 'msg_LATIN.json'), bad);
		const garbageResult = await readLegacyMessage(join(msgDir, 'msg_BAD.json'));
		expect(garbageResult.records).toEqual([]);
		expect(garbageResult.problems.map((p) => p.kind)).toEqual(['malformed-json']);
		const latin = await readLegacyMessage(join(msgDir, 'msg_LATIN.json'));
		expect(latin.problems).toEqual([]);
		expect(latin.records[0]!.tokens).toMatchObject({input: 1, output: 2});
		expect(latin.records[0]!.key).toBe('opencode:msg_LATIN');
	});
});

describe('OpenCode SQLite store', () => {
	it('reads rows still in the -wal of a live database, read-only, with exact totals', async () => {
		const {path} = liveDb(join(dir, 'opencode'));
		// The newest rows are only in the -wal file, not yet in the main database file.
		expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
		expect(readFileSync(path).includes('msg_SYNTHC2')).toBe(false);
		expect(readFileSync(`${path}-wal`).includes('msg_SYNTHC2')).toBe(true);
		const before = readFileSync(path);

		const result = await readOpencodeDb(path);
		expect(result.problems).toEqual([
			expect.objectContaining({kind: 'malformed-json', field: 'data', reason: expect.stringContaining('msg_SYNTHC4')}),
		]);
		const r = byKey(result.records);
		expect([...r.keys()].sort()).toEqual(['opencode:msg_SYNTHA2', 'opencode:msg_SYNTHC2', 'opencode:msg_SYNTHC3']);
		const c2 = r.get('opencode:msg_SYNTHC2')!;
		expect(c2.tokens).toMatchObject({input: 97, cacheRead: 90, cacheWrite: 0, output: 3, reasoning: null, total: 100});
		expect(c2.workspace).toBe('/home/dev/widget');
		expect(c2.reportedCostUsd).toBe(0.002);
		expect(c2.coverage.hasSessionRelationships).toBe(true);
		const c3 = r.get('opencode:msg_SYNTHC3')!;
		expect(c3.at).toBe(1790937900000);
		expect(c3.reportedCostUsd).toBeNull();
		expect(c3.tokens).toMatchObject({input: 84, cacheWrite: 64, output: 10, reasoning: 4, total: 94});
		// Never written: the main file is byte-identical after the read.
		expect(readFileSync(path).equals(before)).toBe(true);
	});

	it('prefers the DB copy of a message over the legacy JSON copy, in either reading order', async () => {
		const home = join(dir, 'opencode');
		copyFixture('opencode/legacy/storage', home);
		liveDb(home);
		const {doc, ledger} = await collect({opencodeDir: [home]});
		expect(doc.totals.records).toBe(6);
		expect(doc.totals.tokens.input).toEqual({value: 22598, known: 6, missing: 0});
		expect(doc.totals.tokens.output).toEqual({value: 870, known: 6, missing: 0});
		expect(doc.totals.tokens.cacheRead).toEqual({value: 19830, known: 5, missing: 1});
		expect(doc.totals.tokens.cacheWrite).toEqual({value: 2574, known: 5, missing: 1});
		expect(doc.totals.tokens.reasoning).toEqual({value: 24, known: 4, missing: 2});
		expect(doc.totals.tokens.total).toEqual({value: 23468, known: 6, missing: 0});
		const a2 = byKey([...ledger.records()]).get('opencode:msg_SYNTHA2')!;
		expect(a2.origin.path).toMatch(/opencode\.db$/);
		expect(a2.tokens.output).toBe(500);

		// JSON first, then the DB: the DB still wins; retracting the DB brings the JSON copy back.
		const {Ledger} = await import('../../source/core/ledger.js');
		const ledger2 = new Ledger();
		ledger2.add((await readLegacyMessage(join(home, 'storage/message/ses_SYNTHA/msg_SYNTHA2.json'))).records);
		ledger2.add((await readOpencodeDb(join(home, 'opencode.db'))).records);
		expect(byKey([...ledger2.records()]).get('opencode:msg_SYNTHA2')!.tokens.output).toBe(500);
		ledger2.retractFile(join(home, 'opencode.db'));
		expect(byKey([...ledger2.records()]).get('opencode:msg_SYNTHA2')!.tokens.output).toBe(431);
	});

	it('reads the committed rows while a writer holds an open write transaction (WAL)', async () => {
		const {db, path} = liveDb(join(dir, 'opencode'));
		db.exec('BEGIN IMMEDIATE');
		addMessage(db, 'msg_UNCOMMITTED', 'ses_SYNTHC', {
			role: 'assistant',
			tokens: {input: 1, output: 1},
			time: {created: 1790938000000},
		});
		const result = await readOpencodeDb(path);
		expect(result.records.map((r) => r.key).sort()).toEqual(['opencode:msg_SYNTHA2', 'opencode:msg_SYNTHC2', 'opencode:msg_SYNTHC3']);
		db.exec('COMMIT');
		expect((await readOpencodeDb(path)).records).toHaveLength(4);
	});

	it('reports a database locked by a writer as a problem, promptly, and reads it once unlocked', async () => {
		const path = join(dir, 'opencode.db');
		const db = createDb(path, 'delete');
		open.push(db);
		addBaseRows(db);
		db.exec('BEGIN EXCLUSIVE');
		addWalRows(db);
		const started = Date.now();
		const locked = await readOpencodeDb(path, {busyTimeoutMs: 10, retryDelaysMs: [10, 20]});
		expect(Date.now() - started).toBeLessThan(2000);
		expect(locked.records).toEqual([]);
		expect(locked.problems).toEqual([expect.objectContaining({kind: 'read-error', reason: expect.stringMatching(/locked/)})]);
		db.exec('COMMIT');
		const unlocked = await readOpencodeDb(path);
		expect(unlocked.records).toHaveLength(3);
	});

	it('turns a missing table, a corrupt file and a missing file into problems', async () => {
		const empty = join(dir, 'empty.db');
		const db = createDb(empty);
		db.exec('DROP TABLE message');
		db.close();
		const noTable = await readOpencodeDb(empty);
		expect(noTable.problems.map((p) => p.kind)).toEqual(['unsupported-format']);

		const corrupt = join(dir, 'corrupt.db');
		writeFileSync(corrupt, Buffer.concat([Buffer.from('definitely not sqlite '), Buffer.alloc(8192, 0xfe)]));
		const bad = await readOpencodeDb(corrupt);
		expect(bad.records).toEqual([]);
		expect(bad.problems).toEqual([expect.objectContaining({kind: 'read-error', reason: expect.stringMatching(/not a readable SQLite database/)})]);

		const missing = await readOpencodeDb(join(dir, 'nope.db'));
		expect(missing.problems.map((p) => p.kind)).toEqual(['read-error']);
		expect(existsSync(join(dir, 'nope.db'))).toBe(false);
	});
});

describe('OpenCode discovery', () => {
	const roots = (flags: Record<string, string[]>, env: NodeJS.ProcessEnv = {}) =>
		discoverSources({cwd: dir, home: dir, env, flags}, [opencodeDefinition]);

	it('accepts the data dir, its storage/ dir or a .db file, and OPENCODE_DATA_DIR / XDG_DATA_HOME', () => {
		const home = join(dir, 'data', 'opencode');
		copyFixture('opencode/legacy/storage', home);
		writeFileSync(join(home, 'opencode-beta.db'), '');
		writeFileSync(join(home, 'opencode.db'), '');
		const paths = (d: ReturnType<typeof roots>) => d.roots.map((r) => r.path);
		expect(paths(roots({opencodeDir: [home]}))).toEqual([join(home, 'opencode.db'), join(home, 'opencode-beta.db'), join(home, 'storage', 'message')]);
		expect(paths(roots({opencodeDir: [join(home, 'storage')]}))).toEqual([join(home, 'storage', 'message')]);
		expect(paths(roots({opencodeDir: [join(home, 'opencode.db')]}))).toEqual([join(home, 'opencode.db')]);
		expect(roots({}, {OPENCODE_DATA_DIR: home}).roots.map((r) => r.via)).toEqual(['OPENCODE_DATA_DIR', 'OPENCODE_DATA_DIR', 'OPENCODE_DATA_DIR']);
		expect(paths(roots({}, {XDG_DATA_HOME: join(dir, 'data')}))).toHaveLength(3);
		const none = roots({});
		expect(none.roots).toEqual([]);
		expect(none.missing.map((m) => m.path)).toEqual([join(dir, '.local', 'share', 'opencode', 'opencode.db')]);
	});

	it('uses a workspace the issue attribution can read', async () => {
		const home = join(dir, 'opencode');
		liveDb(home);
		const {doc} = await collect({opencodeDir: [home]});
		expect(doc.byIssue['ACME-12']!.records).toBe(1);
		expect(doc.byRun['ses_SYNTHA']!.issue).toBe('ACME-12');
		expect(W).toContain('ACME-12');
	});
});
