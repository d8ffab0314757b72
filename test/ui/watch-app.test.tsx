import {render} from 'ink-testing-library';
import React from 'react';
import {afterEach, describe, expect, it} from 'vitest';
import {RESORT_MS} from '../../source/ui/view/watch-order.js';
import {App} from '../../source/ui/App.js';
import {KEYS, press, waitForFrame} from '../helpers/ink.js';
import type {TestStore} from '../helpers/ledger-store.js';
import {factoryStore, NOW, RUN_A, RUN_C, turn} from '../helpers/watch-fixture.js';

const mounted: Array<() => void> = [];
afterEach(() => {
	while (mounted.length > 0) mounted.pop()!();
});

function mount(store: TestStore, size = {columns: 80, rows: 24}) {
	const r = render(<App store={store} size={size} clock={() => store.now} tickMs={0} />);
	mounted.push(r.unmount);
	return r;
}

const lines = (frame: string) => frame.split('\n');
/** Data rows: lines starting with the flag column and an issue id. */
const issueOrder = (frame: string) => lines(frame).flatMap((l) => l.match(/^\S?\s+(MT-\d+)\s/)?.[1] ?? []);

function expectFits(frame: string, size: {columns: number; rows: number}) {
	expect(lines(frame).length).toBeLessThanOrEqual(size.rows - 1);
	for (const l of lines(frame)) expect(Array.from(l).length).toBeLessThanOrEqual(size.columns);
}

