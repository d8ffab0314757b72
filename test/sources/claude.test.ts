import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {claudeDefinition} from '../../source/sources/claude-definition.js';
import {claudeTokens, parseClaudeChunk, claudePathState} from '../../source/sources/claude.js';
import {collectSummary} from '../../source/ingest/read-once.js';
import {collect, FIXTURES, tempDir, tok, writeLines} from './helpers.js';

const HOME = path.join(FIXTURES, 'claude', 'home');
const A = '3c1e0f7a-0000-4000-8000-00000000a001';

describe('Claude Code transcripts: the fixture home', () => {
	it('counts each API response once, with exact totals by model, run and issue', async () => {
		const {doc} = await collect(HOME);
		// msg_A1 (streamed, 187 out), msg_A2 (no requestId, copied into a resumed session), msg_A3 +
		// its advisor iteration, msg_S1 (sub-agent), msg_W1 (workflow sub-agent), msg_B1, msg_C1.
		expect(tok(doc.totals)).toEqual({records: 8, input: 24313, cacheRead: 22011, cacheWrite: 1970, output: 354, reasoning: null, total: 24667});
		expect(tok(doc.byModel['claude-sonnet-4-6'])).toEqual({records: 5, input: 23996, cacheRead: 22011, cacheWrite: 1970, output: 291, reasoning: null, total: 24287});
		expect(tok(doc.byModel['claude-haiku-4-5'])).toEqual({records: 2, input: 17, cacheRead: 0, cacheWrite: 0, output: 23, reasoning: null, total: 40});
		// The advisor call carries no cache fields: unknown, not zero.
		expect(tok(doc.byModel['claude-opus-4-6'])).toEqual({records: 1, input: 300, cacheRead: null, cacheWrite: null, output: 40, reasoning: null, total: 340});
		expect(doc.byRun[A]!.records).toBe(6);
		expect(tok(doc.byRun[A])!.total).toBe(24387);
		expect(tok(doc.byRun['3c1e0f7a-0000-4000-8000-00000000b002'])!.total).toBe(220);
		expect(tok(doc.byIssue['MT-7'])).toEqual({records: 1, input: 51, cacheRead: 0, cacheWrite: 50, output: 9, reasoning: null, total: 60});
		expect(doc.byIssue['(none)']!.records).toBe(7);
		expect(doc.bySource.claude!.records).toBe(8);
	});

	it('reads both default roots, recursing into subagents/ and subagents/workflows/', async () => {
		const {doc} = await collect(HOME);
		const claude = doc.sources.filter((s) => s.kind === 'claude');
		expect(claude.map((s) => [path.relative(HOME, s.path), s.files])).toEqual([
			['.claude/projects', 4],
			['.config/claude/projects', 1],
		]);
	});

	it('reports a broken usage line as a problem and ignores binary garbage', async () => {
		const {doc} = await collect(HOME);
		expect(doc.problems.byKind).toEqual({'malformed-json': 1});
		expect(doc.problems.items[0]!.line).toBe(11);
	});

	it('emits tool calls, tool errors and API errors as activity', async () => {
		const {events} = await collect(HOME);
		const kinds = events.map((e) => `${e.kind}:${e.name}`);
		expect(kinds).toEqual(['tool_call:Bash', 'tool_result:tool_result', 'error:api_error']);
		expect(events[1]!.ok).toBe(false);
		expect(events.every((e) => e.detail.length <= 200)).toBe(true);
	});

	it('--claude-dir takes a config dir or its projects/, and turns default discovery off', async () => {
		const a = await collect(tempDir(), {claudeDir: [path.join(HOME, '.claude')]});
		const b = await collect(tempDir(), {claudeDir: [path.join(HOME, '.claude', 'projects')]});
		expect(a.doc.totals.records).toBe(7);
		expect(b.doc.totals.records).toBe(7);
		expect(a.doc.sources.map((s) => s.path)).toEqual([path.join(HOME, '.claude', 'projects')]);
	});

	it('CLAUDE_CONFIG_DIR is a comma list of config or projects dirs, replacing the defaults', async () => {
		const env = {CLAUDE_CONFIG_DIR: `${path.join(HOME, '.claude')},${path.join(HOME, '.config', 'claude', 'projects')}`};
		const {doc} = await collect(tempDir(), {}, env);
		expect(doc.totals.records).toBe(8);
		const roots = claudeDefinition.roots({cwd: '/', home: '/nowhere', env, flags: {}, exists: fs.existsSync}, 'default');
		expect(roots.every((r) => r.explicit && r.via === 'CLAUDE_CONFIG_DIR')).toBe(true);
	});
});

