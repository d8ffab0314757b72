import {describe, expect, it} from 'vitest';
import {Ledger} from '../../source/core/ledger.js';
import {makeRecord} from '../helpers/records.js';

describe('Ledger', () => {
	it('counts a repeated record once and reports a conflicting one', () => {
		const ledger = new Ledger();
		ledger.add([makeRecord(), makeRecord({origin: {path: '/b.jsonl', line: 4, offset: 0}})]);
		expect(ledger.totals.records).toBe(1);
		expect(ledger.conflicts.count).toBe(0);
		ledger.addOne(makeRecord({tokens: {input: 999}, origin: {path: '/b.jsonl', line: 5, offset: 0}}));
		expect(ledger.totals.tokens.input.sum).toBe(100);
		expect(ledger.conflicts.items[0]).toMatchObject({kind: 'duplicate-conflict', path: '/b.jsonl', line: 5, field: 'tokens.input'});
	});

	it('replaces a record by a better version of itself without double counting', () => {
		const ledger = new Ledger();
		const partial = makeRecord({source: 'claude', key: 'claude:msg1', tokens: {input: 100, output: 1, total: 101}});
		const final = makeRecord({source: 'claude', key: 'claude:msg1', tokens: {input: 100, output: 187, total: 287}});
		ledger.add([partial, final, partial]);
		expect(ledger.totals.records).toBe(1);
		expect(ledger.totals.tokens.output.sum).toBe(187);
		expect(ledger.by.model.get('claude-sonnet-4-6')!.tokens.output.sum).toBe(187);
		expect([...ledger.minutes.values()]).toEqual([{records: 1, tokens: 287, usd: 0}]);
	});

	it('retracting a file removes its records and lets another file’s copy count', () => {
		const ledger = new Ledger();
		const a = makeRecord({source: 'claude', key: 'claude:m', tokens: {output: 50}, origin: {path: '/a', line: 1, offset: 0}});
		const b = makeRecord({source: 'claude', key: 'claude:m', tokens: {output: 20}, origin: {path: '/b', line: 1, offset: 0}});
		const other = makeRecord({key: 'other', runId: 'run-2', issue: null, origin: {path: '/a', line: 2, offset: 10}});
		ledger.add([a, b, other]);
		expect(ledger.totals.tokens.output.sum).toBe(60);
		ledger.retractFile('/a');
		expect(ledger.totals.records).toBe(1);
		expect(ledger.totals.tokens.output.sum).toBe(20);
		expect(ledger.by.issue.has('(none)')).toBe(false);
		expect(ledger.runKeys.has('run-2')).toBe(false);
		ledger.retractFile('/b');
		expect(ledger.totals.records).toBe(0);
		expect(ledger.minutes.size).toBe(0);
	});

	it('keeps unknown fields unknown and partial sums partial', () => {
		const ledger = new Ledger();
		ledger.add([
			makeRecord({key: 'a', tokens: {cacheRead: 5}}),
			makeRecord({key: 'b', usageSource: 'unavailable', tokens: {input: null, output: null, total: null}}),
		]);
		expect(ledger.totals.tokens.cacheRead).toEqual({sum: 5, known: 1, missing: 1});
		expect(ledger.totals.tokens.reasoning).toEqual({sum: 0, known: 0, missing: 2});
		expect(ledger.totals.usageSource.unavailable).toBe(1);
	});

	it('applies the pricer at count time and re-prices without a re-read', () => {
		const ledger = new Ledger({pricer: (r) => ({usd: (r.tokens.input ?? 0) / 100, basis: 'computed'})});
		ledger.add([makeRecord({key: 'a'}), makeRecord({key: 'b', model: 'mystery'})]);
		expect(ledger.totals.usd).toBeCloseTo(2);
		ledger.reprice((r) => (r.model === 'mystery' ? {usd: null, basis: 'unpriced'} : {usd: 3, basis: 'computed'}));
		expect(ledger.totals.usd).toBeCloseTo(3);
		expect(ledger.totals.priced).toBe(1);
		expect([...ledger.totals.unpricedModels]).toEqual([['mystery', 1]]);
	});

	it('filters records it does not accept', () => {
		const ledger = new Ledger({accept: (r) => r.issue === 'MT-2'});
		ledger.add([makeRecord({key: 'a'}), makeRecord({key: 'b', issue: 'MT-2'})]);
		expect([...ledger.by.issue.keys()]).toEqual(['MT-2']);
	});
});

describe('Ledger.records', () => {
	it('lists what counts after every change, asked between changes (the list is kept until one)', () => {
		const ledger = new Ledger();
		const keys = () => [...ledger.records()].map((r) => `${r.key}:${r.tokens.output}`);
		const partial = makeRecord({source: 'claude', key: 'claude:m', tokens: {input: 10, output: 1, total: 11}, origin: {path: '/a', line: 1, offset: 0}});
		const final = makeRecord({source: 'claude', key: 'claude:m', tokens: {input: 10, output: 90, total: 100}, origin: {path: '/b', line: 1, offset: 0}});
		const other = makeRecord({key: 'other', tokens: {input: 5, output: 5, total: 10}, origin: {path: '/a', line: 2, offset: 10}});
		expect(keys()).toEqual([]);
		ledger.addOne(partial);
		expect(keys()).toEqual(['claude:m:1']);
		expect(keys()).toEqual(['claude:m:1']);
		ledger.addOne(other);
		expect(keys()).toEqual(['claude:m:1', 'other:5']);
		// A later, larger copy replaces the counted one.
		ledger.addOne(final);
		expect(keys()).toEqual(['claude:m:90', 'other:5']);
		// Retracting /b brings the partial copy back; retracting /a drops it and `other`.
		ledger.retractFile('/b');
		expect(keys()).toEqual(['claude:m:1', 'other:5']);
		ledger.retractFile('/a');
		expect(keys()).toEqual([]);
	});
});
