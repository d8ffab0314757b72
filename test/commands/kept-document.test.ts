import {Writable} from 'node:stream';
import {describe, expect, it} from 'vitest';
import {KeptDocument, packMinutes, unpackMinutes, type JudgedFields} from '../../source/commands/kept-summary.js';

/** The kept bytes with the judged fields spliced in are exactly `JSON.stringify` of the whole document. */
describe('KeptDocument.writeJson', () => {
	const built = {schema: 'burn.summary/1', generatedAt: '2026-01-01T00:00:00.000Z', byRun: [{id: 'r\n1', usd: 1.5, tags: []}], nested: {a: {b: [1, {c: 'd'}]}}};
	const write = (doc: KeptDocument, judged: JudgedFields) => {
		const parts: Buffer[] = [];
		const out = new Writable({
			write(chunk, _enc, done) {
				parts.push(Buffer.from(chunk));
				done();
			},
		});
		doc.writeJson(out, '2026-12-03T18:00:00.000Z', judged);
		return Buffer.concat(parts).toString('utf8');
	};
	const judged = {
		pricing: {asOf: '2026-11-01', sheets: ['a "quoted"\npath']},
		flags: [{id: 'stall:run:x', evidence: [{at: 1, text: 'two\nlines'}], empty: {}, none: []}],
		flagNotes: [],
		quota: {providers: [{name: 'claude', windows: [{used: 0.5}]}]},
	} as unknown as JudgedFields;

	it('gives the bytes JSON.stringify gives, nested values indented at their depth', () => {
		const doc = new KeptDocument(Buffer.from(JSON.stringify(built, null, 2)));
		expect(write(doc, judged)).toBe(JSON.stringify({...built, generatedAt: '2026-12-03T18:00:00.000Z', ...judged}, null, 2) + '\n');
	});

	it('leaves out a judged field that is undefined, as JSON.stringify does', () => {
		const doc = new KeptDocument(Buffer.from(JSON.stringify(built, null, 2)));
		const some = {...judged, flagNotes: undefined, quota: undefined} as unknown as JudgedFields;
		expect(write(doc, some)).toBe(JSON.stringify({...built, generatedAt: '2026-12-03T18:00:00.000Z', ...some}, null, 2) + '\n');
		const none = {pricing: undefined, flags: undefined, flagNotes: undefined, quota: undefined} as unknown as JudgedFields;
		expect(write(doc, none)).toBe(JSON.stringify({...built, generatedAt: '2026-12-03T18:00:00.000Z'}, null, 2) + '\n');
	});
});

describe('packMinutes / unpackMinutes', () => {
	const points = [
		{minute: 1_700_000_000_000, records: 3, tokens: 120_000, usd: 0.123456789},
		{minute: 1_700_000_060_000, records: 1, tokens: 0, usd: 0},
		{minute: 1_700_000_120_000, records: 2, tokens: 9_007_199_254_740_991, usd: 1e-9},
	];

	it('gives back the points it packed, in order, as the same numbers', () => {
		expect(unpackMinutes(packMinutes(points), -Infinity)).toEqual(points);
		expect(unpackMinutes(packMinutes([]), 0)).toEqual([]);
	});

	it('keeps only the minutes from `from` on', () => {
		expect(unpackMinutes(packMinutes(points), 1_700_000_060_000)).toEqual(points.slice(1));
		expect(unpackMinutes(packMinutes(points), 1_700_000_120_001)).toEqual([]);
	});
});

describe('KeptDocument.parse', () => {
	const built = {
		schema: 'burn.summary/1',
		generatedAt: '2026-01-01T00:00:00.000Z',
		range: {from: null, to: '2026-01-02T00:00:00.000Z'},
		'odd "key"\n': 1,
		byRun: {'run\n  "fake": 1': {usd: 1.5, tags: [], nested: {a: [1, {c: 'd,'}]}}},
		empty: {},
		none: [],
		text: 'ends with a comma,',
		last: [1, 2],
	};
	const kept = () => new KeptDocument(Buffer.from(JSON.stringify(built, null, 2)));

	it('is JSON.parse of the bytes, generatedAt this run’s: the same members, order and values', () => {
		const doc = kept().parse('2026-12-04T00:00:00.000Z');
		const truth = {...built, generatedAt: '2026-12-04T00:00:00.000Z'};
		expect(Object.keys(doc)).toEqual(Object.keys(truth));
		expect(JSON.stringify(doc, null, 2)).toBe(JSON.stringify(truth, null, 2));
		expect({...doc}).toEqual(truth);
	});

	it('parses a member once, when it is read, and lets it be replaced in place', () => {
		const doc = kept().parse('2026-12-04T00:00:00.000Z') as unknown as Record<string, unknown>;
		expect(Object.getOwnPropertyDescriptor(doc, 'byRun')!.get).toBeTypeOf('function');
		const runs = doc.byRun;
		expect(doc.byRun).toBe(runs);
		expect(Object.getOwnPropertyDescriptor(doc, 'byRun')!.value).toBe(runs);
		doc.last = 'replaced';
		expect(doc.last).toBe('replaced');
		expect(Object.keys(doc).at(-1)).toBe('last');
		Object.assign(doc, {pricing: {asOf: 'x'}});
		expect(Object.keys(doc).at(-1)).toBe('pricing');
	});
});
