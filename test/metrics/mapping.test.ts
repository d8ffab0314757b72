/**
 * The metrics mapping without a server: names by the OTel→Prometheus convention, a snapshot's
 * points (disjoint token types, unknown never 0, sums equal to the summary document), labels,
 * the spend rate and live flags at the scrape clock, and counters that never go down.
 */
import {describe, expect, it} from 'vitest';
import type {Flag} from '../../source/core/flags.js';
import type {UsageRecord} from '../../source/core/record.js';
import {COUNTERS, FAMILIES, parseLabelChoice, promNameOf, retractedFamily} from '../../source/metrics/families.js';
import {MetricsFeed} from '../../source/metrics/feed.js';
import {prometheusName} from '../../source/metrics/names.js';
import {aggregate, counterPoints, gaugePoints, type MetricPoint} from '../../source/metrics/points.js';
import {parseInterval, parseListenAddress} from '../../source/metrics/address.js';
import {TestStore, testPricer} from '../helpers/ledger-store.js';
import {makeRecord} from '../helpers/records.js';

const NOW = Date.parse('2026-10-02T10:00:00Z');

function rec(n: number, o: Parameters<typeof makeRecord>[0] = {}): UsageRecord {
	return makeRecord({key: `k${n}`, runId: `run-${n % 3}`, at: NOW - 60 * 60_000 + n * 1000, origin: {path: '/a.jsonl', line: n, offset: null}, ...o});
}

function storeWith(records: UsageRecord[]): TestStore {
	const store = new TestStore({now: NOW, pricer: testPricer});
	store.ledger.add(records);
	store.publish();
	return store;
}

const sumOf = (points: MetricPoint[], family: string, match: Record<string, string> = {}) =>
	points.filter((p) => p.family === family && Object.entries(match).every(([k, v]) => p.labels[k] === v)).reduce((a, p) => a + p.value, 0);

describe('metric names', () => {
	it.each([
		['burn.token.usage', 'tokens', 'counter', 'burn_token_usage_tokens_total'],
		['burn.cost.usage', 'USD', 'counter', 'burn_cost_usage_USD_total'],
		['burn.records', '{record}', 'counter', 'burn_records_total'],
		['burn.quota.used', '1', 'gauge', 'burn_quota_used_ratio'],
		['burn.spend.rate', 'USD/h', 'gauge', 'burn_spend_rate_USD_per_hour'],
		['burn.source.last_record', 's', 'gauge', 'burn_source_last_record_seconds'],
		['burn.engine.ready', '', 'gauge', 'burn_engine_ready'],
		['http.server.duration', 'ms', 'gauge', 'http_server_duration_milliseconds'],
		['x.bytes', 'By', 'counter', 'x_bytes_total'],
	] as const)('%s (%s, %s) → %s', (name, unit, kind, expected) => {
		expect(prometheusName(name, unit, kind)).toBe(expected);
	});

	it('every family has a distinct, valid Prometheus name; retracted siblings keep the unit', () => {
		const names = FAMILIES.map(promNameOf);
		expect(new Set(names).size).toBe(names.length);
		for (const n of names) expect(n).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
		expect(promNameOf(retractedFamily(COUNTERS[0]!))).toBe('burn_token_usage_retracted_tokens_total');
		expect(promNameOf(retractedFamily(COUNTERS[1]!))).toBe('burn_cost_usage_retracted_USD_total');
	});
});