describe('watch App', () => {
	it('shows issues by recent spend with header, sparkline, flags strip and key help', () => {
		const store = factoryStore();
		const {lastFrame} = mount(store);
		const frame = lastFrame()!;
		expect(frame).toContain('burn Issues');
		expect(frame).toContain('● live');
		expect(frame).toContain('$/h');
		expect(frame).toContain('$/min');
		expect(frame).toContain('flags: none');
		expect(frame).toContain('q quit');
		expect(issueOrder(frame)).toEqual(['MT-102', 'MT-101', 'MT-103']);
		expectFits(frame, {columns: 80, rows: 24});
	});

	it('labels token rates when nothing is priced', () => {
		const {lastFrame} = mount(factoryStore({pricer: null}));
		expect(lastFrame()).toContain('tok/min');
		expect(lastFrame()).toContain('tok/m');
		expect(lastFrame()).not.toMatch(/\$0\b/);
	});

	it('drills into an issue, then a run, and back, keeping the selection', async () => {
		const store = factoryStore();
		const {lastFrame, stdin} = mount(store, {columns: 140, rows: 30});
		await press(stdin, KEYS.down);
		await press(stdin, KEYS.enter);
		let frame = await waitForFrame(lastFrame, (f) => f.includes('Issues › MT-101'));
		for (const text of ['Provider', 'Model', 'Role', 'Start', 'Exit', 'openai', 'gpt-5.3-codex', 'rev', 'completed']) expect(frame).toContain(text);
		// Runs sort by recent spend: RUN_A (active 2 minutes ago) first.
		await press(stdin, KEYS.enter);
		frame = await waitForFrame(lastFrame, (f) => f.includes(`run ${RUN_A.slice(0, 8)}`));
		expect(frame).toContain('Dur');
		expect(frame).toContain('4,000');
		await press(stdin, KEYS.escape);
		frame = await waitForFrame(lastFrame, (f) => !f.includes('run ') && f.includes('Issues › MT-101'));
		await press(stdin, KEYS.left);
		frame = await waitForFrame(lastFrame, (f) => !f.includes('›'));
		// Back on the list with MT-101 still selected: Enter goes to it again.
		await press(stdin, KEYS.enter);
		await waitForFrame(lastFrame, (f) => f.includes('Issues › MT-101'));
	});

	it('switches views with Tab and 1–4', async () => {
		const {lastFrame, stdin} = mount(factoryStore());
		await press(stdin, KEYS.tab);
		let frame = await waitForFrame(lastFrame, (f) => f.includes('burn Runs'));
		expect(frame).toContain(RUN_C.slice(0, 8));
		await press(stdin, '3');
		frame = await waitForFrame(lastFrame, (f) => f.includes('burn Models'));
		expect(frame).toContain('gemini-2.5-pro');
		await press(stdin, '4');
		frame = await waitForFrame(lastFrame, (f) => f.includes('burn Providers'));
		expect(frame).toContain('anthropic');
		await press(stdin, KEYS.shiftTab);
		await waitForFrame(lastFrame, (f) => f.includes('burn Models'));
		await press(stdin, '1');
		await waitForFrame(lastFrame, (f) => f.includes('burn Issues'));
	});

	it('filters rows while typing, keeps the filter on Enter and clears it on Esc', async () => {
		const {lastFrame, stdin} = mount(factoryStore());
		await press(stdin, '/');
		for (const ch of 'mt-10x') await press(stdin, ch);
		await press(stdin, KEYS.backspace);
		await press(stdin, '3');
		let frame = await waitForFrame(lastFrame, (f) => issueOrder(f).join() === 'MT-103');
		expect(frame).toContain('/mt-103');
		await press(stdin, KEYS.enter);
		frame = await waitForFrame(lastFrame, (f) => f.includes('filter "mt-103" 1/3'));
		// q typed while not editing quits, so only check that the filter survives other keys.
		await press(stdin, 's');
		expect(issueOrder(lastFrame()!)).toEqual(['MT-103']);
		await press(stdin, KEYS.escape);
		await waitForFrame(lastFrame, (f) => issueOrder(f).length === 3);
	});

	it('pauses the display while records keep arriving', async () => {
		const store = factoryStore();
		const {lastFrame, stdin} = mount(store);
		await press(stdin, 'p');
		await waitForFrame(lastFrame, (f) => f.includes('‖ paused'));
		store.addTurns([turn({runId: RUN_C, turn: 3, issue: 'MT-777'}, 0)]);
		await press(stdin, KEYS.down);
		expect(lastFrame()).not.toContain('MT-777');
		await press(stdin, 'p');
		await waitForFrame(lastFrame, (f) => f.includes('MT-777') && f.includes('● live'));
	});

	it('opens and closes help', async () => {
		const {lastFrame, stdin} = mount(factoryStore());
		await press(stdin, '?');
		let frame = await waitForFrame(lastFrame, (f) => f.includes('Help'));
		expect(frame).toContain('drill in');
		expect(frame).not.toContain('MT-102');
		await press(stdin, '?');
		frame = await waitForFrame(lastFrame, (f) => !f.includes('Help'));
		expect(frame).toContain('MT-102');
	});

	it('re-lays out on resize without leftover lines', () => {
		const store = factoryStore();
		const r = mount(store);
		for (const size of [{columns: 40, rows: 12}, {columns: 200, rows: 60}, {columns: 40, rows: 12}, {columns: 120, rows: 40}]) {
			r.rerender(<App store={store} size={size} clock={() => store.now} tickMs={0} />);
			const frame = r.lastFrame()!;
			expectFits(frame, size);
			expect(lines(frame)).toHaveLength(size.rows - 1);
			expect(issueOrder(frame)).toEqual(['MT-102', 'MT-101', 'MT-103']);
		}
	});

	it('shows new records as they arrive', async () => {
		const store = factoryStore();
		const {lastFrame} = mount(store);
		store.addTurns([turn({runId: RUN_A, turn: 4, issue: 'MT-205'}, 0)]);
		await waitForFrame(lastFrame, (f) => f.includes('MT-205'));
	});

	it('keeps rows in place while numbers change, and the selection on its item when they re-sort', async () => {
		const store = factoryStore();
		const {lastFrame, stdin} = mount(store);
		await press(stdin, KEYS.down);
		await press(stdin, KEYS.down);
		// MT-103 selected. A burst of spend on MT-101 changes numbers but not places for a while…
		store.now += 1000;
		store.addTurns([turn({runId: RUN_A, turn: 7, input: 900_000, output: 90_000}, 0)]);
		let frame = await waitForFrame(lastFrame, (f) => f.includes('    5 '));
		expect(issueOrder(frame)).toEqual(['MT-102', 'MT-101', 'MT-103']);
		// …then re-sorts; the selection follows MT-103, so Enter drills into it.
		store.now += RESORT_MS;
		store.publish();
		frame = await waitForFrame(lastFrame, (f) => issueOrder(f)[0] === 'MT-101');
		await press(stdin, KEYS.enter);
		await waitForFrame(lastFrame, (f) => f.includes('Issues › MT-103'));
	});

	it('fits a 40×12 split pane with abbreviations', async () => {
		const store = factoryStore();
		const size = {columns: 40, rows: 12};
		const {lastFrame, stdin} = mount(store, size);
		expectFits(lastFrame()!, size);
		await press(stdin, KEYS.enter);
		const frame = await waitForFrame(lastFrame, (f) => f.includes('› MT-102'));
		expectFits(frame, size);
		await press(stdin, KEYS.enter);
		expectFits(await waitForFrame(lastFrame, (f) => f.includes('run ')), size);
	});

	it('never prints escape sequences that came from a file', () => {
		const store = factoryStore();
		store.addTurns([turn({runId: RUN_A, turn: 8, issue: 'MT-\u001b[2J66', model: 'm\u001b]0;title\u0007x'}, 0)]);
		const {lastFrame} = mount(store);
		const frame = lastFrame()!;
		expect(frame).toContain('MT-66');
		expect(frame).not.toContain('\u001b[2J');
		expect(frame).not.toContain('\u001b]0;');
	});

	it('lists flags in the strip, newest first (severity breaks ties), naming the issue and run', () => {
		const store = factoryStore();
		const base = {value: 1, threshold: 0.5, unit: 'usd/min', baseline: null, firstAt: NOW - 60_000, lastAt: NOW};
		store.flags = [
			{...base, id: `stall:run:${RUN_A}`, kind: 'stall', scope: {type: 'run', id: RUN_A}, severity: 'warn', message: 'waited 7 min on a Bash call'},
			{...base, id: `spend_spike:run:${RUN_C}`, kind: 'spend_spike', scope: {type: 'run', id: RUN_C}, severity: 'crit', message: 'burning 6× its usual rate'},
		];
		store.publish();
		const {lastFrame} = mount(store);
		const strip = lines(lastFrame()!).filter((l) => /^[!‼] .*: /.test(l));
		expect(strip).toEqual([`‼ MT-102 ${RUN_C.slice(0, 8)}: burning 6× its usual rate`, `! MT-101 ${RUN_A.slice(0, 8)}: waited 7 min on a Bash call`]);
		// The table marks the flagged runs' issues too.
		expect(lines(lastFrame()!).find((l) => /MT-102\s+2 /.test(l))).toMatch(/^‼/);
		// A newer warning goes above an older critical flag.
		store.flags = [{...store.flags[0]!, lastAt: NOW + 1000}, store.flags[1]!];
		store.publish();
		const {lastFrame: later} = mount(store);
		expect(lines(later()!).filter((l) => /^[!‼] .*: /.test(l))[0]).toMatch(/^! MT-101/);
		// Another tool's alert says whose it is.
		store.flags = [{...store.flags[0]!, external: 'bosun'}];
		store.publish();
		const {lastFrame: external} = mount(store);
		expect(lines(external()!).filter((l) => /^[!‼] .*: /.test(l))[0]).toMatch(/^! \[bosun\] MT-101/);
	});
});
