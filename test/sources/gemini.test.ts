import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {collectSummary} from '../../source/ingest/read-once.js';
import type {UsageRecord} from '../../source/core/record.js';
import {discoverSources} from '../../source/ingest/discover.js';
import {readLineFile} from '../../source/ingest/line-reader.js';
import {geminiJsonlSource, parseGeminiChunk, readGeminiJson} from '../../source/sources/gemini.js';
import {geminiDefinition} from '../../source/sources/gemini-definition.js';
import {copyFixture, tempDir} from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({dir, cleanup} = tempDir()));
afterEach(() => cleanup());

const S1 = '8f2d0000-0000-4000-8000-0000000000b2';
const S2 = '7a1c0000-0000-4000-8000-0000000000a1';
const JSONL = 'tmp/acme-api/chats/session-2026-10-02T11-00-8f2d0000.jsonl';

/** `<dir>/.gemini` from the fixture home. */
const geminiHome = () => copyFixture('gemini/gemini-home', dir, '.gemini');
const byKey = (records: Iterable<UsageRecord>) => new Map([...records].map((r) => [r.key, r]));

async function readJsonl(path: string) {
	const records: UsageRecord[] = [];
	const problems: unknown[] = [];
	await readLineFile(path, geminiJsonlSource, geminiJsonlSource.initialState(path), (r) => {
		records.push(...r.records);
		problems.push(...r.problems);
	});
	return {records, problems};
}

describe('Gemini CLI chats', () => {
	it('reads the JSONL and JSON forms with exact totals', async () => {
		const home = geminiHome();
		const {doc, ledger} = await collectSummary({discovery: {cwd: dir, home: dir, env: {}, flags: {geminiDir: [home]}}});
		expect(doc.sources.map((s) => [s.kind, s.files])).toEqual([['gemini', 2]]);
		expect(doc.totals.records).toBe(6);
		expect(doc.totals.tokens.input).toEqual({value: 20065, known: 6, missing: 0});
		expect(doc.totals.tokens.output).toEqual({value: 1092, known: 6, missing: 0});
		expect(doc.totals.tokens.cacheRead).toEqual({value: 13600, known: 5, missing: 1});
		expect(doc.totals.tokens.cacheWrite).toEqual({value: null, known: 0, missing: 6});
		expect(doc.totals.tokens.reasoning).toEqual({value: 570, known: 5, missing: 1});
		expect(doc.totals.tokens.total).toEqual({value: 21157, known: 6, missing: 0});
		// Only the broken line that could carry usage was parsed (and reported); the other was skipped unparsed.
		expect(doc.problems.byKind).toEqual({'malformed-json': 1});
		expect(doc.problems.items[0]).toMatchObject({line: 10});

		const r = byKey(ledger.records());
		// Tokens arrived on a rewrite of m-002: the last version counts. cached ⊂ input; thoughts billed as output.
		expect(r.get(`gemini:${S1}:m-002`)!.tokens).toMatchObject({input: 15230, cacheRead: 12800, output: 752, reasoning: 540, total: 15982});
		// tool tokens are input; a $rewindTo does not un-bill m-003.
		expect(r.get(`gemini:${S1}:m-003`)!.tokens).toMatchObject({input: 1025, output: 50});
		// Absent keys stay null, and coverage says so.
		const m4 = r.get(`gemini:${S1}:m-004`)!;
		expect(m4.tokens).toMatchObject({input: 2000, cacheRead: null, output: 100, reasoning: null, total: 2100});
		expect(m4.coverage).toMatchObject({hasInputTokens: true, hasCacheReadTokens: false, hasReasoningTokens: false, hasCacheCreateTokens: false});
		// A message that only appears in $set.messages still counts.
		expect(r.get(`gemini:${S1}:m-005`)!.tokens).toMatchObject({input: 300, cacheRead: 100, output: 40, reasoning: 10});
		// total shows cached was outside input: it is added.
		expect(r.get(`gemini:${S1}:m-006`)!.tokens).toMatchObject({input: 700, cacheRead: 200, output: 40, total: 740});
		// JSON form: duplicate id, last wins; all-zero and token-less messages are skipped.
		expect(r.get(`gemini:${S2}:g-1`)!.tokens).toMatchObject({input: 810, cacheRead: 500, output: 110, reasoning: 20, total: 920});
		expect([...r.keys()].filter((k) => k.startsWith(`gemini:${S2}`))).toEqual([`gemini:${S2}:g-1`]);

		// Workspaces: a short name from projects.json, a SHA-256 dir from trustedFolders.json → an issue.
		expect(r.get(`gemini:${S1}:m-002`)!.workspace).toBe('/home/dev/acme-api');
		expect(r.get(`gemini:${S2}:g-1`)!.workspace).toBe('/home/dev/symphony_workspaces/ACME-7');
		expect(doc.byIssue['ACME-7']!.records).toBe(1);
		expect(doc.byRun[S1]!.records).toBe(5);
		expect(doc.byRun[S1]!.provider).toBe('google');
	});

	it('gives the same records when the JSONL arrives in pieces (resumable)', async () => {
		const path = join(geminiHome(), JSONL);
		const bytes = readFileSync(path);
		const whole = parseGeminiChunk(bytes, geminiJsonlSource.initialState(path), {path, offset: 0, line: 1});
		for (const cut of [1, 57, Math.floor(bytes.length / 2), bytes.length - 3]) {
			const first = parseGeminiChunk(bytes.subarray(0, cut), geminiJsonlSource.initialState(path), {path, offset: 0, line: 1});
			const rest = parseGeminiChunk(bytes.subarray(first.consumedBytes), first.state, {
				path,
				offset: first.consumedBytes,
				line: 1 + first.consumedLines,
			});
			expect([...first.records, ...rest.records]).toEqual(whole.records);
			expect(first.consumedBytes + rest.consumedBytes).toBe(bytes.length);
		}
		expect(whole.records).toHaveLength(6); // m-002 twice (line and $set), m-003..m-006
	});

	it('survives invalid UTF-8 and binary garbage in both forms', async () => {
		const home = geminiHome();
		const path = join(home, JSONL);
		const garbage = Buffer.concat([
			Buffer.from([0xff, 0xfe, 0x00, 0x01, 0xc3, 0x28, 0x0a]),
			Buffer.from('{"id":"m-utf","type":"gemini","model":"gemini-\xff\xfe","timestamp":"2026-10-02T11:05:00.000Z","tokens":{"input":9,"output":1}}\n', 'latin1'),
			Buffer.from([0x00, 0x22, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x73, 0x22, 0x9f, 0x0a]), // NUL"tokens"<bad byte>
			Buffer.alloc(200_000, 0xa5),
			Buffer.from('\n'),
		]);
		writeFileSync(path, Buffer.concat([readFileSync(path), garbage]));
		const {records, problems} = await readJsonl(path);
		expect(records.map((r) => r.key)).toContain(`gemini:${S1}:m-utf`);
		expect(records).toHaveLength(7);
		expect(problems).toHaveLength(2); // m-bad and the NUL"tokens" line; pure garbage is never parsed

		const jsonPath = join(dir, 'chats', 'session-bad.json');
		mkdirSync(join(dir, 'chats'));
		writeFileSync(jsonPath, Buffer.concat([Buffer.from('{"messages":[{"tokens":'), Buffer.alloc(1000, 0xff)]));
		const bad = await readGeminiJson(jsonPath);
		expect(bad.records).toEqual([]);
		expect(bad.problems.map((p) => p.kind)).toEqual(['malformed-json']);
		writeFileSync(jsonPath, '["tokens"]');
		expect((await readGeminiJson(jsonPath)).problems.map((p) => p.kind)).toEqual(['unsupported-format']);
	});

	it('names a headerless session after its file', async () => {
		const path = join(dir, 'session-2026-10-03T09-00-abcd1234.jsonl');
		writeFileSync(path, '{"id":"x-1","timestamp":"2026-10-03T09:00:01.000Z","type":"gemini","tokens":{"input":10,"output":2,"cached":0,"thoughts":0,"tool":0,"total":12}}\n');
		const {records} = await readJsonl(path);
		expect(records.map((r) => [r.key, r.runId, r.workspace])).toEqual([
			['gemini:session-2026-10-03T09-00-abcd1234:x-1', 'session-2026-10-03T09-00-abcd1234', null],
		]);
	});
});

