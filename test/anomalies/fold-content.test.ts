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
		expect(trusted).toEqual(checked);
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
		expect(append.before.records.map((r) => r.key).sort()).toEqual(['k:a', 'k:b']);
		expect(append.before.events).toEqual([ev(1500), ev(1500)]);
		expect(foldAppend(append.now, [a, b, c], [ev(1500), ev(1500), ev(3100)])!.records).toEqual([]);
		expect(foldAppend(folded, [a, b], [ev(1500), ev(1500)])).toMatchObject({records: [], events: []});
	});

	it('is null when a folded record changed or went away, or a folded event went away', () => {
		expect(foldAppend(folded, [a, {...b, tokens: {...b.tokens, output: 99}}], [ev(1500), ev(1500)])).toBeNull();
		expect(foldAppend(folded, [a], [ev(1500), ev(1500)])).toBeNull();
		expect(foldAppend(folded, [a, b], [ev(1500)])).toBeNull();
		expect(foldAppend(folded, [a, b], [ev(1500), ev(1500, 'pwd')])).toBeNull();
	});
});
