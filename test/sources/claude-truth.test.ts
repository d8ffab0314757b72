/**
 * Claude Code counting rules from real users' transcripts (issue 13), one fixture per rule, each
 * with exact totals. The fixtures' READMEs describe the real shapes.
 */
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