describe('points from a snapshot', () => {
	it('token types are disjoint (input is the uncached part) and sum to the total', () => {
		const store = storeWith([rec(1, {tokens: {input: 100, cacheRead: 30, cacheWrite: 20, output: 10, total: 110}})]);
		const points = counterPoints(aggregate(store.getSnapshot().ledger, {issue: true, run: false}, NOW));
		const tokens = points.filter((p) => p.family === 'burn.token.usage');
		expect(Object.fromEntries(tokens.map((p) => [p.labels.type, p.value]))).toEqual({input: 50, cache_read: 30, cache_write: 20, output: 10});
		expect(tokens.reduce((a, p) => a + p.value, 0)).toBe(110);
		expect(tokens[0]!.labels).toEqual({type: 'input', provider: 'claude', model: 'claude-sonnet-4-6', source: 'symphony', issue: 'MT-1'});
	});

	it('unknown is never exported as 0: no point for an unstated type, a count of the records that did not state it', () => {
		const store = storeWith([
			rec(1, {tokens: {input: null, output: null, total: null}}),
			rec(2, {model: 'mystery-1', tokens: {input: 10, output: 5, total: 15}}),
		]);
		const points = counterPoints(aggregate(store.getSnapshot().ledger, {issue: true, run: false}, NOW));
		const sonnet = points.filter((p) => p.labels.model === 'claude-sonnet-4-6');
		expect(sonnet.filter((p) => p.family === 'burn.token.usage')).toEqual([]);
		expect(sonnet.filter((p) => p.family === 'burn.cost.usage')).toEqual([]);
		expect(sumOf(points, 'burn.records.unstated', {field: 'output', model: 'claude-sonnet-4-6'})).toBe(1);
		expect(sumOf(points, 'burn.records.unstated', {field: 'input', model: 'claude-sonnet-4-6'})).toBe(1);
		// The mystery model has tokens but no price: no cost point, one unpriced record.
		expect(points.filter((p) => p.family === 'burn.cost.usage')).toEqual([]);
		expect(sumOf(points, 'burn.records.unpriced')).toBe(2);
		expect(sumOf(points, 'burn.token.usage', {type: 'output'})).toBe(5);
		expect(sumOf(points, 'burn.records')).toBe(2);
	});

	it('sums over series equal the summary document', () => {
		const records: UsageRecord[] = [];
		for (let i = 0; i < 40; i++) {
			records.push(rec(i, {issue: i % 4 === 0 ? null : `MT-${i % 5}`, model: i % 7 === 0 ? 'mystery-x' : 'claude-sonnet-4-6', tokens: {input: 1000 + i, cacheRead: i * 3, output: i % 9 === 0 ? null : 17 * i, total: null}}));
		}
		const store = storeWith(records);
		const snap = store.getSnapshot();
		const points = counterPoints(aggregate(snap.ledger, {issue: true, run: false}, NOW));
		expect(sumOf(points, 'burn.cost.usage')).toBeCloseTo(snap.doc.totals.cost!.usd!, 9);
		expect(sumOf(points, 'burn.token.usage', {type: 'output'})).toBe(snap.doc.totals.tokens.output.value);
		expect(sumOf(points, 'burn.records.unstated', {field: 'output'})).toBe(snap.doc.totals.tokens.output.missing);
		expect(sumOf(points, 'burn.records')).toBe(snap.doc.totals.records);
		for (const [issue, b] of Object.entries(snap.doc.byIssue)) expect(sumOf(points, 'burn.records', {issue})).toBe(b.records);
		expect(points.some((p) => p.labels.issue === '(none)')).toBe(true);
	});

	it('--labels: issue off drops it, run on adds it', () => {
		const store = storeWith([rec(1), rec(2, {issue: 'MT-2'})]);
		const ledger = store.getSnapshot().ledger;
		const none = counterPoints(aggregate(ledger, {issue: false, run: false}, NOW));
		expect(none.every((p) => !('issue' in p.labels) && !('run' in p.labels))).toBe(true);
		expect(sumOf(none, 'burn.records')).toBe(2);
		expect(none.filter((p) => p.family === 'burn.records')).toHaveLength(1);
		const runs = counterPoints(aggregate(ledger, {issue: true, run: true}, NOW));
		expect(runs.filter((p) => p.family === 'burn.records').map((p) => p.labels.run).sort()).toEqual(['run-1', 'run-2']);
		expect(parseLabelChoice(['issue,run'])).toEqual({issue: true, run: true});
		expect(parseLabelChoice(['none'])).toEqual({issue: false, run: false});
		expect(parseLabelChoice(['model'])).toMatch(/issue and run/);
	});

	it('the spend rate is the last 5 minutes at the scrape clock, per hour; idle issues have none', () => {
		const store = storeWith([
			rec(1, {at: NOW - 60_000, tokens: {input: 1_000_000, output: 0, total: 1_000_000}}), // $3
			rec(2, {at: NOW - 30 * 60_000, issue: 'MT-9', tokens: {input: 1_000_000, output: 0, total: 1_000_000}}),
		]);
		const snap = store.getSnapshot();
		const agg = aggregate(snap.ledger, {issue: true, run: false}, snap.now);
		const rate = gaugePoints(agg, snap, NOW, {issue: true, run: false}).filter((p) => p.family === 'burn.spend.rate');
		expect(rate).toEqual([{family: 'burn.spend.rate', labels: {issue: 'MT-1'}, value: 36}]);
		const later = gaugePoints(agg, snap, NOW + 10 * 60_000, {issue: true, run: false});
		expect(later.filter((p) => p.family === 'burn.spend.rate')).toEqual([]);
	});

	it('active flags by kind, severity, scope and issue; cleared and stale ones are gone', () => {
		const store = storeWith([rec(1), rec(4)]);
		const flag = (id: string, o: Partial<Flag>): Flag => ({
			id,
			kind: 'spend_spike',
			scope: {type: 'run', id: 'run-1'},
			severity: 'crit',
			value: 1,
			threshold: 1,
			unit: 'usd/min',
			baseline: null,
			firstAt: NOW - 60_000,
			lastAt: NOW - 60_000,
			message: 'm',
			...o,
		});
		store.flags = [
			flag('a', {}),
			flag('b', {scope: {type: 'issue', id: 'MT-7'}, kind: 'budget_burn', severity: 'warn'}),
			flag('c', {active: false}),
			flag('d', {lastAt: NOW - 60 * 60_000}),
		];
		store.publish();
		const snap = store.getSnapshot();
		const agg = aggregate(snap.ledger, {issue: true, run: false}, snap.now);
		const flags = gaugePoints(agg, snap, NOW, {issue: true, run: false}).filter((p) => p.family === 'burn.flags.active');
		expect(flags).toEqual([
			{family: 'burn.flags.active', labels: {kind: 'spend_spike', severity: 'crit', scope: 'run', issue: 'MT-1'}, value: 1},
			{family: 'burn.flags.active', labels: {kind: 'budget_burn', severity: 'warn', scope: 'issue', issue: 'MT-7'}, value: 1},
		]);
	});

	it('quota: the latest vendor sample per provider and window, as a ratio', () => {
		const q = (at: number, used: number) => ({at, planType: null, windows: [{label: 'primary', windowMinutes: 300, usedPercent: used, resetsAt: null}]});
		const store = storeWith([rec(1, {quota: q(NOW - 5000, 20)}), rec(2, {quota: q(NOW - 1000, 42)})]);
		const snap = store.getSnapshot();
		const points = gaugePoints(aggregate(snap.ledger, {issue: true, run: false}, snap.now), snap, NOW, {issue: true, run: false});
		expect(points.filter((p) => p.family === 'burn.quota.used')).toEqual([{family: 'burn.quota.used', labels: {provider: 'claude', window: '5-hour'}, value: 0.42}]);
	});
});

