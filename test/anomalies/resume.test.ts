import {serialize, deserialize} from 'node:v8';
import {describe, expect, it} from 'vitest';
import {createFlagHook} from '../../source/core/anomalies/live.js';
import {foldAppend, foldContent} from '../../source/core/anomalies/fold-content.js';
import {FlagMonitor, type MonitorSnapshot} from '../../source/core/anomalies/monitor.js';
import {Ledger} from '../../source/core/ledger.js';
import {resolveParams} from '../../source/core/anomalies/params.js';
import type {ActivityEvent, UsageRecord} from '../../source/core/record.js';
import {mulberry32} from '../../source/core/prng.js';
import {batch, costOf, MIN, mixedHistory, rec, T0} from './helpers.js';

const history = () => mixedHistory({peers: 12, bigRun: true});

const params = resolveParams({budget: {run: 3, issue: 10, day: 30}});
const options = {params, costOf};
const now = T0 + 12 * 60 * MIN;

function folded(records: UsageRecord[], events: ActivityEvent[]): FlagMonitor {
	const m = new FlagMonitor(options);
	m.addRecords(records);
	m.addEvents(events);
	m.evaluate(records.concat().sort((a, b) => b.at - a.at)[0]?.at ?? T0);
	return m;
}

/** Through the bytes a persisted index would hold. */
const roundTrip = (s: MonitorSnapshot): MonitorSnapshot => deserialize(serialize(s)) as MonitorSnapshot;

