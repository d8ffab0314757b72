/**
 * The Symphony well-formed check against the schema: for every line, valid or not, the same
 * records and the same problems (file, line, field, reason) as validating each record with zod.
 */
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseSymphonyChunk, symphonySource} from '../../source/sources/symphony.js';
import {isGuidShape, isUtcDatetime, isWellFormedV1} from '../../source/sources/symphony-fast.js';
import {zod} from '../../source/core/zod.js';
import {chance, int, jsonlFiles, ordered, pick, rng, serialize, shuffle, tricky, type Rand} from './fuzz.js';
import {FIXTURES} from './helpers.js';

function both(text: string | Buffer, file = '/t/usage.jsonl') {
	const chunk = typeof text === 'string' ? Buffer.from(text) : text;
	const at = {path: file, offset: 0, line: 1};
	return {fast: parseSymphonyChunk(chunk, symphonySource.initialState(file), at), reference: parseSymphonyChunk(chunk, symphonySource.initialState(file), at, true)};
}

function valid(r: Rand, n: number): Record<string, unknown> {
	const input = int(r, 0, 200_000);
	const output = int(r, 0, 5000);
	const source = pick(r, ['provider_reported', 'estimated', 'unavailable']);
	const at = `2026-10-0${int(r, 1, 9)}T1${int(r, 0, 9)}:0${int(r, 0, 9)}:0${int(r, 0, 9)}${pick(r, ['Z', '.5Z', '.123456Z', '+02:00', '-05:30'])}`;
	const row: Record<string, unknown> = {
		schemaVersion: 1,
		recordedAt: at,
		runID: pick(r, ['0b5b7a40-1f0e-4c55-9d4c-1a2b3c4d5e6f', '2D7D9C62-3B20-4E77-9F6E-3C4D5E6F7081']),
		turn: int(r, 1, 40),
		issueIdentifier: `MT-${n}`,
		provider: pick(r, ['claude', 'codex', 'gemini']),
		model: pick(r, ['claude-sonnet-4-6', 'gpt-5.3-codex', 'ü-model']),
		botRole: pick(r, ['developer', 'reviewer']),
		inputTokens: source === 'unavailable' ? null : input,
		outputTokens: source === 'unavailable' ? pick(r, [null, undefined]) : output,
		totalTokens: source === 'unavailable' ? null : chance(r, 0.2) ? null : input + output,
		usageSource: source,
		startedAt: at,
		endedAt: at,
	};
	if (chance(r, 0.3)) Object.assign(row, {inputCachedReadTokens: int(r, 0, 1000), inputCacheWriteEphemeral5mTokens: int(r, 0, 10), inputCacheWriteEphemeral1hTokens: int(r, 0, 10)});
	if (chance(r, 0.2)) Object.assign(row, {inputCacheWriteTokens: pick(r, [null, 5]), outputReasoningTokens: 3, outputVisibleTokens: 2, inputUncachedTokens: 1});
	if (chance(r, 0.3)) Object.assign(row, {mode: pick(r, ['fresh', null, '']), effort: 'high', exitReason: 'turn_completed', issueID: 'i-1', workspacePath: tricky(r), reviewerMode: null});
	if (chance(r, 0.2)) row.estimate = pick(r, [0.5, null, 3]);
	if (chance(r, 0.2)) row.pullRequest = pick(r, [null, {repo: 'acme/api', number: 42, headSHA: 'abc', url: 'https://x/pr/42'}, {number: null}, {}]);
	if (chance(r, 0.2)) row.quota = pick(r, [null, {planType: 'max', windows: [{label: 'primary', windowMinutes: 300, usedPercent: 41.5, resetsAt: 1791000000}]}, {windows: 'bad'}]);
	if (chance(r, 0.2)) row.somethingNew = {nested: [tricky(r)]};
	return row;
}

