import {describe, expect, it} from 'vitest';
import {ProblemLog} from '../../source/core/problems.js';
import type {UsageRecord} from '../../source/core/record.js';
import type {TrackerSnapshot} from '../../source/ingest/file-tracker.js';
import {decodeBody, decodeEntry, encodeBody} from '../../source/ingest/index-segment.js';
import {makeRecord} from '../helpers/records.js';

const PATH = '/data/usage.jsonl';

function snapshot(records: UsageRecord[]): TrackerSnapshot {
	return {
		path: PATH,
		parser: 'symphony:lines:1',
		identity: {dev: 1, ino: 2, size: 3, mtimeMs: 4.5},
		offset: 3,
		line: 2,
		state: null,
		fingerprint: null,
		tailBytes: 0,
		records,
		folded: 0,
		span: null,
		events: [],
		problems: new ProblemLog(10),
	};
}

function roundTrip(records: UsageRecord[]): UsageRecord[] {
	const body = encodeBody([snapshot(records)]);
	// Aligned as a segment is when read from disk.
	const decoded = decodeBody(Buffer.concat(body.parts), body.json);
	return decodeEntry(decoded.files[0]!.f, decoded.files[0]!.first, decoded.columns, 'symphony:lines:1').records;
}

describe('record codec (index columns)', () => {
	it('gives back every record exactly, whatever form each column takes', () => {
		const records = [
			makeRecord({key: 'symphony:run-a:1', runId: 'run-a', turn: 1, at: 1_790_000_000_000, origin: {path: PATH, line: 1, offset: 0}}),
			// A fraction, -0, a huge integer, null tokens, an explicit null quota, extra fields.
			{...makeRecord({key: 'symphony:run-a:2', runId: 'run-a', turn: 2, at: 1_790_000_000_000.5, reportedCostUsd: -0, tokens: {input: 2 ** 40, output: null}, quota: null, origin: {path: PATH, line: 2, offset: 100}}), botRole: 'developer'},
			// A key sharing no prefix, a foreign origin, meta, a time step beyond Int32.
			makeRecord({key: 'other', runId: 'run-b', turn: null, at: 1_000, startedAt: 999, meta: {mode: 'fresh'}, origin: {path: '/elsewhere', line: null, offset: null}}),
			makeRecord({key: 'othe', runId: 'run-b', turn: 7, at: 1_000, reportedCostUsd: 0.125, tokens: {input: -5, total: Infinity}, origin: {path: PATH, line: 9, offset: 2 ** 33}}),
		];
		const back = roundTrip(records);
		expect(back).toEqual(records);
		// toEqual treats -0 as 0: the sign is kept too.
		expect(Object.is(back[1]!.reportedCostUsd, -0)).toBe(true);
	});

	it('keeps constant, small-integer and stepped columns exact over many rows', () => {
		const records: UsageRecord[] = [];
		for (let i = 0; i < 300; i++) {
			records.push(makeRecord({key: `symphony:run-${i % 7}:${i}`, runId: `run-${i % 7}`, turn: i, at: 1_790_000_000_000 + i * 1000, tokens: {input: i * 3, output: 5}, origin: {path: PATH, line: i + 1, offset: i * 400}}));
		}
		expect(roundTrip(records)).toEqual(records);
		const body = encodeBody([snapshot(records)]);
		// 300 rows in far fewer bytes than every column at full width (160 bytes a row).
		expect(body.bytes - body.json).toBeLessThan(300 * 40);
	});

	it('encodes no records', () => {
		expect(roundTrip([])).toEqual([]);
	});
});