describe('a resumed flag monitor gives the batch fold of everything', () => {
	const {records, events} = history();
	const all = batch({records, events, now, params: {budget: {run: 3, issue: 10, day: 30}}});

	it('the history raises flags of many kinds (equal empty lists would prove nothing)', () => {
		expect(new Set(all.flags.map((f) => f.kind)).size).toBeGreaterThanOrEqual(8);
	});

	it('distinct records added in one go fold as addRecords folds them, and are there by key after', () => {
		const m = new FlagMonitor(options);
		m.addDistinctRecords(records);
		m.addEvents(events);
		expect(m.evaluate(now)).toEqual(all);
		expect(m.snapshot()).toEqual(folded(records, events).snapshot());
		expect(m.recordCount).toBe(records.length);
		expect([...m.recordKeys()]).toEqual(records.map((r) => r.key));
		// Later changes still see every record by key: a replaced one re-folds, a removed one is gone.
		const late = new FlagMonitor(options);
		late.addDistinctRecords(records.slice(1));
		late.addRecords([records[0]!]);
		late.addEvents(events);
		expect(late.evaluate(now)).toEqual(all);
		const gone = new FlagMonitor(options);
		gone.addDistinctRecords(records);
		gone.removeRecords([records[0]!.key]);
		gone.addEvents(events);
		expect(gone.recordCount).toBe(records.length - 1);
		expect(gone.evaluate(now)).toEqual(batch({records: records.slice(1), events, now, params: {budget: {run: 3, issue: 10, day: 30}}}));
	});

	it('snapshot at any cut, resume, add only what came after: the same flags, history never loaded', () => {
		const times = [...new Set([...records.map((r) => r.at), ...events.map((e) => e.at)])].sort((a, b) => a - b);
		const rand = mulberry32(7);
		for (let n = 0; n < 12; n++) {
			const cut = times[Math.floor(rand() * times.length)]!;
			const before = {records: records.filter((r) => r.at <= cut), events: events.filter((e) => e.at <= cut)};
			const snap = folded(before.records, before.events).snapshot();
			expect(snap).not.toBeNull();
			let loaded = 0;
			const m = FlagMonitor.resume(options, roundTrip(snap!), () => {
				loaded++;
				return before;
			});
			m.addRecords(records.filter((r) => r.at > cut));
			m.addEvents(events.filter((e) => e.at > cut));
			expect(m.evaluate(now), `cut at ${cut - T0} ms`).toEqual(all);
			expect(loaded).toBe(0);
			expect(m.recordCount).toBe(records.length);
		}
	});

	it('an item before the watermark, or a folded record replaced, loads the history once and re-folds', () => {
		const cut = T0 + 6 * 60 * MIN;
		const before = {records: records.filter((r) => r.at <= cut), events: events.filter((e) => e.at <= cut)};
		const snap = roundTrip(folded(before.records, before.events).snapshot()!);
		// A late line from another file: earlier than the watermark.
		const late = rec({runId: 'late', at: T0 + 3 * 60 * MIN, usd: 0.05});
		let loaded = 0;
		const m = FlagMonitor.resume(options, snap, () => (loaded++, before), {copy: true});
		m.addRecords([...records.filter((r) => r.at > cut), late]);
		m.addEvents(events.filter((e) => e.at > cut));
		expect(m.evaluate(now)).toEqual(batch({records: [...records, late], events, now, params: {budget: {run: 3, issue: 10, day: 30}}}));
		expect(loaded).toBe(1);

		// A streamed Claude response that grew: the same key, more output, read after the snapshot.
		const cut2 = T0 + 7 * 60 * MIN + 100_000;
		const before2 = {records: records.filter((r) => r.at <= cut2), events: events.filter((e) => e.at <= cut2)};
		const snap2 = roundTrip(folded(before2.records, before2.events).snapshot()!);
		const old = before2.records.find((r) => r.runId === 'ctx' && r.at === T0 + 7 * 60 * MIN + 40_000)!;
		const grown = {...old, tokens: {...old.tokens, output: 90_000, total: 210_000}, usd: 3} as UsageRecord;
		loaded = 0;
		const m2 = FlagMonitor.resume(options, snap2, () => (loaded++, before2));
		m2.addRecords([grown, ...records.filter((r) => r.at > cut2)]);
		m2.addEvents(events.filter((e) => e.at > cut2));
		expect(loaded).toBe(1);
		const replaced = records.map((r) => (r.key === old.key ? grown : r));
		expect(batch({records: replaced, events, now, params: {budget: {run: 3, issue: 10, day: 30}}})).not.toEqual(all); // the replacement matters
		expect(m2.evaluate(now)).toEqual(batch({records: replaced, events, now, params: {budget: {run: 3, issue: 10, day: 30}}}));
	});

	it('a snapshot without keys resumes with nothing new at once, and loads the history before taking anything in', () => {
		const snap = roundTrip(folded(records, events).snapshot({keys: false})!);
		expect(snap.keys).toBeNull();
		let loaded = 0;
		const m = FlagMonitor.resume(options, snap, () => (loaded++, {records, events}));
		expect(m.evaluate(now)).toEqual(all);
		expect(loaded).toBe(0);
		const late = rec({runId: 'late', at: T0 + 11 * 60 * MIN, usd: 0.05});
		const m2 = FlagMonitor.resume(options, roundTrip(folded(records, events).snapshot({keys: false})!), () => (loaded++, {records, events}));
		m2.addRecords([late]);
		expect(loaded).toBe(1);
		expect(m2.evaluate(now)).toEqual(batch({records: [...records, late], events, now, params: {budget: {run: 3, issue: 10, day: 30}}}));
	});

	it('no snapshot while items are pending (live lateness)', () => {
		const m = new FlagMonitor({...options, lateness: 10 * MIN});
		m.addRecords(records);
		m.evaluate(now);
		expect(m.snapshot()).toBeNull();
	});
});

describe('the live hook resumes a kept fold', () => {
	it('gives the flags of folding everything, before and after new records and events arrive', () => {
		const {records, events} = history();
		const pricer = (r: UsageRecord) => ({usd: costOf(r), basis: costOf(r) === null ? ('unpriced' as const) : ('computed' as const)});
		const cut = T0 + 8 * 60 * MIN;
		const ledger = new Ledger({pricer});
		ledger.add(records.filter((r) => r.at <= cut));
		const seen = events.filter((e) => e.at <= cut);
		// What summary --once keeps: the batch fold of this ledger, without record keys.
		const batchFold = new FlagMonitor({params, costOf: (r) => ledger.costOf(r.key)?.usd ?? null});
		batchFold.addRecords(ledger.records());
		batchFold.addEvents(seen);
		batchFold.evaluate(cut);
		const kept = roundTrip(batchFold.snapshot({keys: false})!);
		let asked = 0;
		const resumed = createFlagHook({params, all: true, lateness: 0, clock: () => 0, resume: () => (asked++, {snapshot: kept})});
		const fresh = createFlagHook({params, all: true, lateness: 0, clock: () => 0});
		expect(resumed(ledger, cut, () => seen)).toEqual(fresh(ledger, cut, () => seen));
		expect(asked).toBe(1);
		// Then the rest of the day arrives.
		ledger.add(records.filter((r) => r.at > cut));
		seen.push(...events.filter((e) => e.at > cut));
		const a = resumed(ledger, now, () => seen);
		expect(a).toEqual(fresh(ledger, now, () => seen));
		expect(a.length).toBeGreaterThan(3);
		expect(asked).toBe(1);
	});
});

