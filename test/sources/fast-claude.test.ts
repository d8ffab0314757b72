/**
 * The Claude fast paths (type on raw bytes, assistant lines read without parsing their content)
 * against the reference (`JSON.parse` of every line): same records and events, always; same
 * problems wherever the lines are valid JSON.
 */
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {claudePathState, parseClaudeChunk} from '../../source/sources/claude.js';
import {claudeLineType, LINE_ASSISTANT, LINE_UNKNOWN, skimAssistant} from '../../source/sources/claude-skim.js';
import {chance, damaged, int, jsonlFiles, ordered, pick, rng, serialize, shuffle, tricky, type Rand} from './fuzz.js';
import {FIXTURES} from './helpers.js';

const FILE = '/p/proj/3c1e0f7a-0000-4000-8000-0000000000f1.jsonl';

function both(text: string | Buffer, file = FILE) {
	const chunk = typeof text === 'string' ? Buffer.from(text) : text;
	const at = {path: file, offset: 0, line: 1};
	return {fast: parseClaudeChunk(chunk, claudePathState(file), at), reference: parseClaudeChunk(chunk, claudePathState(file), at, true)};
}

const TOP_ORDERS = {
	bench: ['type', 'uuid', 'isSidechain', 'sessionId', 'cwd', 'version', 'userType', 'timestamp', 'requestId', 'message'],
	real: ['parentUuid', 'isSidechain', 'userType', 'cwd', 'sessionId', 'version', 'gitBranch', 'message', 'requestId', 'type', 'uuid', 'timestamp'],
	userReal: ['parentUuid', 'isSidechain', 'userType', 'cwd', 'sessionId', 'version', 'gitBranch', 'type', 'message', 'uuid', 'timestamp', 'toolUseResult'],
};
const MSG_ORDERS = [
	['model', 'id', 'type', 'role', 'content', 'stop_reason', 'stop_sequence', 'usage'],
	['id', 'type', 'role', 'model', 'content', 'stop_reason', 'usage'],
	['usage', 'content', 'id', 'model'],
	['content', 'usage', 'model', 'id', 'stop_reason'],
];

function usage(r: Rand): unknown {
	if (chance(r, 0.03)) return pick(r, [null, 5, 'usage', []]);
	const u: Record<string, unknown> = {input_tokens: int(r, 0, 50), output_tokens: int(r, 0, 4000)};
	if (chance(r, 0.8)) u.cache_read_input_tokens = int(r, 0, 180_000);
	if (chance(r, 0.7)) u.cache_creation_input_tokens = int(r, 0, 8000);
	if (chance(r, 0.5)) u.cache_creation = {ephemeral_5m_input_tokens: int(r, 0, 100), ephemeral_1h_input_tokens: int(r, 0, 8000)};
	if (chance(r, 0.5)) u.service_tier = pick(r, ['standard', 'priority', null]);
	if (chance(r, 0.1)) u.speed = 'fast';
	if (chance(r, 0.1)) u.iterations = [{type: 'advisor_message', model: 'claude-opus-4-6', input_tokens: 300, output_tokens: 40}, {type: 'other'}];
	if (chance(r, 0.05)) u.output_tokens = pick(r, [1.5, 1e308, -5, '12']);
	if (chance(r, 0.03)) u.cache_read_input_tokens = pick(r, [1e20, -1]);
	return ordered(u, shuffle(r, Object.keys(u)));
}

function block(r: Rand): unknown {
	switch (int(r, 0, 4)) {
		case 0:
			return {type: 'thinking', thinking: tricky(r), signature: 'sig'};
		case 1:
			return {type: 'tool_use', id: 'toolu_1', name: pick(r, ['Bash', 'Edit', 'Read']), input: pick(r, [{command: tricky(r)}, {usage: {input_tokens: 1}, message: 'x'}, {list: [1, [2, {a: tricky(r)}]]}])};
		case 2:
			return {type: 'text', text: tricky(r)};
		case 3:
			return {type: 'text', text: `${tricky(r)}`.repeat(int(r, 1, 40))};
		default:
			return {type: 'tool_result', tool_use_id: 'toolu_1', is_error: chance(r, 0.5), content: tricky(r)};
	}
}