describe('Gemini discovery', () => {
	const rootPaths = (flags: Record<string, string[]>, env: NodeJS.ProcessEnv = {}) =>
		discoverSources({cwd: dir, home: join(dir, 'nohome'), env, flags}, [geminiDefinition]).roots.map((r) => [r.path, r.via]);

	it('accepts the home, ~/.gemini or ~/.gemini/tmp, like GEMINI_CLI_HOME', () => {
		const home = geminiHome();
		const tmp = join(home, 'tmp');
		expect(rootPaths({geminiDir: [home]})).toEqual([[tmp, '--gemini-dir']]);
		expect(rootPaths({geminiDir: [tmp]})).toEqual([[tmp, '--gemini-dir']]);
		expect(rootPaths({geminiDir: [dir]})).toEqual([[tmp, '--gemini-dir']]);
		expect(rootPaths({}, {GEMINI_CLI_HOME: dir})).toEqual([[tmp, 'GEMINI_CLI_HOME']]);
		expect(rootPaths({}, {GEMINI_CLI_HOME: home})).toEqual([[tmp, 'GEMINI_CLI_HOME']]);
		const def = discoverSources({cwd: dir, home: dir, env: {}, flags: {}}, [geminiDefinition]);
		expect(def.roots.map((r) => r.via)).toEqual(['default: ~/.gemini/tmp']);
	});

	it('matches chats only (not logs.json), from any of those roots', () => {
		expect(geminiDefinition.matches('acme-api/chats/session-1.jsonl')).toBe(true);
		expect(geminiDefinition.matches('abc/chats/session-1.json')).toBe(true);
		expect(geminiDefinition.matches('chats/session-1.json')).toBe(true);
		expect(geminiDefinition.matches('session-1.jsonl')).toBe(true);
		expect(geminiDefinition.matches('acme-api/logs.json')).toBe(false);
		expect(geminiDefinition.matches('acme-api/checkpoint-x.json')).toBe(false);
	});
});
