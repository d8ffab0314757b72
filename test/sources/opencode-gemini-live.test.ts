/**
 * The live engine re-reads OpenCode's database (including rows that only reach the -wal) and
 * Gemini chats (appended JSONL, rewritten JSON) as they change.
 */
import {appendFileSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {Engine} from '../../source/ingest/engine.js';
import {geminiDefinition} from '../../source/sources/gemini-definition.js';
import {opencodeDefinition} from '../../source/sources/opencode-definition.js';
import {waitFor} from '../ingest/helpers.js';
import {addBaseRows, addMessage, createDb, type Db} from '../helpers/opencode-db.js';
import {copyFixture, tempDir} from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
let engine: Engine | null = null;
let db: Db | null = null;
beforeEach(() => ({dir, cleanup} = tempDir()));
afterEach(async () => {
	await engine?.stop();
	engine = null;
	if (db?.open) db.close();
	cleanup();
});

const start = async (flags: Record<string, string[]>) => {
	engine = new Engine({
		discovery: {cwd: dir, home: dir, env: {}, flags},
		cacheDir: null,
		sources: [opencodeDefinition, geminiDefinition],
		notifyIntervalMs: 20,
		debounceMs: 20,
		pollIntervalMs: 100,
		relistIntervalMs: 400,
	});
	await engine.start();
	return engine;
};
const totals = () => engine!.store.getSnapshot().doc.totals;

describe('live re-reads of OpenCode and Gemini CLI', () => {
	it('sees a new OpenCode row that is only in the -wal', async () => {
		const home = join(dir, 'opencode');
		copyFixture('opencode/legacy/storage', home);
		db = createDb(join(home, 'opencode.db'));
		addBaseRows(db);
		await start({opencodeDir: [home]});
		expect(totals().records).toBe(4);
		expect(totals().tokens.output.value).toBe(857); // legacy A3, A4, B1 + the DB's A2 (output 500)
		addMessage(db, 'msg_LIVE1', 'ses_SYNTHC', {
			role: 'assistant',
			modelID: 'claude-haiku-4-5',
			providerID: 'anthropic',
			tokens: {input: 3, output: 1000, cache: {read: 0, write: 0}},
			time: {created: 1790938000000},
		});
		expect(readFileSync(join(home, 'opencode.db')).includes('msg_LIVE1')).toBe(false);
		await waitFor(() => totals().records === 5, 5000, 'the WAL row');
		expect(totals().tokens.output.value).toBe(1857);
	});

	it('follows an appended Gemini JSONL and a rewritten Gemini JSON chat', async () => {
		const home = copyFixture('gemini/gemini-home', dir, '.gemini');
		await start({geminiDir: [home]});
		expect(totals().records).toBe(6);
		const jsonl = join(home, 'tmp/acme-api/chats/session-2026-10-02T11-00-8f2d0000.jsonl');
		appendFileSync(
			jsonl,
			`${JSON.stringify({id: 'm-007', timestamp: '2026-10-02T11:05:00.000Z', type: 'gemini', model: 'gemini-3.1-pro-preview', tokens: {input: 40, output: 2, cached: 0, thoughts: 0, tool: 0, total: 42}})}\n`,
		);
		await waitFor(() => totals().records === 7, 5000, 'the appended message');
		const json = join(home, 'tmp', readdirOne(join(home, 'tmp'), /^[0-9a-f]{64}$/), 'chats', 'session-2026-09-01T08-00-7a1c0000.json');
		const doc = JSON.parse(readFileSync(json, 'utf8')) as {messages: Array<Record<string, unknown>>};
		doc.messages.push({id: 'g-5', timestamp: '2026-09-01T08:04:00.000Z', type: 'gemini', model: 'gemini-2.5-pro', tokens: {input: 5, output: 5, total: 10}});
		writeFileSync(json, JSON.stringify(doc));
		await waitFor(() => totals().records === 8, 5000, 'the rewritten document');
		expect(totals().tokens.total.value).toBe(21157 + 42 + 10);
	});
});

function readdirOne(path: string, pattern: RegExp): string {
	return readdirSync(path).find((n) => pattern.test(n))!;
}
