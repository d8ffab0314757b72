/**
 * Issue 13, item 5: reading OpenCode's database leaves nothing beside it, and `burn sources`
 * shows its size. Real SQLite files in temp dirs.
 */
import {mkdirSync, readdirSync, readFileSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {collectSources} from '../../source/commands/sources.js';
import {readOpencodeDb} from '../../source/sources/opencode-sqlite.js';
import {addBaseRows, addWalRows, createDb, type Db} from '../helpers/opencode-db.js';
import {tempDir} from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
const open: Db[] = [];
beforeEach(() => ({dir, cleanup} = tempDir()));
afterEach(() => {
	for (const db of open.splice(0)) if (db.open) db.close();
	cleanup();
});

/** A WAL-mode database OpenCode closed cleanly: SQLite removed its -wal and -shm. */
function restingDb(home: string): string {
	mkdirSync(home, {recursive: true});
	const path = join(home, 'opencode.db');
	const db = createDb(path);
	addBaseRows(db);
	addWalRows(db);
	db.close();
	expect(readdirSync(home)).toEqual(['opencode.db']);
	expect(readFileSync(path)[18]).toBe(2); // still a WAL-mode database
	return path;
}

describe('OpenCode database: read without writing beside it', () => {
	it('a database at rest: same records as a normal open, and no -wal/-shm left beside it', async () => {
		const home = join(dir, 'opencode');
		const path = restingDb(home);
		const before = readFileSync(path);
		const result = await readOpencodeDb(path);
		expect(result.records.map((r) => r.key).sort()).toEqual(['opencode:msg_SYNTHA2', 'opencode:msg_SYNTHC2', 'opencode:msg_SYNTHC3']);
		expect(result.records.find((r) => r.key === 'opencode:msg_SYNTHC2')!.tokens).toMatchObject({input: 97, cacheRead: 90, output: 3, total: 100});
		expect(readdirSync(home)).toEqual(['opencode.db']);
		expect(readFileSync(path).equals(before)).toBe(true);
	});

	it('a live database (a -wal beside it): read in place, rows only in the -wal included', async () => {
		const home = join(dir, 'opencode');
		mkdirSync(home, {recursive: true});
		const path = join(home, 'opencode.db');
		const db = createDb(path);
		open.push(db);
		addBaseRows(db);
		db.pragma('wal_checkpoint(TRUNCATE)');
		addWalRows(db);
		expect(readFileSync(`${path}-wal`).includes('msg_SYNTHC2')).toBe(true);
		const result = await readOpencodeDb(path);
		expect(result.records.map((r) => r.key).sort()).toEqual(['opencode:msg_SYNTHA2', 'opencode:msg_SYNTHC2', 'opencode:msg_SYNTHC3']);
		expect(readdirSync(home).sort()).toEqual(['opencode.db', 'opencode.db-shm', 'opencode.db-wal']);
	});
});

describe('burn sources: an OpenCode database has a size', () => {
	it('shows the database file size, not 0 B', async () => {
		const home = join(dir, 'opencode');
		const path = restingDb(home);
		const {doc} = await collectSources({discovery: {cwd: dir, home: dir, env: {}, flags: {opencodeDir: [home]}}});
		const root = doc.roots.find((r) => r.kind === 'opencode')!;
		expect(root.files).toBe(1);
		expect(root.bytes).toBe(statSync(path).size);
		expect(root.bytes).toBeGreaterThan(0);
		expect(readdirSync(home)).toEqual(['opencode.db']);
	});
});
