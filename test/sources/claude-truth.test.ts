/**
 * Claude Code counting rules from real users' transcripts (issue 13), one fixture per rule, each
 * with exact totals. The fixtures' READMEs describe the real shapes.
 */
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {collect, FIXTURES, tempDir, tok} from './helpers.js';

const fixture = (name: string) => path.join(FIXTURES, 'claude', name, '.claude', 'projects');

describe('a /btw side question: same-request sidechain copies', () => {
	it('the sidechain copy of the same request wins on size; a replay of another request loses', async () => {
		const {doc, ledger} = await collect(tempDir(), {claudeDir: [fixture('aside-question')]});
		expect(tok(doc.totals)).toEqual({records: 4, input: 74212, cacheRead: 73600, cacheWrite: 600, output: 801, reasoning: null, total: 75013});
		const out = Object.fromEntries([...ledger.records()].map((r) => [r.key, r.tokens.output]));
		expect(out).toEqual({'claude:msg_D1': 611, 'claude:msg_D2': 120, 'claude:msg_D3': 25, 'claude:msg_Q1': 45});
		expect(doc.problems.count).toBe(0);
	});
});

describe('implausible counts: unknown, reported with file:line, never taken as is', () => {
	it('Claude: 1e308, negative, fractional and string counts leave the field unknown', async () => {
		const {doc} = await collect(tempDir(), {claudeDir: [fixture('implausible')]});
		expect(tok(doc.totals)).toEqual({records: 6, input: 3516, cacheRead: 3700, cacheWrite: 110, output: 89, reasoning: null, total: 1570});
		// Unknown, not zero: the fields that were rejected are counted as missing.
		expect(doc.totals.tokens.input!.missing).toBe(3);
		expect(doc.totals.tokens.output!.missing).toBe(1);
		expect(doc.totals.tokens.total!.missing).toBe(4);
		expect(doc.problems.byKind).toEqual({'invalid-record': 6});
		const items = doc.problems.items.map((p) => [path.basename(p.path), p.line, p.field]);
		expect(items).toEqual([
			['5b2e0f7a-0000-4000-8000-0000000000e1.jsonl', 2, 'costUSD'],
			['5b2e0f7a-0000-4000-8000-0000000000e1.jsonl', 3, 'message.usage.output_tokens'],
			['5b2e0f7a-0000-4000-8000-0000000000e1.jsonl', 4, 'message.usage.cache_read_input_tokens'],
			['5b2e0f7a-0000-4000-8000-0000000000e1.jsonl', 5, 'message.usage.input_tokens'],
			['5b2e0f7a-0000-4000-8000-0000000000e1.jsonl', 6, 'message.usage.input_tokens'],
			['5b2e0f7a-0000-4000-8000-0000000000e1.jsonl', 7, 'message.usage.cache_creation.ephemeral_1h_input_tokens'],
		]);
		expect(doc.problems.items[1]!.reason).toContain('1e+308');
	});
});

describe('sub-agent messages embedded in the parent as agent_progress lines', () => {
	const S = '5b2e0f7a-0000-4000-8000-0000000000c7';
	const expected = {records: 4, input: 34464, cacheRead: 29000, cacheWrite: 5450, output: 335, reasoning: null, total: 34799};

	it('the parent file alone (an export) counts the sub-agent messages', async () => {
		const dir = tempDir();
		const dest = path.join(dir, 'projects', '-home-dev-acme-api', `${S}.jsonl`);
		fs.mkdirSync(path.dirname(dest), {recursive: true});
		fs.copyFileSync(path.join(fixture('progress-embedded'), '-home-dev-acme-api', `${S}.jsonl`), dest);
		const {doc} = await collect(tempDir(), {claudeDir: [path.join(dir, 'projects')]});
		expect(tok(doc.totals)).toEqual(expected);
		expect(tok(doc.byModel['claude-haiku-4-5'])).toEqual({records: 2, input: 8710, cacheRead: 4200, cacheWrite: 4500, output: 200, reasoning: null, total: 8910});
		expect(doc.byRun[S]!.records).toBe(4);
		expect(doc.problems.count).toBe(0);
	});

	it('with the subagents/ file too, each message counts once', async () => {
		const {doc, ledger} = await collect(tempDir(), {claudeDir: [fixture('progress-embedded')]});
		expect(tok(doc.totals)).toEqual(expected);
		const s1 = [...ledger.records()].find((r) => r.key === 'claude:msg_S1')!;
		expect(s1.tokens.output).toBe(140);
		expect(s1.meta).toMatchObject({sidechain: true, agentId: 'a7c1'});
	});
});