function assistant(r: Rand, n: number): Record<string, unknown> {
	const model = chance(r, 0.08) ? '<synthetic>' : chance(r, 0.03) ? undefined : pick(r, ['claude-sonnet-4-6', 'claude-opus-4-6', 'clåude-ü']);
	const message: Record<string, unknown> = {
		model,
		id: chance(r, 0.05) ? pick(r, ['', 7, undefined]) : chance(r, 0.1) ? `msg_"q\\${n}` : `msg_${n % 7}`,
		type: 'message',
		role: 'assistant',
		content: Array.from({length: int(r, 0, 3)}, () => block(r)),
		stop_reason: pick(r, [null, 'end_turn', 'tool_use']),
		stop_sequence: null,
		usage: usage(r),
	};
	const row: Record<string, unknown> = {
		parentUuid: null,
		isSidechain: chance(r, 0.2),
		userType: 'external',
		cwd: chance(r, 0.1) ? `/home/dév/"odd"\\path` : '/home/dev/api',
		sessionId: chance(r, 0.1) ? undefined : 's-1',
		version: '2.1.240',
		gitBranch: 'main',
		type: 'assistant',
		message: ordered(message, pick(r, MSG_ORDERS)),
		requestId: chance(r, 0.2) ? undefined : `req_${n % 5}`,
		uuid: `u-${n}`,
		timestamp: chance(r, 0.03) ? pick(r, ['not a time', 12, undefined]) : `2026-10-02T09:${String(n % 60).padStart(2, '0')}:00.000Z`,
	};
	if (model === '<synthetic>') row.isApiErrorMessage = chance(r, 0.8);
	if (chance(r, 0.1)) row.agentId = 'a-1';
	if (chance(r, 0.05)) row.costUSD = pick(r, [0.0123, 1e-7, 3]);
	const order = pick(r, ['bench', 'real', 'shuffled']);
	return ordered(row, order === 'shuffled' ? shuffle(r, Object.keys(row)) : TOP_ORDERS[order as 'bench' | 'real']);
}

function user(r: Rand, n: number): Record<string, unknown> {
	const row: Record<string, unknown> = {
		parentUuid: null,
		isSidechain: false,
		userType: 'external',
		cwd: '/home/dev/api',
		sessionId: 's-1',
		version: '2.1.240',
		gitBranch: 'main',
		type: 'user',
		message: {role: 'user', content: chance(r, 0.2) ? tricky(r) : Array.from({length: int(r, 1, 3)}, () => block(r))},
		uuid: `u-${n}`,
		timestamp: `2026-10-02T09:${String(n % 60).padStart(2, '0')}:30.000Z`,
	};
	if (chance(r, 0.3)) row.toolUseResult = {stdout: tricky(r), usage: {input_tokens: 5}, interrupted: false};
	const order = pick(r, ['bench', 'userReal', 'shuffled']);
	return ordered(row, order === 'shuffled' ? shuffle(r, Object.keys(row)) : TOP_ORDERS[order as 'bench' | 'userReal']);
}

function other(r: Rand, n: number): Record<string, unknown> {
	return pick(r, [
		{type: 'summary', summary: tricky(r), leafUuid: `u-${n}`},
		{type: 'system', content: `"usage":{"input_tokens":${n}}`, message: {usage: {input_tokens: 1, output_tokens: 1}}},
		{type: 'file-history-snapshot', snapshot: {files: [tricky(r)]}, usage: {input_tokens: 3}},
	]);
}

/**
 * Claude Code 2.1.x `progress` lines: a sub-agent's assistant message (with usage, read), its user
 * turns, and hook/bash progress whose strings spell `"usage"` (never read).
 */
function progress(r: Rand, n: number): Record<string, unknown> {
	const kind = int(r, 0, 3);
	let data: Record<string, unknown>;
	if (kind <= 1) {
		const a = assistant(r, 1000 + n);
		const inner: Record<string, unknown> = {type: kind === 0 ? 'assistant' : 'user', message: a.message, uuid: `s-${n}`, timestamp: a.timestamp};
		if (chance(r, 0.5)) inner.requestId = a.requestId;
		data = {type: chance(r, 0.95) ? 'agent_progress' : 'other_progress', agentId: chance(r, 0.8) ? `a${n % 3}` : undefined, message: ordered(inner, shuffle(r, Object.keys(inner)))};
		if (chance(r, 0.2)) data.normalizedMessages = [{type: 'user', message: {content: tricky(r)}}];
	} else {
		data = {type: pick(r, ['hook_progress', 'bash_progress']), output: tricky(r), command: '"usage":{"input_tokens":5}'};
	}
	const row: Record<string, unknown> = {
		parentUuid: null,
		isSidechain: false,
		userType: 'external',
		cwd: '/home/dev/api',
		sessionId: chance(r, 0.1) ? undefined : 's-1',
		version: '2.1.240',
		type: 'progress',
		data,
		toolUseID: `agent_msg_${n}`,
		parentToolUseID: 'toolu_1',
		uuid: `p-${n}`,
		timestamp: `2026-10-02T10:${String(n % 60).padStart(2, '0')}:00.000Z`,
	};
	return chance(r, 0.3) ? ordered(row, shuffle(r, Object.keys(row))) : row;
}