// One change each, most of them invalid.
const MUTATIONS: Array<(r: Rand, row: Record<string, unknown>) => void> = [
	(r, row) => delete row[pick(r, ['schemaVersion', 'recordedAt', 'runID', 'turn', 'issueIdentifier', 'provider', 'model', 'botRole', 'usageSource', 'startedAt', 'endedAt'])],
	(r, row) => (row.turn = pick(r, [0, -1, 1.5, '2', null, 2 ** 53])),
	(r, row) => (row.schemaVersion = pick(r, [0, 1.5, '1', 2, 3])),
	(r, row) => (row.runID = pick(r, ['not-a-uuid', '', 42, '0b5b7a40-1f0e-4c55-9d4c-1a2b3c4d5e6'])),
	(r, row) => (row[pick(r, ['recordedAt', 'startedAt', 'endedAt'])] = pick(r, ['2026-02-30T10:00:00Z', '2026-10-02T10:00:00', '2026-10-02 10:00:00Z', '2026-10-02T24:00:00Z', 5, '2024-02-29T10:00:00Z'])),
	(r, row) => (row.startedAt = '2027-01-01T00:00:00Z'),
	(r, row) => (row[pick(r, ['inputTokens', 'outputTokens', 'totalTokens', 'inputCachedReadTokens', 'outputReasoningTokens'])] = pick(r, [-1, 1.5, '5', 1e300, true])),
	(r, row) => Object.assign(row, {usageSource: 'unavailable', inputTokens: pick(r, [0, 5])}),
	(r, row) => (row[pick(r, ['botRole', 'usageSource'])] = pick(r, ['admin', '', null])),
	(r, row) => (row[pick(r, ['issueIdentifier', 'provider', 'model'])] = pick(r, ['', 7, null])),
	(r, row) => (row[pick(r, ['mode', 'effort', 'exitReason', 'issueID', 'workspacePath', 'reviewerMode'])] = pick(r, [5, false, {}])),
	(r, row) => (row.estimate = pick(r, ['1', {}, true])),
	(r, row) => (row.pullRequest = pick(r, [[1], 'pr', {number: '42'}, {repo: 5}, {url: false}])),
];

function lines(seed: number, count: number): string[] {
	const r = rng(seed);
	const out: string[] = [];
	for (let n = 0; n < count; n++) {
		const row = valid(r, n);
		if (chance(r, 0.4)) pick(r, MUTATIONS)(r, row);
		const shaped = chance(r, 0.2) ? ordered(row, shuffle(r, Object.keys(row))) : row;
		out.push(chance(r, 0.02) ? pick(r, ['[1,2]', '"str"', 'null', '{"schemaVersion":1,', '   ']) : serialize(r, shaped));
	}
	return out;
}

describe('Symphony well-formed check = the schema', () => {
	it('on every fixture file', () => {
		const files = jsonlFiles(path.join(FIXTURES, 'symphony'));
		expect(files.length).toBeGreaterThan(2);
		for (const file of files) {
			const {fast, reference} = both(fs.readFileSync(file), file);
			expect(fast).toEqual(reference);
		}
	});

	for (const seed of [1, 2, 3, 4, 5, 6]) {
		it(`on generated valid and broken records (seed ${seed})`, () => {
			const {fast, reference} = both(lines(seed, 500).join('\n') + '\n');
			expect(reference.records.length).toBeGreaterThan(200);
			expect(reference.problems.length).toBeGreaterThan(50);
			expect(fast).toEqual(reference);
		});
	}

	it('passes the usual record itself, and never a record the schema rejects', () => {
		let passed = 0;
		for (const line of lines(8, 2000)) {
			let value: unknown;
			try {
				value = JSON.parse(line);
			} catch {
				continue;
			}
			if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
			if (!isWellFormedV1(value as Record<string, unknown>)) continue;
			passed++;
			const {reference} = both(line + '\n');
			expect(reference.problems.filter((p) => p.kind === 'invalid-record' && p.field !== 'quota')).toEqual([]);
		}
		expect(passed).toBeGreaterThan(1000);
	});
});

