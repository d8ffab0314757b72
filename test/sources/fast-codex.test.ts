/**
 * The Codex envelope check against the reference (`JSON.parse` of every line): same records,
 * events and problems on well-formed lines whatever the key order, spacing or escapes; on damaged
 * lines the same records and events, and no problem the reference does not report.
 */
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {codexEnvelope, ENVELOPE_PARSE, ENVELOPE_SKIP, ENVELOPE_UNSURE} from '../../source/sources/codex-envelope.js';
import {codexInitialState, parseCodexChunk} from '../../source/sources/codex.js';
import {chance, damaged, int, jsonlFiles, ordered, pick, rng, serialize, shuffle, tricky, type Rand} from './fuzz.js';
import {FIXTURES} from './helpers.js';

const FILE = '/x/rollout-2026-10-05T10-00-00-0199c0de-0000-7000-8000-00000000ffff.jsonl';

function both(text: string | Buffer, file = FILE) {
	const chunk = typeof text === 'string' ? Buffer.from(text) : text;
	const at = {path: file, offset: 0, line: 1};
	return {fast: parseCodexChunk(chunk, codexInitialState(file), at), reference: parseCodexChunk(chunk, codexInitialState(file), at, true)};
}

const usage = (n: number) => ({input_tokens: 100 * n, cached_input_tokens: 10 * n, output_tokens: 5 * n, reasoning_output_tokens: n, total_tokens: 105 * n});

function payload(r: Rand, n: number): [string, Record<string, unknown>] {
	switch (int(r, 0, 11)) {
		case 0:
			return ['session_meta', {id: '0199c0de-0000-7000-8000-00000000abcd', cwd: '/w', model_provider: 'openai', base_instructions: {text: tricky(r)}, ...(chance(r, 0.3) ? {forked_from_id: 'p-1'} : {})}];
		case 1:
			return ['turn_context', {cwd: '/w', model: pick(r, ['gpt-5.4', 'gpt-5.3-codex']), effort: 'high'}];
		case 2:
		case 3:
			return ['event_msg', {type: 'token_count', info: chance(r, 0.2) ? null : {total_token_usage: usage(n), last_token_usage: usage(1)}, rate_limits: {primary: {used_percent: n % 100, window_minutes: 300, resets_at: 1791000000}, secondary: null}}];
		case 4:
			return ['event_msg', {type: 'exec_command_end', call_id: 'c', command: ['npm', tricky(r)], exit_code: int(r, 0, 1)}];
		case 5:
			return ['event_msg', {type: 'thread_settings_applied', thread_settings: {model: 'gpt-5.5'}}];
		case 6:
			return ['event_msg', {type: pick(r, ['agent_message', 'user_message']), message: tricky(r)}];
		case 7:
			return ['response_item', {type: 'function_call', name: 'exec_command', arguments: JSON.stringify({cmd: tricky(r)}), call_id: 'c'}];
		case 8:
			return ['response_item', {type: 'function_call_output', call_id: 'c', output: tricky(r).repeat(int(r, 1, 30))}];
		case 9:
			return ['response_item', {type: pick(r, ['message', 'reasoning']), content: [{type: 'output_text', text: tricky(r)}]}];
		case 10:
			return ['token_usage_record', {response_id: `resp_${n}`, usage: usage(n + 1), model: 'gpt-5.4'}];
		default:
			return [pick(r, ['compacted', 'unknown_kind']), {type: 'token_count', message: tricky(r)}];
	}
}

function lines(seed: number, count: number): string[] {
	const r = rng(seed);
	const out: string[] = [];
	for (let n = 1; n <= count; n++) {
		const [type, p] = payload(r, n);
		// The payload's own type first (as written), or elsewhere in it.
		const body = chance(r, 0.15) ? ordered(p, shuffle(r, Object.keys(p))) : p;
		const row: Record<string, unknown> = {
			timestamp: chance(r, 0.03) ? 'nope' : `2026-10-05T10:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}.000Z`,
			type,
			payload: body,
		};
		if (chance(r, 0.1)) row.ordinal = n;
		const order = chance(r, 0.15) ? shuffle(r, Object.keys(row)) : Object.keys(row);
		let line = serialize(r, ordered(row, order));
		// Escaped type names (same value once parsed).
		if (chance(r, 0.05)) line = line.replace('"event_msg"', '"event\\u005fmsg"').replace('"token_count"', '"token\\u005fcount"');
		out.push(line);
	}
	return out;
}

describe('Codex envelope check = JSON.parse of every line', () => {
	it('classifies the usual envelope from its first bytes', () => {
		const v = (o: object) => {
			const b = Buffer.from(JSON.stringify(o));
			return codexEnvelope(b, 0, b.length);
		};
		const ts = '2026-10-05T10:00:00.000Z';
		expect(v({timestamp: ts, type: 'event_msg', payload: {type: 'token_count'}})).toBe(ENVELOPE_PARSE);
		expect(v({timestamp: ts, type: 'response_item', payload: {type: 'function_call_output', output: '"type":"function_call"'}})).toBe(ENVELOPE_SKIP);
		expect(v({timestamp: ts, type: 'response_item', payload: {type: 'function_call'}})).toBe(ENVELOPE_PARSE);
		expect(v({timestamp: ts, type: 'session_meta', payload: {}})).toBe(ENVELOPE_PARSE);
		expect(v({timestamp: ts, type: 'compacted', payload: {type: 'token_count'}})).toBe(ENVELOPE_SKIP);
		expect(v({payload: {type: 'token_count'}, type: 'event_msg', timestamp: ts})).toBe(ENVELOPE_UNSURE);
		expect(v({timestamp: ts, type: 'event_msg', payload: {info: {}, type: 'token_count'}})).toBe(ENVELOPE_UNSURE);
	});

	it('on every fixture rollout', () => {
		const files = jsonlFiles(path.join(FIXTURES, 'codex'));
		expect(files.length).toBeGreaterThan(3);
		for (const file of files) {
			const {fast, reference} = both(fs.readFileSync(file), file);
			expect(fast.records).toEqual(reference.records);
			expect(fast.events).toEqual(reference.events);
			expect(fast.problems).toEqual(reference.problems);
			expect(fast.state).toEqual(reference.state);
		}
	});

	for (const seed of [1, 2, 3, 4, 5]) {
		it(`on generated well-formed lines (seed ${seed})`, () => {
			const {fast, reference} = both(lines(seed, 500).join('\n') + '\n');
			expect(reference.records.length).toBeGreaterThan(20);
			expect(fast.records).toEqual(reference.records);
			expect(fast.events).toEqual(reference.events);
			expect(fast.problems).toEqual(reference.problems);
			expect(fast.state).toEqual(reference.state);
		});
	}

	it('on truncated and glued lines: same records and events, and no problem the reference lacks', () => {
		const r = rng(42);
		const good = lines(9, 600);
		const text = good.map((line, k) => (chance(r, 0.3) ? damaged(r, line, good[(k + 1) % good.length]!) : line)).join('\n') + '\n';
		const {fast, reference} = both(text);
		expect(fast.records).toEqual(reference.records);
		expect(fast.events).toEqual(reference.events);
		for (const p of fast.problems) expect(reference.problems).toContainEqual(p);
	});
});