describe('counters never go down', () => {
	const exported = (points: MetricPoint[], family: string) => sumOf(points, family);

	it('a retraction holds the counter, then is booked in .retracted after the grace time', () => {
		const store = storeWith([rec(1), rec(2, {origin: {path: '/b.jsonl', line: 1, offset: null}})]);
		const feed = new MetricsFeed(store, {graceMs: 1000});
		const before = feed.read(NOW);
		const cost = exported(before, 'burn.cost.usage');
		expect(cost).toBeGreaterThan(0);
		store.ledger.retractFile('/b.jsonl');
		store.publish();
		const held = feed.read(NOW + 10);
		expect(exported(held, 'burn.cost.usage')).toBe(cost);
		expect(held.filter((p) => p.family.endsWith('.retracted'))).toEqual([]);
		const booked = feed.read(NOW + 2000);
		expect(exported(booked, 'burn.cost.usage')).toBe(cost);
		const now = store.getSnapshot().doc.totals.cost!.usd!;
		expect(cost - exported(booked, 'burn.cost.usage.retracted')).toBeCloseTo(now, 9);
		expect(exported(booked, 'burn.records') - exported(booked, 'burn.records.retracted')).toBe(1);
	});

	it('a file rewritten in place within the grace time books nothing and counts nothing twice', () => {
		const store = storeWith([rec(1), rec(2)]);
		const feed = new MetricsFeed(store, {graceMs: 1000});
		const tokens = exported(feed.read(NOW), 'burn.token.usage');
		store.ledger.retractFile('/a.jsonl');
		store.publish();
		feed.read(NOW + 100);
		store.ledger.add([rec(1), rec(2), rec(3)]);
		store.publish();
		const after = feed.read(NOW + 5000);
		expect(exported(after, 'burn.token.usage')).toBe(tokens * 1.5);
		expect(after.filter((p) => p.family.endsWith('.retracted'))).toEqual([]);
	});

	it('a record moved to another issue keeps the old series and adds to the new one', () => {
		const store = storeWith([rec(1)]);
		const feed = new MetricsFeed(store, {graceMs: 0});
		feed.read(NOW);
		store.ledger.retractFile('/a.jsonl');
		store.ledger.add([rec(1, {issue: 'MT-2', origin: {path: '/c.jsonl', line: 1, offset: null}})]);
		store.publish();
		const after = feed.read(NOW + 1);
		expect(sumOf(after, 'burn.records', {issue: 'MT-1'})).toBe(1);
		expect(sumOf(after, 'burn.records.retracted', {issue: 'MT-1'})).toBe(1);
		expect(sumOf(after, 'burn.records', {issue: 'MT-2'})).toBe(1);
	});

	it('a restart resumes from the saved state, and a shrink while down is booked, not exported as a drop', () => {
		const store = storeWith([rec(1), rec(2, {origin: {path: '/b.jsonl', line: 1, offset: null}})]);
		const feed = new MetricsFeed(store, {graceMs: 1000});
		const first = feed.read(NOW);
		const saved = JSON.parse(JSON.stringify(feed.state()));
		// Same data after the restart: the same values, nothing retracted.
		const again = new MetricsFeed(storeWith([rec(1), rec(2, {origin: {path: '/b.jsonl', line: 1, offset: null}})]), {graceMs: 1000, saved});
		const resumed = again.read(NOW + 60_000);
		for (const family of ['burn.cost.usage', 'burn.token.usage', 'burn.records']) expect(exported(resumed, family)).toBe(exported(first, family));
		// /b.jsonl vanished while burn was down.
		const shrunk = new MetricsFeed(storeWith([rec(1)]), {graceMs: 1000, saved});
		expect(exported(shrunk.read(NOW + 60_000), 'burn.records')).toBe(2);
		const settled = shrunk.read(NOW + 62_000);
		expect(exported(settled, 'burn.records')).toBe(2);
		expect(exported(settled, 'burn.records.retracted')).toBe(1);
	});

	it('before the first full read only burn.engine.ready = 0 is exported', () => {
		const store = storeWith([rec(1)]);
		store.ready = false;
		store.publish();
		expect(new MetricsFeed(store).read(NOW)).toEqual([{family: 'burn.engine.ready', labels: {}, value: 0}]);
	});
});

describe('flag values', () => {
	it.each([
		['127.0.0.1:9464', {host: '127.0.0.1', port: 9464}],
		[':0', {host: '127.0.0.1', port: 0}],
		['9464', {host: '127.0.0.1', port: 9464}],
		['[::1]:9000', {host: '::1', port: 9000}],
		['0.0.0.0:80', {host: '0.0.0.0', port: 80}],
	])('--metrics %s', (value, expected) => expect(parseListenAddress(value)).toEqual(expected));

	it.each(['host', '1.2.3.4:99999', '::1:80', 'a:b'])('--metrics %s is refused', (value) => expect(typeof parseListenAddress(value)).toBe('string'));

	it('--otlp-interval', () => {
		expect(parseInterval('500ms')).toBe(500);
		expect(parseInterval('10s')).toBe(10_000);
		expect(parseInterval('1m')).toBe(60_000);
		expect(parseInterval('250')).toBe(250);
		expect(typeof parseInterval('5')).toBe('string');
		expect(typeof parseInterval('fast')).toBe('string');
	});
});
