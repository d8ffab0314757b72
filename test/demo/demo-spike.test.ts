/**
 * The demo's spend spike appears every time, soon after start, whatever second of the minute the
 * demo starts at (the README promises it): the factory runs on a fake clock, its files are parsed
 * by the real source and judged by the real flag rules, priced by the built-in price table.
 */
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {FlagMonitor} from '../../source/core/anomalies/monitor.js';
import {DEFAULT_PARAMS} from '../../source/core/anomalies/params.js';
import {createPricer} from '../../source/core/pricing/cost.js';
import {PriceBook} from '../../source/core/pricing/lookup.js';
import {DemoFactory} from '../../source/demo/factory.js';
import {parseSymphonyChunk} from '../../source/sources/symphony.js';

const factories: DemoFactory[] = [];
afterEach(() => {
	while (factories.length > 0) factories.pop()!.remove();
});

function spikeAfter(t0: number, seconds: number, claude: boolean): number | null {
	let t = t0;
	const f = new DemoFactory({now: () => t, claude});
	factories.push(f);
	f.start();
	f.stop();
	for (; t <= t0 + seconds * 1000; t += 500) f.tick(t);
	const records = parseSymphonyChunk(readFileSync(join(f.usageDir, 'usage.jsonl')), {reportedVersions: []}, {path: 'usage.jsonl', offset: 0, line: 1}).records;
	const pricer = createPricer(new PriceBook());
	const monitor = new FlagMonitor({params: DEFAULT_PARAMS, costOf: (r) => pricer(r)?.usd ?? null});
	monitor.addRecords(records);
	const main = records.find((r) => r.issue === 'MT-101')!.runId;
	const flags = monitor.evaluate(t0 + seconds * 1000).flags;
	const spike = flags.find((x) => x.kind === 'spend_spike' && x.scope.id === main);
	return spike ? (spike.firstAt - t0) / 1000 : null;
}

describe('demo spend spike', () => {
	// The history once made the rule fire on the past at some start seconds; its cooldown then hid the live spike.
	for (const claude of [false, true]) {
		it(`is raised 10–25 s (event time) after the start at any second of the minute${claude ? ', with the Claude transcripts' : ''}`, () => {
			const minute = Date.UTC(2026, 10, 2, 12, 0, 0);
			for (const s of [0, 7, 15, 22, 30, 41, 50, 59]) {
				const after = spikeAfter(minute + s * 1000, 60, claude);
				expect(after, `start at :${s}`).not.toBeNull();
				expect(after!).toBeGreaterThanOrEqual(10);
				expect(after!).toBeLessThanOrEqual(25);
			}
		});
	}
});
