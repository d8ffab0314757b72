/**
 * The statusline's incremental session reader on real files: appends are read from the committed
 * offset, a half-written last line waits for its newline, a replaced or shrunk file is re-read and
 * what it no longer holds is retracted, sub-agent files count with their session.
 */
import {appendFileSync, mkdirSync, renameSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {sessionRecords} from '../../source/ingest/session-cost.js';
import {tempDir} from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({dir, cleanup} = tempDir()));
afterEach(() => cleanup());

const SESSION = 'aaaaaaaa-0000-4000-8000-000000000001';
const line = (id: string, output: number, extra: Record<string, unknown> = {}) =>
	JSON.stringify({type: 'assistant', sessionId: SESSION, timestamp: '2026-12-02T10:00:00.000Z', requestId: `req_${id}`, message: {id, model: 'claude-sonnet-4-6', role: 'assistant', usage: {input_tokens: 10, output_tokens: output}}, ...extra}) + '\n';

const outputs = (state: string, transcript: string) =>
	sessionRecords(state, transcript)!
		.records.map((r) => `${r.key}=${r.tokens.output}`)
		.sort();

describe('session records for the statusline', () => {
	it('appends, a partial last line, streamed copies, sub-agents, replacement and truncation', () => {
		const state = join(dir, 'state');
		const transcript = join(dir, `${SESSION}.jsonl`);
		writeFileSync(transcript, line('msg_1', 5) + line('msg_1', 50)); // streamed: the larger copy counts
		expect(outputs(state, transcript)).toEqual(['claude:msg_1=50']);
		appendFileSync(transcript, line('msg_2', 7).slice(0, 40)); // half written
		expect(outputs(state, transcript)).toEqual(['claude:msg_1=50']);
		appendFileSync(transcript, line('msg_2', 7).slice(40));
		expect(outputs(state, transcript)).toEqual(['claude:msg_1=50', 'claude:msg_2=7']);
		const sub = join(dir, SESSION, 'subagents');
		mkdirSync(sub, {recursive: true});
		writeFileSync(join(sub, 'agent-x.jsonl'), line('msg_3', 9, {isSidechain: true, agentId: 'x'}));
		expect(outputs(state, transcript)).toEqual(['claude:msg_1=50', 'claude:msg_2=7', 'claude:msg_3=9']);
		// Replaced by a file holding only msg_2 (a new inode): msg_1 is retracted.
		writeFileSync(`${transcript}.new`, line('msg_2', 7));
		renameSync(`${transcript}.new`, transcript);
		expect(outputs(state, transcript)).toEqual(['claude:msg_2=7', 'claude:msg_3=9']);
		// Truncated in place to nothing: its records go too.
		writeFileSync(transcript, '');
		expect(outputs(state, transcript)).toEqual(['claude:msg_3=9']);
		expect(sessionRecords(state, join(dir, 'missing.jsonl'))).toBeNull();
	});
});