describe('Claude Code: pitfalls one at a time', () => {
	const at = (path: string) => ({path, offset: 0, line: 1});
	const line = (o: object) => Buffer.from(JSON.stringify(o) + '\n');
	const asst = (id: string, usage: object, extra: object = {}) => ({
		type: 'assistant',
		sessionId: 's1',
		timestamp: '2026-10-02T09:00:00.000Z',
		cwd: '/w',
		message: {id, model: 'claude-sonnet-4-6', usage, content: []},
		...extra,
	});

	it('uses the 5m/1h split and treats an unsplit creation as 5m', () => {
		expect(claudeTokens({input_tokens: 1, cache_creation_input_tokens: 30, cache_read_input_tokens: 0, output_tokens: 2, cache_creation: {ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 20}})).toMatchObject({input: 31, cacheWrite: 30, cacheWrite5m: 10, cacheWrite1h: 20, total: 33});
		expect(claudeTokens({input_tokens: 1, cache_creation_input_tokens: 30, cache_read_input_tokens: 5, output_tokens: 2})).toMatchObject({input: 36, cacheRead: 5, cacheWrite5m: 30, cacheWrite1h: 0});
		// Missing keys are unknown; explicit zeros are zero.
		expect(claudeTokens({output_tokens: 0})).toMatchObject({input: null, cacheRead: null, cacheWrite: null, output: 0, total: null});
	});

	it('keys on message.id so streamed copies, requestId-less copies and sidechain replays collide', () => {
		const chunk = Buffer.concat([
			line(asst('m1', {input_tokens: 1, output_tokens: 1}, {requestId: 'r1'})),
			line(asst('m1', {input_tokens: 1, output_tokens: 9})),
			line(asst('m1', {input_tokens: 1, output_tokens: 9}, {requestId: 'r2', isSidechain: true})),
		]);
		const r = parseClaudeChunk(chunk, claudePathState('/p/s1.jsonl'), at('/p/s1.jsonl'));
		expect(new Set(r.records.map((x) => x.key))).toEqual(new Set(['claude:m1']));
		expect(r.records[2]!.meta?.sidechain).toBe(true);
	});

	it('does not parse lines without "usage" (pre-filter) and skips <synthetic>', () => {
		const chunk = Buffer.concat([
			Buffer.from('{"type":"user","message":{"content":"no usage here"\n'), // broken, but never parsed
			line(asst('m2', {input_tokens: 0, output_tokens: 0}, {message: {id: 'm2', model: '<synthetic>', usage: {input_tokens: 0, output_tokens: 0}}})),
		]);
		const r = parseClaudeChunk(chunk, claudePathState('/p/s1.jsonl'), at('/p/s1.jsonl'));
		expect(r.records).toEqual([]);
		expect(r.problems).toEqual([]);
	});

	it('takes the session from the path for sub-agent files without sessionId', () => {
		expect(claudePathState('/x/proj/S9/subagents/workflows/wf/agent-a7.jsonl')).toEqual({pathSession: 'S9', pathAgent: 'a7'});
		expect(claudePathState('/x/proj/S9.jsonl')).toEqual({pathSession: 'S9', pathAgent: null});
	});

	it('survives a line longer than the reader limit, invalid UTF-8 and a partial last line', async () => {
		const dir = tempDir();
		const file = path.join(dir, 'projects', 'p', 's1.jsonl');
		fs.mkdirSync(path.dirname(file), {recursive: true});
		const fd = fs.openSync(file, 'w');
		const big = Buffer.alloc(8 * 1024 * 1024, 0x61);
		fs.writeSync(fd, '{"usage":"');
		for (let i = 0; i < 9; i++) fs.writeSync(fd, big); // 72 MB on one line
		fs.writeSync(fd, '"}\n');
		fs.writeSync(fd, Buffer.from([0xff, 0xfe, 0x22, 0x75, 0x73, 0x61, 0x67, 0x65, 0x22, 0xc3, 0x28, 0x0a]));
		fs.writeSync(fd, JSON.stringify(asst('ok1', {input_tokens: 10, output_tokens: 5})) + '\n');
		fs.writeSync(fd, JSON.stringify(asst('ok2', {input_tokens: 10, output_tokens: 5})).slice(0, 40));
		fs.closeSync(fd);
		const {doc} = await collect(tempDir(), {claudeDir: [path.join(dir, 'projects')]});
		expect(tok(doc.totals)).toMatchObject({records: 1, input: 10, output: 5});
		expect(doc.problems.byKind).toEqual({'line-too-long': 1, 'malformed-json': 1, 'incomplete-line': 1});
	});

	it('--issue-pattern attributes a session by its working directory', async () => {
		const dir = tempDir();
		writeLines(path.join(dir, 'projects', 'p', 's1.jsonl'), [asst('m9', {input_tokens: 3, output_tokens: 4}, {cwd: '/srv/agents/PROJ-42/repo'})]);
		const plain = await collect(tempDir(), {claudeDir: [dir]});
		expect(Object.keys(plain.doc.byIssue)).toEqual(['(none)']);
		const {doc} = await collect(tempDir(), {claudeDir: [dir]}, {}, [/\/agents\/([A-Z]+-\d+)/]);
		expect(tok(doc.byIssue['PROJ-42'])).toMatchObject({records: 1, total: 7});
	});

	it('the index keeps the record as read: an issue found by a pattern is not kept for a run without it', async () => {
		const dir = tempDir();
		writeLines(path.join(dir, 'projects', 'p', 's1.jsonl'), [asst('m9', {input_tokens: 3, output_tokens: 4}, {cwd: '/srv/agents/PROJ-42/repo'})]);
		const home = tempDir();
		const cacheDir = tempDir();
		const read = (issuePatterns?: RegExp[]) =>
			collectSummary({discovery: {cwd: home, home, env: {}, flags: {claudeDir: [dir]}}, issuePatterns, cacheDir, now: new Date('2026-11-01T00:00:00Z')});
		const patterned = await read([/\/agents\/([A-Z]+-\d+)/]);
		expect(Object.keys(patterned.doc.byIssue)).toEqual(['PROJ-42']);
		expect(patterned.engine.stats.restoredFiles).toBe(0);
		const plain = await read();
		expect(plain.engine.stats.restoredFiles).toBe(1);
		expect(Object.keys(plain.doc.byIssue)).toEqual(['(none)']);
		const again = await read([/\/agents\/([A-Z]+-\d+)/]);
		expect(Object.keys(again.doc.byIssue)).toEqual(['PROJ-42']);
	});
});