function lines(seed: number, count: number): string[] {
	const r = rng(seed);
	const out: string[] = [];
	for (let n = 0; n < count; n++) {
		const kind = r();
		const row = kind < 0.55 ? assistant(r, n) : kind < 0.8 ? user(r, n) : kind < 0.92 ? progress(r, n) : other(r, n);
		out.push(serialize(r, row));
	}
	return out;
}

describe('Claude fast paths = JSON.parse of every line', () => {
	it('on every fixture transcript', () => {
		const files = jsonlFiles(path.join(FIXTURES, 'claude'));
		expect(files.length).toBeGreaterThan(3);
		for (const file of files) {
			const {fast, reference} = both(fs.readFileSync(file), file);
			expect(fast.records).toEqual(reference.records);
			expect(fast.events).toEqual(reference.events);
		}
	});

	for (const seed of [1, 2, 3, 4, 5]) {
		it(`on generated well-formed lines (seed ${seed}): records, events and problems`, () => {
			const {fast, reference} = both(lines(seed, 400).join('\n') + '\n');
			expect(reference.records.length).toBeGreaterThan(100);
			expect(fast.records).toEqual(reference.records);
			expect(fast.events).toEqual(reference.events);
			expect(fast.problems).toEqual(reference.problems);
			expect(fast.consumedLines).toBe(400);
		});
	}

	it('generated progress lines add sub-agent records (the comparison covers them)', () => {
		const text = lines(3, 400);
		const {fast, reference} = both(text.join('\n') + '\n');
		const fromProgress = reference.records.filter((x) => x.origin.line !== null && text[x.origin.line - 1]!.includes('"progress"') && x.meta?.sidechain === true);
		expect(fromProgress.length).toBeGreaterThan(10);
		expect(fast.records).toEqual(reference.records);
	});

	it('the skim reads most generated assistant lines itself (the comparison is not all fallbacks)', () => {
		let assistants = 0;
		let skimmed = 0;
		for (const line of lines(11, 400)) {
			const b = Buffer.from(line);
			const type = claudeLineType(b, 0, b.length);
			if (type !== LINE_ASSISTANT && type !== LINE_UNKNOWN) continue;
			if (!line.includes('"type":"assistant"')) continue;
			assistants++;
			if (skimAssistant(b, 0, b.length)) skimmed++;
		}
		expect(assistants).toBeGreaterThan(150);
		expect(skimmed / assistants).toBeGreaterThan(0.75);
	});

	it('on truncated and glued lines: same records and events, and no problem the reference lacks', () => {
		const r = rng(99);
		const good = lines(7, 600);
		const text = good.map((line, k) => (chance(r, 0.3) ? damaged(r, line, good[(k + 1) % good.length]!) : line)).join('\n') + '\n';
		const {fast, reference} = both(text);
		expect(fast.records).toEqual(reference.records);
		expect(fast.events).toEqual(reference.events);
		for (const p of fast.problems) expect(reference.problems).toContainEqual(p);
		// A damaged assistant line is still reported (the skim declines, the full parse fails).
		expect(fast.problems.filter((p) => p.kind === 'malformed-json').length).toBeGreaterThan(20);
	});

	it('a line glued to a truncated one is reported, never read as a mix of the two', () => {
		const r = rng(5);
		const a = JSON.stringify(assistant(r, 1));
		const b = JSON.stringify(assistant(r, 2));
		const cut = a.indexOf('"content":[') + 20;
		const {fast} = both(a.slice(0, cut) + b + '\n');
		expect(fast.records).toEqual([]);
		expect(fast.problems.map((p) => p.kind)).toEqual(['malformed-json']);
	});

	it('reads a tool_use from the content and a <synthetic> error text, and ignores "usage" inside strings', () => {
		const row = {
			type: 'assistant',
			timestamp: '2026-10-02T09:00:00.000Z',
			sessionId: 's',
			message: {id: 'm', model: 'claude-sonnet-4-6', content: [{type: 'text', text: '"usage":{"input_tokens":999}'}, {type: 'tool_use', name: 'Bash', input: {command: 'ls "a b"'}}], usage: {input_tokens: 1, output_tokens: 2}},
		};
		const {fast, reference} = both(JSON.stringify(row) + '\n');
		expect(fast.records.map((x) => x.tokens.input)).toEqual([1]);
		expect(fast.events.map((e) => [e.name, e.detail])).toEqual([['Bash', '{"command":"ls \\"a b\\""}']]);
		expect(fast).toEqual(reference);
	});
});