describe('the live hook resumes a kept fold that the ledger extends', () => {
	it('with the items since added, gives the flags of folding everything, before and after more arrive', () => {
		const {records, events} = history();
		const pricer = (r: UsageRecord) => ({usd: costOf(r), basis: costOf(r) === null ? ('unpriced' as const) : ('computed' as const)});
		const cut = T0 + 6 * 60 * MIN;
		const later = T0 + 8 * 60 * MIN;
		const ledger = new Ledger({pricer});
		ledger.add(records.filter((r) => r.at <= cut));
		const seen = events.filter((e) => e.at <= cut);
		const batchFold = new FlagMonitor({params, costOf: (r) => ledger.costOf(r.key)?.usd ?? null});
		batchFold.addRecords(ledger.records());
		batchFold.addEvents(seen);
		batchFold.evaluate(cut);
		const kept = roundTrip(batchFold.snapshot({keys: false})!);
		const content = foldContent(ledger.records(), seen);
		// A summary's small append: the ledger and events grew past the kept fold.
		ledger.add(records.filter((r) => r.at > cut && r.at <= later));
		seen.push(...events.filter((e) => e.at > cut && e.at <= later));
		const append = foldAppend(content, ledger.records(), seen)!;
		expect(append.records.length).toBeGreaterThan(0);
		const resumed = createFlagHook({params, all: true, lateness: 0, clock: () => 0, resume: () => ({snapshot: kept, since: {records: append.records, events: append.events, before: append.before}})});
		const fresh = createFlagHook({params, all: true, lateness: 0, clock: () => 0});
		expect(resumed(ledger, later, () => seen)).toEqual(fresh(ledger, later, () => seen));
		ledger.add(records.filter((r) => r.at > later));
		seen.push(...events.filter((e) => e.at > later));
		const a = resumed(ledger, now, () => seen);
		expect(a).toEqual(fresh(ledger, now, () => seen));
		expect(a.length).toBeGreaterThan(3);
	});
});

describe('a live hook keeps its fold when it stops', () => {
	it('finalFold folds the lines still within the lateness and gives what the batch fold gives', () => {
		const {records, events} = history();
		const pricer = (r: UsageRecord) => ({usd: costOf(r), basis: costOf(r) === null ? ('unpriced' as const) : ('computed' as const)});
		const ledger = new Ledger({pricer});
		const hook = createFlagHook({params, lateness: 15 * MIN, clock: () => 0});
		const sorted = [...records].sort((a, b) => a.at - b.at);
		const seen: ActivityEvent[] = [];
		for (let i = 0; i < sorted.length; i += 7) {
			ledger.add(sorted.slice(i, i + 7));
			const upTo = sorted[Math.min(i + 6, sorted.length - 1)]!.at;
			seen.push(...events.filter((e) => e.at <= upTo && !seen.includes(e)));
			hook(ledger, upTo, () => seen);
		}
		seen.push(...events.filter((e) => !seen.includes(e)));
		hook(ledger, now, () => seen);
		const final = hook.finalFold()!;
		expect(final.ledger).toBe(ledger);
		expect(final.events).toBe(events.length);
		const m = FlagMonitor.resume({params, costOf: (r) => ledger.costOf(r.key)?.usd ?? null}, roundTrip(final.snapshot), () => ({records: [...ledger.records()], events: seen}));
		const expected = batch({records: [...ledger.records()].map((r) => ({...r, usd: ledger.costOf(r.key)?.usd ?? null}) as UsageRecord), events, now, params: {budget: {run: 3, issue: 10, day: 30}}});
		expect(m.evaluate(now)).toEqual(expected);
		// The ledger moved on since the hook last looked: no fold to keep.
		ledger.add([rec({runId: 'after', at: now, usd: 0.1})]);
		expect(hook.finalFold()).toBeNull();
	});
});
