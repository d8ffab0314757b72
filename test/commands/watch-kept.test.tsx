import {appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {Writable} from 'node:stream';
import {render} from 'ink-testing-library';
import React from 'react';
import {afterAll, afterEach, beforeEach, describe, expect, it} from 'vitest';
import {loadFlagParams, flagStateCache} from '../../source/commands/flag-options.js';
import {loadPrices} from '../../source/commands/price-sheets.js';
import {discoveryOptions} from '../../source/commands/source-flags.js';
import {runSummary} from '../../source/commands/summary.js';
import {KeptStore, watchKeptSnapshot} from '../../source/commands/watch-kept.js';
import {withQuota} from '../../source/commands/watch-quota.js';
import {runGuid, usageLine, type TurnSpec} from '../../source/demo/usage-line.js';
import {discoverSources} from '../../source/ingest/discover.js';
import {minutePoints} from '../../source/ingest/document.js';
import {createLiveEngine, type Engine} from '../../source/ingest/engine.js';
import {App} from '../../source/ui/App.js';
import {runCli} from '../helpers/cli.js';
import {KEYS, press, waitForFrame} from '../helpers/ink.js';
import {tempDir} from '../helpers/temp.js';

/**
 * `watch` over files unchanged since the last full read draws its first full frame from the
 * summary kept at the index's watermark (commands/watch-kept.ts), marked as still reading, before
 * the engine has read anything; the engine's first snapshot replaces it. Deterministic: the kept
 * frame is asserted before the engine is even started, never by timing.
 */
const T0 = Date.UTC(2026, 10, 2, 12, 0, 0);

function line(runId: string, n: number, issue: string, minute: number): string {
	const endedAt = T0 + minute * 60_000;
	const spec: TurnSpec = {runId, turn: n, issue, provider: 'anthropic', model: 'claude-sonnet-4-6', botRole: 'developer', startedAt: endedAt - 20_000, endedAt, input: 2_000, cacheRead: 30_000, cacheWrite: 1_000, output: 800};
	return usageLine(spec) + '\n';
}

const sink = () =>
	new Writable({
		write(_chunk, _enc, done) {
			done();
		},
	});

describe('watch starts from the kept summary', () => {
	const {dir, cleanup} = tempDir('burn-watch-kept-');
	afterAll(cleanup);
	const home = join(dir, 'home');
	const work = join(home, 'work');
	const telemetry = join(work, '.symphony', 'telemetry');
	const usage = join(telemetry, 'usage.jsonl');
	const cache = join(dir, 'cache');
	const env = {HOME: home, XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state'), XDG_CACHE_HOME: join(dir, 'xdg-cache')};
	const flags = {usage: [telemetry]};
	const RUN_A = runGuid(11, 1);
	const RUN_B = runGuid(11, 2);
	const mounted: Array<() => void> = [];
	const engines: Engine[] = [];
	afterEach(async () => {
		while (mounted.length > 0) mounted.pop()!();
		for (const e of engines.splice(0)) await e.stop();
	});

	beforeEach(() => {
		rmSync(home, {recursive: true, force: true});
		rmSync(cache, {recursive: true, force: true});
		mkdirSync(telemetry, {recursive: true});
		writeFileSync(usage, line(RUN_A, 1, 'MT-7', 0) + line(RUN_A, 2, 'MT-7', 3) + line(RUN_B, 1, 'MT-8', 5));
	});

	/** `summary --once` in this process (the kept summary names burn's build: the same modules must read it). */
	const summaryOnce = async () => {
		const code = await runSummary({argv: ['--once', '--json', '--cache-dir', cache, '--usage', telemetry], env, cwd: work, stdout: sink()});
		expect(code).toBe(0);
		expect(existsSync(join(cache, 'summary.v8'))).toBe(true);
	};

	/** What `watch` sets up: the engine (not started) and the store the screen reads, the kept result offered. */
	const watchStore = () => {
		const prices = loadPrices({}, env, work);
		const discovery = discoveryOptions(flags, env, work);
		const discovered = discoverSources(discovery);
		const cacheFor = flagStateCache(cache, [], prices);
		const engine = createLiveEngine({discovery, pricer: prices.pricer, cacheDir: cache, issuePatterns: [], notifyIntervalMs: 10, watch: false}, discovered);
		engines.push(engine);
		const kept = new KeptStore(engine.store);
		const found = watchKeptSnapshot({discovery: discovered, patterns: [], prices, params: loadFlagParams({}, env, work), cache: cacheFor, now: Date.now()});
		kept.offer(found);
		const store = withQuota(kept, {samples: () => [], stamp: () => '', pollMs: 0});
		const r = render(<App store={store} size={{columns: 120, rows: 30}} tickMs={0} />);
		mounted.push(r.unmount);
		return {engine, found, ...r};
	};

	it('shows every kept record, marked as reading, before the engine has read a file; then the engine takes over', async () => {
		await summaryOnce();
		const {engine, found, lastFrame} = watchStore();
		expect(found).not.toBeNull();
		expect(engine.stats.files).toBe(0);
		const first = lastFrame()!;
		expect(first).toContain('MT-7');
		expect(first).toContain('MT-8');
		expect(first).toContain('3 records');
		expect(first).toContain('… reading');
		expect(first).not.toContain('● live');
		// The recent rate needs the records: unknown, not $0.
		expect(first).toContain('—/h');
		await engine.start();
		const live = await waitForFrame(lastFrame, (f) => f.includes('● live'));
		expect(live).toContain('MT-7');
		expect(live).toContain('3 records');
	});

	it('drill-down to turns before the engine is ready says it is reading, then lists the turns', async () => {
		await summaryOnce();
		const {engine, stdin, lastFrame} = watchStore();
		await waitForFrame(lastFrame, (f) => f.includes('MT-7') && f.includes('… reading'));
		// Issues → MT-7's runs (from the kept document) → RUN_A's turns (records: not decoded yet).
		await press(stdin, '/');
		for (const ch of 'MT-7') await press(stdin, ch);
		await press(stdin, KEYS.enter);
		await waitForFrame(lastFrame, (f) => f.includes('filter "MT-7"'));
		await press(stdin, KEYS.enter);
		const runs = await waitForFrame(lastFrame, (f) => f.split('\n')[0]!.includes('Issues › MT-7') && f.includes(RUN_A.slice(0, 8)));
		expect(runs).toContain('… reading');
		await press(stdin, KEYS.enter);
		const turns = await waitForFrame(lastFrame, (f) => f.split('\n')[0]!.includes(`run ${RUN_A.slice(0, 8)}`));
		expect(turns).toContain('reading…');
		expect(turns).not.toContain('nothing here yet');
		expect(turns).not.toContain('no data');
		await engine.start();
		const after = await waitForFrame(lastFrame, (f) => f.includes('● live'));
		expect(after).not.toContain('reading…');
		expect(after).not.toContain('nothing here yet');
	});

	it('the kept per-minute spend is the one a full read gives, for the day before now', async () => {
		// Judged an hour after the lines: every minute is within the day, none is dropped.
		const now = new Date(T0 + 60 * 60_000);
		const code = await runSummary({argv: ['--once', '--json', '--cache-dir', cache, '--usage', telemetry], env, cwd: work, stdout: sink(), now});
		expect(code).toBe(0);
		const prices = loadPrices({}, env, work);
		const discovered = discoverSources(discoveryOptions(flags, env, work));
		const found = watchKeptSnapshot({discovery: discovered, patterns: [], prices, params: loadFlagParams({}, env, work), cache: flagStateCache(cache, [], prices), now: now.getTime()});
		expect(found).not.toBeNull();
		const engine = createLiveEngine({discovery: discoveryOptions(flags, env, work), pricer: prices.pricer, cacheDir: join(dir, 'other-cache'), issuePatterns: [], notifyIntervalMs: 10, watch: false}, discovered);
		engines.push(engine);
		await engine.start();
		const truth = minutePoints(engine.store.getSnapshot().ledger, now.getTime());
		expect(truth.map((m) => m.records)).toEqual([1, 1, 1]);
		expect(found!.minutes).toEqual(truth);
	});

	it('a file changed since the kept summary: nothing kept is shown, the screen waits for the read', async () => {
		await summaryOnce();
		appendFileSync(usage, line(runGuid(11, 3), 1, 'MT-9', 8));
		const {engine, found, lastFrame} = watchStore();
		expect(found).toBeNull();
		const first = lastFrame()!;
		expect(first).not.toContain('MT-7');
		expect(first).toContain('reading…');
		// Nothing is known yet: not "no sources found", no count, no day's total.
		expect(first).not.toContain('no sources found');
		expect(first).not.toMatch(/\d records/);
		expect(first).toContain('today —');
		await engine.start();
		const live = await waitForFrame(lastFrame, (f) => f.includes('● live'));
		expect(live).toContain('MT-9');
		expect(live).toContain('4 records');
	});

	it('watch keeps its count on quit: a later summary --once answers from it, the same as a full read', () => {
		// The built CLI both times (its build is the one the kept summary names).
		const w = runCli(['watch', '--cache-dir', cache, '--usage', telemetry], {cwd: work, env});
		expect(w.code, w.stderr).toBe(0);
		const kept = join(cache, 'summary.v8');
		expect(existsSync(kept)).toBe(true);
		const before = statSync(kept);
		const norm = (stdout: string) => {
			const doc = JSON.parse(stdout);
			doc.generatedAt = '';
			doc.flags = doc.flags.filter((f: {kind: string}) => f.kind !== 'stall' && f.kind !== 'data_quality');
			return JSON.stringify(doc, null, 1);
		};
		const warm = runCli(['summary', '--once', '--json', '--cache-dir', cache, '--usage', telemetry], {cwd: work, env});
		expect(warm.code, warm.stderr).toBe(0);
		const after = statSync(kept);
		// A hit leaves the kept summary as it was (a miss rewrites it).
		expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
		const copy = join(dir, 'truth');
		rmSync(copy, {recursive: true, force: true});
		cpSync(cache, copy, {recursive: true});
		// The index is its manifest and segments; the kept summary and fold go.
		for (const name of readdirSync(copy)) if (name !== 'index.json' && !/^index-[0-9a-f]+\.seg$/.test(name)) unlinkSync(join(copy, name));
		const truth = runCli(['summary', '--once', '--json', '--cache-dir', copy, '--usage', telemetry], {cwd: work, env});
		expect(truth.code, truth.stderr).toBe(0);
		expect(norm(warm.stdout)).toBe(norm(truth.stdout));
		expect(JSON.parse(warm.stdout).totals.records).toBe(3);
	});
});
