/**
 * Codex counting rules from real users' rollouts (issue 13), one fixture per rule, with exact
 * totals. The fixtures' READMEs describe the real shapes.
 */
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {collect, FIXTURES, tempDir, tok} from './helpers.js';

describe('implausible counts in token_count lines', () => {
	it('a 1e308 cumulative field or a negative call field is unknown and reported; the calls still add up', async () => {
		const {doc} = await collect(tempDir(), {codexDir: [path.join(FIXTURES, 'codex', 'implausible', '.codex')]});
		expect(tok(doc.totals)).toEqual({records: 6, input: 6000, cacheRead: 4800, cacheWrite: null, output: 300, reasoning: 120, total: 6300});
		expect(doc.problems.byKind).toEqual({'invalid-record': 3});
		expect(doc.problems.items.map((p) => [p.line, p.field])).toEqual([
			[4, 'payload.info.total_token_usage.input_tokens'],
			[6, 'payload.info.last_token_usage.output_tokens'],
			[7, 'payload.info.total_token_usage.total_tokens'],
		]);
		expect(doc.problems.items.every((p) => p.path.endsWith('rollout-2026-10-06T09-00-00-0199c0de-0000-7000-8000-0000000000f6.jsonl'))).toBe(true);
	});
});
