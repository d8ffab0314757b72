import {isDeepStrictEqual} from 'node:util';
import {afterEach, describe, expect, it} from 'vitest';
import {collectSummary} from '../../source/ingest/read-once.js';
import {discoveryOptions} from '../../source/commands/source-flags.js';
import type {SummaryJson} from '../../source/core/summary.js';
import {DemoFactory} from '../../source/demo/factory.js';
import {Engine} from '../../source/ingest/engine.js';

const T0 = Date.UTC(2026, 10, 2, 12, 0, 0);
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
	while (cleanups.length > 0) await cleanups.pop()!();
});

const counted = (doc: SummaryJson) => ({
	totals: doc.totals.tokens,
	records: doc.totals.records,
	byIssue: Object.fromEntries(Object.entries(doc.byIssue).map(([k, {sources: _, ...v}]) => [k, v])),
	byRun: Object.fromEntries(Object.entries(doc.byRun).map(([k, {sources: _, ...v}]) => [k, v])),
	bySource: doc.bySource,
	overlap: doc.overlap ?? null,
});

describe('burn watch --demo counts once', () => {
	it('usage.jsonl and Claude transcripts never describe the same calls, and watch counts what summary counts', async () => {
		let t = T0;
		const f = new DemoFactory({now: () => t, claude: true});
		cleanups.push(() => f.remove());
		f.start();
		f.stop();
		for (; t <= T0 + 90_000; t += 500) f.tick(t);
		// The discovery `watch --demo` builds.
		const discovery = discoveryOptions({usage: [f.usageDir], claudeDir: [f.claudeDir]}, {HOME: f.dir}, f.dir);
		const engine = new Engine({discovery, cacheDir: null, now: () => t, watch: false});
		cleanups.push(() => engine.stop());
		await engine.start();
		const live = engine.store.getSnapshot().doc;
		const {doc} = await collectSummary({discovery, cacheDir: null, now: new Date(t)});
		expect(live.bySource.symphony?.records).toBeGreaterThan(0);
		expect(live.bySource.claude?.records).toBeGreaterThan(0);
		expect(isDeepStrictEqual(counted(live), counted(doc))).toBe(true);
		// The rule was considered (turns name workspaces) and had nothing to replace: each workspace
		// is written by one agent, so no token is counted from both files.
		expect(doc.overlap).toMatchObject({coveredTurns: 0, reattributedRecords: 0});
		expect(doc.overlap!.candidateTurns).toBe(live.bySource.symphony!.records);
		for (const [issue, sources] of Object.entries(Object.fromEntries(Object.entries(doc.byIssue).map(([k, b]) => [k, Object.keys(b.sources ?? {})])))) {
			expect(sources, issue).toHaveLength(1);
		}
	});
});