describe('the hand-written timestamp and guid checks = zod\'s patterns', () => {
	const datetime = zod().regexes.datetime({offset: true});
	const guid = zod().regexes.guid;
	const EDGES = [
		'2026-10-02T10:00:00Z',
		'2026-10-02T10:00:00.123Z',
		'2026-10-02T10:00:00.5Z',
		'2026-10-02T10:00:00.123456789012Z',
		'2026-10-02T10:00:00.Z',
		'2026-10-02T10:00:00.12aZ',
		'2026-10-02T10:00:00.-1Z',
		'2026-10-02T10:00:00z',
		'2026-10-02t10:00:00Z',
		'2026-10-02 10:00:00Z',
		'2026-10-02T10:00:00',
		'2026-10-02T10:00Z',
		'2026-10-02T10:00:00+02:00',
		'2026-10-02T10:00:00.5-05:30',
		'2026-10-02T10:00:00ZZ',
		' 2026-10-02T10:00:00Z',
		'2026-10-02T10:00:00Z\n',
		'+02026-10-02T10:00:00Z',
		'-2026-10-02T10:00:00Z',
		'0000-01-01T00:00:00Z',
		'0000-02-29T00:00:00Z',
		'9999-12-31T23:59:59.999Z',
		'2024-02-29T10:00:00Z',
		'2023-02-29T10:00:00Z',
		'2000-02-29T10:00:00Z',
		'1900-02-29T10:00:00Z',
		'2100-02-29T10:00:00Z',
		'2400-02-29T10:00:00Z',
		'2026-02-28T10:00:00Z',
		'2026-02-30T10:00:00Z',
		'2026-04-31T10:00:00Z',
		'2026-04-30T10:00:00Z',
		'2026-01-31T10:00:00Z',
		'2026-12-32T10:00:00Z',
		'2026-00-10T10:00:00Z',
		'2026-13-10T10:00:00Z',
		'2026-10-00T10:00:00Z',
		'2026-10-02T24:00:00Z',
		'2026-10-02T23:60:00Z',
		'2026-10-02T23:59:60Z',
		'2026-10-02T-1:00:00Z',
		'2026-1-02T10:00:00Z',
		'202a-10-02T10:00:00Z',
		'２０２６-10-02T10:00:00Z',
		'2026-10-02T10:00:00.１Z',
		'2026/10/02T10:00:00Z',
		'',
		'Z',
	];
	it('on edge cases: true only where the regex accepts, and every UTC form the regex accepts', () => {
		for (const s of EDGES) {
			if (isUtcDatetime(s)) expect(datetime.test(s), s).toBe(true);
			// Without an offset the two agree exactly.
			if (s.endsWith('Z')) expect(isUtcDatetime(s), s).toBe(datetime.test(s));
		}
		expect(isUtcDatetime('2026-10-02T10:00:00.123Z')).toBe(true);
		expect(isUtcDatetime('2026-10-02T10:00:00+02:00')).toBe(false);
	});

	it('on random strings near the form', () => {
		const r = rng(11);
		const alphabet = '0123456789-:.TZ+z t';
		let accepted = 0;
		for (let n = 0; n < 50_000; n++) {
			const base = `${String(int(r, 0, 9999)).padStart(4, '0')}-${String(int(r, 0, 13)).padStart(2, '0')}-${String(int(r, 0, 32)).padStart(2, '0')}T${String(int(r, 0, 25)).padStart(2, '0')}:${String(int(r, 0, 61)).padStart(2, '0')}:${String(int(r, 0, 61)).padStart(2, '0')}${pick(r, ['', '.', '.5', '.123', '.123456'])}${pick(r, ['Z', 'Z', 'Z', '', '+01:00', 'z'])}`;
			const chars = [...base];
			for (let k = int(r, 0, 2); k > 0; k--) chars[int(r, 0, chars.length - 1)] = pick(r, [...alphabet]);
			const s = chars.join('');
			const hand = isUtcDatetime(s);
			if (hand) accepted++;
			if (s.endsWith('Z')) expect(hand, s).toBe(datetime.test(s));
			else expect(hand, s).toBe(false);
		}
		expect(accepted).toBeGreaterThan(2000);
	});

	it('guids: the same strings as the regex', () => {
		const r = rng(12);
		const hex = '0123456789abcdefABCDEFgG-x ';
		for (const s of ['0b5b7a40-1f0e-4c55-9d4c-1a2b3c4d5e6f', '2D7D9C62-3B20-4E77-9F6E-3C4D5E6F7081', '0b5b7a40-1f0e-4c55-9d4c-1a2b3c4d5e6', '0b5b7a401f0e-4c55-9d4c-1a2b3c4d5e6f-', '', 'not-a-uuid']) expect(isGuidShape(s), s).toBe(guid.test(s));
		for (let n = 0; n < 20_000; n++) {
			const chars = [...'0b5b7a40-1f0e-4c55-9d4c-1a2b3c4d5e6f'];
			for (let k = int(r, 0, 2); k > 0; k--) chars[int(r, 0, chars.length - 1)] = pick(r, [...hex]);
			if (chance(r, 0.05)) chars.splice(int(r, 0, chars.length), 0, pick(r, [...hex]));
			const s = chars.join('');
			expect(isGuidShape(s), s).toBe(guid.test(s));
		}
	});
});
