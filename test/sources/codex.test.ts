import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {codexInitialState, parseCodexChunk} from '../../source/sources/codex.js';
import {collect, FIXTURES, tempDir, tok, writeLines} from './helpers.js';

const HOME = path.join(FIXTURES, 'codex', 'home');
const A1 = '0199c0de-0000-7000-8000-0000000000a1';
const DAY = path.join(HOME, '.codex', 'sessions', '2026', '10', '02');

const tu = (i: number, c: number, o: number, r: number, t: number) => ({input_tokens: i, cached_input_tokens: c, output_tokens: o, reasoning_output_tokens: r, total_tokens: t});
const tc = (ts: string, total: object | null, last: object | null) => ({timestamp: ts, type: 'event_msg', payload: {type: 'token_count', info: {total_token_usage: total, last_token_usage: last}, rate_limits: null}});
const meta = (id: string, extra: object = {}) => ({timestamp: '2026-10-05T10:00:00.000Z', type: 'session_meta', payload: {id, cwd: '/w', ...extra}});
const ctx = (ts: string, model: string) => ({timestamp: ts, type: 'turn_context', payload: {cwd: '/w', model}});

async function one(rows: object[], name = 'rollout-2026-10-05T10-00-00-0199c0de-0000-7000-8000-00000000ffff.jsonl') {
	const dir = tempDir();
	writeLines(path.join(dir, 'sessions', name), rows);
	return collect(tempDir(), {codexDir: [dir]});
}

describe('Codex rollouts: the fixture home', () => {
	it('counts each model response once, with exact totals by model, run and issue', async () => {
		const {doc} = await collect(HOME);
		expect(tok(doc.totals)).toEqual({records: 8, input: 86500, cacheRead: 63000, cacheWrite: 300, output: 2150, reasoning: 930, total: 88650});
		expect(tok(doc.byModel['gpt-5.3-codex'])).toEqual({records: 2, input: 50000, cacheRead: 40000, cacheWrite: null, output: 1000, reasoning: 500, total: 51000});
		expect(tok(doc.byModel['gpt-5.4'])).toEqual({records: 2, input: 31000, cacheRead: 20500, cacheWrite: null, output: 600, reasoning: 250, total: 31600});
		expect(tok(doc.byModel['gpt-5.3-codex-mini'])).toEqual({records: 1, input: 2000, cacheRead: 1000, cacheWrite: null, output: 200, reasoning: 100, total: 2200});
		expect(tok(doc.byModel['gpt-5.6'])).toEqual({records: 2, input: 3000, cacheRead: 1500, cacheWrite: 300, output: 300, reasoning: 80, total: 3300});
		expect(tok(doc.byModel['gpt-5'])).toEqual({records: 1, input: 500, cacheRead: 0, cacheWrite: null, output: 50, reasoning: 0, total: 550});
		// The spawned sub-agent's own call belongs to its parent's run.
		expect(tok(doc.byRun[A1])).toMatchObject({records: 4, input: 82000, output: 1700, total: 83700});
		expect(tok(doc.byRun['0199c0de-0000-7000-8000-0000000000b2'])).toMatchObject({records: 1, total: 1100});
		expect(tok(doc.byIssue['MT-9'])).toMatchObject({records: 5, total: 84800});
		expect(tok(doc.byIssue['(none)'])).toMatchObject({records: 3, total: 3850});
		expect(doc.problems.count).toBe(0);
	});

	it('reads sessions/ and archived_sessions/ and counts a rollout in both once', async () => {
		const {doc} = await collect(HOME);
		expect(doc.sources.filter((s) => s.kind === 'codex').map((s) => [path.basename(s.path), s.files, s.records])).toEqual([
			['sessions', 5, 9],
			['archived_sessions', 1, 3],
		]);
	});

	it('--codex-dir takes a Codex home or its sessions/; CODEX_HOME too', async () => {
		const home = await collect(tempDir(), {codexDir: [path.join(HOME, '.codex')]});
		const sessions = await collect(tempDir(), {codexDir: [path.join(HOME, '.codex', 'sessions')]});
		const env = await collect(tempDir(), {}, {CODEX_HOME: path.join(HOME, '.codex')});
		expect(home.doc.totals.records).toBe(8);
		expect(sessions.doc.totals.records).toBe(8);
		expect(env.doc.totals.records).toBe(8);
		expect(sessions.doc.sources.filter((s) => s.kind === 'codex')).toHaveLength(1);
	});

	it('flags the fallback model and keeps rate limits as quota samples', async () => {
		const {ledger} = await collect(HOME);
		const records = [...ledger.records()];
		const fallback = records.filter((r) => r.meta?.modelInferred);
		expect(fallback.map((r) => r.model)).toEqual(['gpt-5']);
		const first = records.find((r) => r.origin.path.includes(A1) && r.tokens.total === 24740)!;
		expect(first.quota).toEqual({at: Date.parse('2026-10-02T10:00:09.100Z'), planType: null, windows: [{label: '5h', windowMinutes: 300, usedPercent: 12.4, resetsAt: 1791000000}]});
	});

	it('emits function calls and failed commands as activity', async () => {
		const {events} = await collect(tempDir(), {codexDir: [path.join(DAY, `rollout-2026-10-02T10-00-00-${A1}.jsonl`)]});
		expect(events.map((e) => [e.kind, e.name, e.ok])).toEqual([
			['tool_call', 'exec_command', undefined],
			['tool_result', 'exec_command', false],
		]);
	});
});

