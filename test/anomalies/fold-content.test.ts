import {describe, expect, it} from 'vitest';
import {foldAppend, foldContent, recordFingerprint} from '../../source/core/anomalies/fold-content.js';
import type {ActivityEvent} from '../../source/core/record.js';
import {makeRecord} from '../helpers/records.js';

const ev = (at: number, detail = 'ls'): ActivityEvent => ({kind: 'tool_call', source: 'claude', runId: 'r1', issue: null, at, name: 'Bash', detail});

describe('what a flag fold folded, and whether the items now are those plus new ones', () => {
	const a = makeRecord({key: 'k:a', at: 1000});
	const b = makeRecord({key: 'k:b', at: 2000, tokens: {output: 10}});
	const folded = foldContent([a, b], [ev(1500), ev(1500)]);

	it('the same records in another key order, and copies, have the same fingerprint', () => {
		const {key, ...rest} = a;
		const reordered = {...rest, key} as typeof a;
		expect(recordFingerprint(reordered)).toBe(recordFingerprint(a));
		expect(recordFingerprint(structuredClone(a))).toBe(recordFingerprint(a));
		expect(recordFingerprint({...b, tokens: {...b.tokens, output: 11}})).not.toBe(recordFingerprint(b));
		expect(recordFingerprint({...a, meta: {botRole: 'x'}})).not.toBe(recordFingerprint(a));
		expect(recordFingerprint({...a, origin: {...a.origin, line: 99}})).not.toBe(recordFingerprint(a));
		expect(recordFingerprint({...a, extraField: 1} as typeof a)).not.toBe(recordFingerprint(a));
	});

	it('meta is told apart by each field name, type and value, and null from absent', () => {
		const m = (meta: unknown) => recordFingerprint({...a, meta} as typeof a);
		expect(m({n: 1})).not.toBe(m({n: '1'}));
		expect(m({n: 1})).not.toBe(m({m: 1}));
		expect(m({n: [1]})).not.toBe(m({n: [2]}));
		expect(m({n: 1, o: 2})).toBe(m({n: 1, o: 2}));
		expect(m(null)).not.toBe(recordFingerprint({...a, meta: undefined}));
		const {meta: _, ...noMeta} = {...a, meta: null};
		expect(m(null)).not.toBe(recordFingerprint(noMeta as typeof a));
	});

	it('over records proven unchanged, the same answer without fingerprinting the folded ones again', () => {
		const c = makeRecord({key: 'k:c', at: 3000});
		const checked = foldAppend(folded, [b, c, a], [ev(1500), ev(3100), ev(1500)])!;
		const trusted = foldAppend(folded, [b, c, a], [ev(1500), ev(3100), ev(1500)], true)!;
		const {before: checkedBefore, ...checkedRest} = checked;
		const {before: trustedBefore, ...trustedRest} = trusted;
		expect(trustedRest).toEqual(checkedRest);
		expect(trustedBefore()).toEqual(checkedBefore());
		// Proven unchanged, a folded record is not fingerprinted: its folded fingerprint is kept.
		const changed = {...b, tokens: {...b.tokens, output: 99}};
		expect(foldAppend(folded, [a, changed], [ev(1500), ev(1500)])).toBeNull();
		expect(foldAppend(folded, [a, changed], [ev(1500), ev(1500)], true)!.now.records).toEqual(folded.records);
		// Keys and events are still matched: a folded record gone, an event gone.
		expect(foldAppend(folded, [a], [ev(1500), ev(1500)], true)).toBeNull();
		expect(foldAppend(folded, [a, b], [ev(1500)], true)).toBeNull();
	});

	it('finds the new records and events of an append', () => {
		const c = makeRecord({key: 'k:c', at: 3000});
		const append = foldAppend(folded, [b, c, a], [ev(1500), ev(3100), ev(1500)])!;
		expect(append.records).toEqual([c]);
		expect(append.events).toEqual([ev(3100)]);
		expect(append.before().records.map((r) => r.key).sort()).toEqual(['k:a', 'k:b']);
		expect(append.before().events).toEqual([ev(1500), ev(1500)]);
		expect(append.newKeys).toBeNull();
		expect(foldAppend(append.now, [a, b, c], [ev(1500), ev(1500), ev(3100)])!.records).toEqual([]);
		expect(foldAppend(folded, [a, b], [ev(1500), ev(1500)])).toMatchObject({records: [], events: []});
	});

	it('is null when a folded record changed or went away, or a folded event went away', () => {
		expect(foldAppend(folded, [a, {...b, tokens: {...b.tokens, output: 99}}], [ev(1500), ev(1500)])).toBeNull();
		expect(foldAppend(folded, [a], [ev(1500), ev(1500)])).toBeNull();
		expect(foldAppend(folded, [a, b], [ev(1500)])).toBeNull();
		expect(foldAppend(folded, [a, b], [ev(1500), ev(1500, 'pwd')])).toBeNull();
	});

	it('records that keep the folded order are matched in one pass, and say which keys are new', () => {
		const c = makeRecord({key: 'k:c', at: 3000});
		const d = makeRecord({key: 'k:d', at: 2500});
		for (const [records, marks] of [
			[[a, b, c, d], [0, 0, 1, 1]],
			[[c, a, d, b], [1, 0, 1, 0]],
			[[a, c, b], [0, 1, 0]],
		] as const) {
			for (const unchanged of [false, true]) {
				const append = foldAppend(folded, records, [ev(1500), ev(1500), ev(3100)], unchanged)!;
				expect([...append.newKeys!]).toEqual(marks);
				expect(append.records).toEqual(records.filter((_, i) => marks[i] === 1));
				expect(append.now).toEqual(foldContent(records, [ev(1500), ev(1500), ev(3100)]));
			}
		}
		// Another order: still matched by key, with no marks.
		const shuffled = foldAppend(folded, [b, c, a], [ev(1500), ev(1500)])!;
		expect(shuffled.newKeys).toBeNull();
		expect(shuffled.records).toEqual([c]);
		expect(foldAppend(folded, [a, c], [ev(1500), ev(1500)])).toBeNull();
		expect(foldAppend(folded, [c, b], [ev(1500), ev(1500)])).toBeNull();
		expect(foldAppend(folded, [a, c, {...b, tokens: {...b.tokens, output: 99}}], [ev(1500), ev(1500)])).toBeNull();
	});

	it('a shared coverage object that is not frozen is read once per pass, and read again in the next', () => {
		const coverage = {...a.coverage};
		const r1 = {...a, key: 'k:1', coverage};
		const r2 = {...b, key: 'k:2', coverage};
		const own = (r: typeof a) => recordFingerprint({...r, coverage: {...r.coverage}});
		const before = foldContent([r1, r2], []);
		expect([...before.records]).toEqual([own(r1), own(r2)]);
		coverage.hasOutputTokens = !coverage.hasOutputTokens;
		const after = foldContent([r1, r2], []);
		expect(after.records[0]).not.toBe(before.records[0]);
		expect([...after.records]).toEqual([own(r1), own(r2)]);
		expect(foldAppend(before, [r1, r2], [])).toBeNull();
	});

	it('of equal event fingerprints, the last ones are the new ones, in their own order', () => {
		const e1 = ev(1500);
		const e2 = ev(1500);
		const e3 = ev(1500);
		const other = ev(1200);
		const append = foldAppend(folded, [a, b], [e1, other, e2, e3])!;
		expect(append.events.length).toBe(2);
		expect(append.events[0]).toBe(other);
		expect(append.events[1]).toBe(e3);
		expect(append.before().events).toEqual([e1, e2]);
		expect(append.before().events[1]).toBe(e2);
		expect(foldAppend(folded, [a, b], [ev(1500), ev(1400)])).toBeNull();
	});
});
