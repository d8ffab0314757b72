/**
 * Claude's windows in the watch header: samples the statusline wrote to a real state file,
 * joined to the live store's snapshots by the quota wrapper (commands/watch-quota.ts).
 */
import {render} from 'ink-testing-library';
import React from 'react';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {withQuota} from '../../source/commands/watch-quota.js';
import {appendSample, readSamples, samplesStamp} from '../../source/ingest/quota-state.js';
import {App} from '../../source/ui/App.js';
import {waitForFrame} from '../helpers/ink.js';
import {tempDir} from '../helpers/temp.js';
import {factoryStore, NOW} from '../helpers/watch-fixture.js';

let dir: string;
let cleanup: () => void;
const stops: Array<() => void> = [];
beforeEach(() => ({dir, cleanup} = tempDir()));
afterEach(() => {
	while (stops.length > 0) stops.pop()!();
	cleanup();
});

const sample = (used: number, resetsInMin: number, at = NOW) => ({
	provider: 'anthropic',
	source: 'statusline',
	at,
	windows: [{label: 'five_hour', windowMinutes: 300, usedPercent: used, resetsAt: Math.floor((at + resetsInMin * 60_000) / 1000)}],
});

function mount(pollMs: number) {
	const base = factoryStore();
	const store = withQuota(base, {samples: () => readSamples(dir).samples, stamp: () => samplesStamp(dir), pollMs, clock: () => base.now});
	const r = render(<App store={store} size={{columns: 100, rows: 24}} clock={() => base.now} tickMs={0} />);
	stops.push(r.unmount, () => store.stop());
	return {...r, store};
}

describe('watch header quota', () => {
	it("shows the statusline's window (used %, reset, pace) and the document carries it", () => {
		appendSample(dir, sample(42, 120)); // 3 h of 5 elapsed: pace 0.7
		const {lastFrame, store} = mount(0);
		expect(lastFrame()!.split('\n')[0]).toMatch(/5h 42% ↻\d\d:\d\d ×0\.7$/);
		expect(store.getSnapshot().doc.quota).toEqual([expect.objectContaining({provider: 'anthropic', window: '5h', usedPercent: 42, stale: false})]);
		expect(store.getSnapshot()).toBe(store.getSnapshot()); // same object until something changes
		expect(store.getSnapshot().flags).toEqual([]);
	});

	it('a window near its limit is a live flag in the strip (what --notify and --on-flag see)', () => {
		appendSample(dir, sample(97, 120));
		const {lastFrame, store} = mount(0);
		expect(store.getSnapshot().flags).toEqual([expect.objectContaining({kind: 'rate_limit_proximity', severity: 'crit', scope: {type: 'source', id: 'anthropic 5h'}})]);
		expect(lastFrame()).toMatch(/‼ anthropic 5h: The anthropic 5h rate-limit window is 97% used/);
	});

	it('a stale window is not shown; a new sample in the file appears without new records', async () => {
		appendSample(dir, sample(91, 60, NOW - 6 * 3_600_000)); // reset 5 h ago
		const {lastFrame} = mount(20);
		expect(lastFrame()).not.toMatch(/5h 91%/);
		appendSample(dir, sample(50, 100));
		await waitForFrame(lastFrame, (f) => /5h 50%/.test(f));
	});
});