describe('Codex: pitfalls one at a time', () => {
	it('a fork whose parent file is gone: the replay burst is skipped but still sets the baseline', async () => {
		const {doc} = await collect(tempDir(), {codexDir: [path.join(DAY, 'rollout-2026-10-02T11-00-00-0199c0de-0000-7000-8000-0000000000b2.jsonl')]});
		expect(tok(doc.totals)).toMatchObject({records: 1, input: 1000, output: 100, total: 1100});
	});

	it('a spawned sub-agent whose parent is gone: replay skipped by subagent_history_start_ordinal', async () => {
		const {doc} = await collect(tempDir(), {codexDir: [path.join(DAY, 'rollout-2026-10-02T10-00-30-0199c0de-0000-7000-8000-0000000000c3.jsonl')]});
		expect(tok(doc.totals)).toMatchObject({records: 1, input: 2000, output: 200, total: 2200});
	});

	it('a resumed file inheriting the counter counts only its own growth', async () => {
		const {doc} = await one([
			meta('r1'),
			ctx('2026-10-05T10:00:01.000Z', 'gpt-5.4'),
			tc('2026-10-05T10:00:05.000Z', tu(90000, 0, 900, 0, 90900), tu(1000, 0, 10, 0, 1010)),
			tc('2026-10-05T10:00:09.000Z', tu(92000, 0, 920, 0, 92920), tu(2000, 0, 20, 0, 2020)),
		]);
		expect(tok(doc.totals)).toMatchObject({records: 2, input: 3000, output: 30, total: 3030});
	});

	it('a counter reset counts the last call, not the whole new total', async () => {
		const {doc} = await one([
			meta('r2'),
			ctx('2026-10-05T10:00:01.000Z', 'gpt-5.4'),
			tc('2026-10-05T10:00:05.000Z', tu(5000, 0, 50, 0, 5050), tu(5000, 0, 50, 0, 5050)),
			tc('2026-10-05T10:00:09.000Z', tu(700, 0, 7, 0, 707), tu(300, 0, 3, 0, 303)),
		]);
		expect(tok(doc.totals)).toMatchObject({records: 2, input: 5300, output: 53, total: 5353});
	});

	it('old builds with only last_token_usage: identical repeats are skipped', async () => {
		const last = tu(100, 40, 10, 2, 110);
		const {doc} = await one([meta('r3'), ctx('2026-10-05T10:00:01.000Z', 'gpt-5'), tc('2026-10-05T10:00:05.000Z', null, last), tc('2026-10-05T10:00:06.000Z', null, last), tc('2026-10-05T10:00:09.000Z', null, tu(200, 0, 20, 0, 220))]);
		expect(tok(doc.totals)).toMatchObject({records: 2, input: 300, cacheRead: 40, output: 30, reasoning: 2, total: 330});
	});

	it('normalizes: cached ⊂ input (clamped), reasoning ⊂ output, missing cache_write is unknown', async () => {
		const {doc} = await one([meta('r4'), ctx('2026-10-05T10:00:01.000Z', 'gpt-5.4'), tc('2026-10-05T10:00:05.000Z', tu(100, 150, 10, 4, 110), tu(100, 150, 10, 4, 110))]);
		expect(tok(doc.totals)).toEqual({records: 1, input: 100, cacheRead: 100, cacheWrite: null, output: 10, reasoning: 4, total: 110});
	});

	it('resumes across chunks: state carries the model and the previous total', () => {
		const file = '/x/rollout-2026-10-05T10-00-00-0199c0de-0000-7000-8000-00000000aaaa.jsonl';
		const rows = [meta('r5'), ctx('2026-10-05T10:00:01.000Z', 'gpt-5.4'), tc('2026-10-05T10:00:05.000Z', tu(10, 0, 1, 0, 11), tu(10, 0, 1, 0, 11))];
		const first = parseCodexChunk(Buffer.from(rows.map((r) => JSON.stringify(r) + '\n').join('')), codexInitialState(file), {path: file, offset: 0, line: 1});
		const more = Buffer.from(JSON.stringify(tc('2026-10-05T10:00:09.000Z', tu(30, 0, 3, 0, 33), tu(20, 0, 2, 0, 22))) + '\n');
		const second = parseCodexChunk(more, first.state, {path: file, offset: 100, line: 4});
		expect(second.records.map((r) => [r.model, r.tokens.total])).toEqual([['gpt-5.4', 22]]);
	});

	it('never parses lines that cannot carry usage', () => {
		const file = '/x/rollout-x.jsonl';
		const junk = Buffer.from('{"type":"response_item","payload":{"type":"message","content":[{"text":"broken\n\x00\xff garbage line\n');
		const r = parseCodexChunk(junk, codexInitialState(file), {path: file, offset: 0, line: 1});
		expect(r.problems).toEqual([]);
		expect(r.consumedLines).toBe(2);
	});

	it('a gzipped archived rollout is read too', async () => {
		const dir = tempDir();
		const {gzipSync} = await import('node:zlib');
		const src = fs.readFileSync(path.join(DAY, `rollout-2026-10-02T10-00-00-${A1}.jsonl`));
		fs.mkdirSync(path.join(dir, 'archived_sessions'));
		fs.writeFileSync(path.join(dir, 'archived_sessions', `rollout-2026-10-02T10-00-00-${A1}.jsonl.gz`), gzipSync(src));
		const {doc} = await collect(tempDir(), {codexDir: [dir]});
		expect(tok(doc.totals)).toMatchObject({records: 3, total: 81500});
	});
});
