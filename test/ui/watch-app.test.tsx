import {render} from 'ink-testing-library';
import React from 'react';
import {afterEach, describe, expect, it} from 'vitest';
import {RESORT_MS} from '../../source/ui/view/watch-order.js';
import {App} from '../../source/ui/App.js';
import {KEYS, press, waitForFrame} from '../helpers/ink.js';
import {TestStore, testPricer} from '../helpers/ledger-store.js';
import {factoryStore, NOW, RUN_A, RUN_B, RUN_C, spendSpikeFlag, turn} from '../helpers/watch-fixture.js';

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

	it('while the first read runs, says so and how far it is (files done of found)', async () => {
		// What the engine shows while reading: nothing counted yet, and the progress.
		const store = new TestStore({now: NOW, pricer: testPricer});
		store.ready = false;
		store.progress = {filesDone: 12, filesTotal: 598};
		store.publish();
		const {lastFrame} = mount(store);
		expect(lastFrame()).toContain('reading… 12 of 598 files');
		store.progress = {filesDone: 400, filesTotal: 598};
		store.publish();
		await waitForFrame(lastFrame, (f) => f.includes('reading… 400 of 598 files'));
	});

	it('120×40 while the first read runs: the chart says nothing was read yet, not "$0" or "nothing spent"', () => {
		const store = new TestStore({now: NOW, pricer: testPricer});
		store.ready = false;
		store.progress = {filesDone: 3, filesTotal: 598};
		store.publish();
		const frame = mount(store, {columns: 120, rows: 40}).lastFrame()!;
		expect(frame).toContain('· — nothing read yet');
		expect(frame).not.toContain('nothing spent');
		expect(frame).not.toMatch(/\$0\b/);
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
		const crumb = (f: string) => lines(f)[0] ?? '';
		frame = await waitForFrame(lastFrame, (f) => crumb(f).includes(`run ${RUN_A.slice(0, 8)}`));
		expect(frame).toContain('Dur');
		expect(frame).toContain('4,000');
		await press(stdin, KEYS.escape);
		frame = await waitForFrame(lastFrame, (f) => !crumb(f).includes('run ') && crumb(f).includes('Issues › MT-101'));
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

	it('lists flags in the strip, the most severe first (then the newest), naming the issue and run once', () => {
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
		// A newer warning never hides an older critical flag (issue 16): the crit keeps the first line.
		store.flags = [{...store.flags[0]!, lastAt: NOW + 1000}, store.flags[1]!];
		store.publish();
		const {lastFrame: later} = mount(store);
		expect(lines(later()!).filter((l) => /^[!‼] .*: /.test(l))[0]).toMatch(/^‼ MT-102/);
		// At 40×12 the strip has two lines: the crit first; the last counts the rest and names the key that shows them.
		const third = {...store.flags[0]!, id: `stall:run:${RUN_B}`, scope: {type: 'run' as const, id: RUN_B}, lastAt: NOW - 5000};
		store.flags = [...store.flags, third];
		store.publish();
		const {lastFrame: small} = mount(store, {columns: 40, rows: 12});
		const strip40 = lines(small()!).filter((l) => /^[!‼] .*: /.test(l));
		expect(strip40).toHaveLength(2);
		expect(strip40[0]).toMatch(/^‼ MT-102/);
		expect(strip40[1]).toMatch(/\(\+1 more · f\)$/);
		// A run's own message starting "Run <id>… " is not said twice.
		store.flags = [{...store.flags[1]!, message: `Run ${RUN_C.slice(0, 8)}… is burning $0.23/min, 3.9× its usual $0.06/min (robust z 5.7): look at what it is doing right now.`}];
		store.publish();
		const {lastFrame: once} = mount(store, {columns: 80, rows: 24});
		const line = lines(once()!).find((l) => l.startsWith('‼') && l.includes('burning'))!;
		expect(line, line).toMatch(/^‼ MT-102 \S+ is burning/);
		expect(line.match(/burning/g)).toHaveLength(1);
		expect(line).toContain(': look at what');
		expect(line).not.toContain('robust z');
		// Another tool's alert says whose it is.
		store.flags = [{...store.flags[0]!, external: 'bosun'}];
		store.publish();
		const {lastFrame: external} = mount(store);
		expect(lines(external()!).filter((l) => /^[!‼] .*: /.test(l))[0]).toMatch(/^‼ \[bosun\] MT-102/);
	});

	const spike = () => spendSpikeFlag(RUN_C, '$0.20/min (fast EWMA) after turn 2 of gemini-2.5-pro', {severity: 'crit'});

	it('120×40: a labelled chart with a time axis, the table, and the selected item in a detail panel that follows the selection', async () => {
		const size = {columns: 120, rows: 40};
		const store = factoryStore();
		store.flags = [spike()];
		store.publish();
		const {lastFrame, stdin} = mount(store, size);
		let frame = lastFrame()!;
		expectFits(frame, size);
		expect(frame).toMatch(/spend \$\/min · last 112m · peak \$[\d.]+ \d\d:\d\d/);
		expect(frame).toMatch(/╵\d\d:\d0/);
		expect(frame).toMatch(/\$[\d.]+ ┤/);
		expect(frame).toContain('── selected · f: all flags');
		// The first row (MT-102, most recent spend) is selected; its detail names its run and the crit flag, whole.
		expect(frame).toContain('issue MT-102');
		expect(frame).toContain('‼ critical · spend_spike');
		expect(frame.replace(/\s+/g, ' ')).toContain('(robust z 5.7): look at what it is doing right now.');
		await press(stdin, KEYS.down);
		frame = await waitForFrame(lastFrame, (f) => f.includes('issue MT-101'));
		expect(frame).toContain('runs (2), newest first');
		expect(frame).toContain('fidelity: tokens stated by 4 of 4 turns');
		expectFits(frame, size);
		// 40×12 and 80×24 stay as they were: no panels.
		for (const small of [{columns: 40, rows: 12}, {columns: 80, rows: 24}]) {
			const f = mount(store, small).lastFrame()!;
			expectFits(f, small);
			expect(f).not.toContain('── selected');
			expect(f).not.toContain('╵');
		}
	});

	it('200×60: the detail sits beside the table and the flags fill the space under a short table', () => {
		const size = {columns: 200, rows: 60};
		const store = factoryStore();
		store.flags = [spike()];
		store.publish();
		const frame = mount(store, size).lastFrame()!;
		expectFits(frame, size);
		expect(frame).toContain('│ selected · f: all flags');
		expect(frame).toContain('── flags (1), most severe first');
		// Whole in the flags panel (left) and in the selected MT-102's detail (right).
		expect(frame.split('‼ critical · spend_spike')).toHaveLength(3);
	});

	it.each([
		[120, 40, 5],
		[200, 60, 9],
	])('%i×%i: a detail panel taller than its space scrolls with [ ] J K, says where it is, and starts at the top for another item', async (columns, rows, count) => {
		const size = {columns, rows};
		const store = factoryStore();
		// Flags on MT-102's run: their whole sentences and evidence do not fit the panel.
		store.flags = Array.from({length: count}, (_, i) => spendSpikeFlag(RUN_C, `evidence line ${i}`, {id: `spend_spike:run:${RUN_C}:${i}`, severity: i === 0 ? 'crit' : 'warn', message: `Flag number ${i}: the run is burning $0.23/min, 3.9× its usual $0.06/min.`}));
		store.publish();
		const {lastFrame, stdin} = mount(store, size);
		const position = (f: string) => f.match(/selected · f: all flags \((\d+)–(\d+) of (\d+)(?:, \+(\d+) more)?\)/);
		let frame = lastFrame()!;
		expectFits(frame, size);
		const top = position(frame)!;
		expect(top, frame).not.toBeNull();
		expect(top[1]).toBe('1');
		const [shown, total] = [Number(top[2]), Number(top[3])];
		expect(Number(top[4])).toBe(total - shown);
		expect(frame).toContain('issue MT-102');
		expect(frame).not.toContain(`evidence line ${count - 1}`);
		expect(frame).toContain('[ ] detail');
		// A page down keeps one line of the page before in view.
		await press(stdin, ']');
		frame = await waitForFrame(lastFrame, (f) => position(f)?.[1] === String(Math.min(total - shown, shown - 1) + 1));
		expectFits(frame, size);
		for (let i = 0; i < 10; i++) await press(stdin, ']');
		frame = await waitForFrame(lastFrame, (f) => position(f)?.[2] === String(total));
		expect(position(frame)![4]).toBeUndefined();
		expect(frame).toContain(`evidence line ${count - 1}`);
		await press(stdin, 'K');
		frame = await waitForFrame(lastFrame, (f) => position(f)?.[2] === String(total - 1));
		await press(stdin, '[');
		await press(stdin, '[');
		await press(stdin, '[');
		await press(stdin, '[');
		frame = await waitForFrame(lastFrame, (f) => position(f)?.[1] === '1');
		await press(stdin, 'J');
		frame = await waitForFrame(lastFrame, (f) => position(f)?.[1] === '2');
		expect(frame).not.toContain('issue MT-102');
		// Another item's detail starts at its top.
		await press(stdin, KEYS.down);
		frame = await waitForFrame(lastFrame, (f) => f.includes('issue MT-101'));
		expect(position(frame)?.[1] ?? '1').toBe('1');
		expectFits(frame, size);
		// The keys are in the help overlay, from the one key table.
		await press(stdin, '?');
		frame = await waitForFrame(lastFrame, (f) => f.includes('Help · Esc closes'));
		expect(frame).toMatch(/\[ \] J K\s+scroll the detail panel/);
	});

	it('the Runs view names model and provider at 120 columns, and Enter on nothing drilled keeps the filter on the way back', async () => {
		const {lastFrame, stdin} = mount(factoryStore(), {columns: 120, rows: 24});
		await press(stdin, '2');
		let frame = await waitForFrame(lastFrame, (f) => f.includes('burn Runs'));
		expect(lines(frame).find((l) => l.includes(RUN_C.slice(0, 8)))).toMatch(/gemini-2\.5-pro\s+google/);
		await press(stdin, '/');
		for (const ch of 'gemini') await press(stdin, ch);
		await press(stdin, KEYS.enter);
		frame = await waitForFrame(lastFrame, (f) => f.includes('filter "gemini" 1/4'));
		await press(stdin, KEYS.enter);
		await waitForFrame(lastFrame, (f) => lines(f)[0]!.includes('› run'));
		await press(stdin, KEYS.escape);
		frame = await waitForFrame(lastFrame, (f) => !lines(f)[0]!.includes('›'));
		expect(frame).toContain('filter "gemini" 1/4');
	});

	it('f opens every flag whole and scrolls; the strip puts the crit first and says how to read the rest', async () => {
		const size = {columns: 80, rows: 24};
		const store = factoryStore();
		const warn = {...spike(), id: `stall:run:${RUN_A}`, kind: 'stall', scope: {type: 'run' as const, id: RUN_A}, severity: 'warn' as const, lastAt: NOW + 1, message: `Run ${RUN_A.slice(0, 8)}… has waited 7 min on a Bash call with no result (its usual gaps allow 5 min): the tool may be hung or waiting for approval.`, evidence: []};
		store.flags = [warn, spike()];
		store.publish();
		const {lastFrame, stdin} = mount(store, size);
		expect(lastFrame()).toContain('f flags');
		await press(stdin, 'f');
		let frame = await waitForFrame(lastFrame, (f) => f.includes('Flags (2) · Esc closes'));
		expectFits(frame, size);
		const text = frame.replace(/\s+/g, ' ');
		expect(text).toContain('the tool may be hung or waiting for approval.');
		expect(text).toContain('(robust z 5.7): look at what it is doing right now.');
		expect(text).toContain('after turn 2 of gemini-2.5-pro');
		// Most severe first.
		expect(frame.indexOf('‼ critical')).toBeLessThan(frame.indexOf('! warning'));
		expect(frame).toContain('Esc close');
		await press(stdin, KEYS.escape);
		frame = await waitForFrame(lastFrame, (f) => !f.includes('Flags (2)'));
		expect(frame).toContain('burn Issues');
	});

	it('40×12: one flag wraps its sentence over the strip two lines; with several, each says what it is and its number first', () => {
		const size = {columns: 40, rows: 12};
		const store = factoryStore();
		store.flags = [spike()];
		store.publish();
		let frame = mount(store, size).lastFrame()!;
		expectFits(frame, size);
		const at = lines(frame).findIndex((l) => /^‼ MT-102 \S+ is/.test(l));
		expect(at, frame).toBeGreaterThan(0);
		const strip = lines(frame).slice(at, at + 2).join(' ').replace(/\s+/g, ' ');
		// The useful part, the rate against the usual one, is on screen (it was cut after "is burn…").
		expect(strip).toContain('is burning $0.23/min, 3.9× its usual $0.06/min');
		// Two flags, two lines: kind and number right after whom it is about.
		const stall = {...spike(), id: `stall:run:${RUN_A}`, kind: 'stall', scope: {type: 'run' as const, id: RUN_A}, severity: 'warn' as const, value: 7, threshold: 5, unit: 'minutes', message: `Run ${RUN_A.slice(0, 8)}… has waited 7 min on a Bash call with no result (its usual gaps allow 5 min): the tool may be hung or waiting for approval.`};
		store.flags = [stall, spike()];
		store.publish();
		frame = mount(store, size).lastFrame()!;
		expectFits(frame, size);
		const two = lines(frame).filter((l) => /^[!‼] .*: /.test(l));
		expect(two).toHaveLength(2);
		expect(two[0]).toMatch(/^‼ MT-102( \S+)?: spend spike \$0\.230\/min$/);
		expect(two[1]).toMatch(/^! MT-101( \S+)?: stall 7 min$/);
	});

	it('40×12: help fits and scrolls to its end; every frame stays within rows − 1', async () => {
		const size = {columns: 40, rows: 12};
		const {lastFrame, stdin} = mount(factoryStore(), size);
		await press(stdin, '?');
		// At 40 columns the position is in its short form (`1–5/40 +35`), whole rather than cut.
		let frame = await waitForFrame(lastFrame, (f) => /Help · Esc closes 1–\d+\/\d+ \+\d+/.test(f));
		expectFits(frame, size);
		for (let i = 0; i < 80; i++) await press(stdin, 'j');
		frame = await waitForFrame(lastFrame, (f) => {
			const m = /Help · Esc closes \(?\d+–(\d+)(?:\/| of )(\d+)/.exec(f);
			return m !== null && m[1] === m[2];
		});
		expectFits(frame, size);
		expect(frame).toContain('unknown');
		await press(stdin, KEYS.escape);
		frame = await waitForFrame(lastFrame, (f) => !f.includes('Help'));
		expectFits(frame, size);
	});

	it('before anything is read: — for the rate, the total and the measured share; p while paused says resume', async () => {
		const store = new (await import('../helpers/ledger-store.js')).TestStore({now: NOW, pricer: (await import('../helpers/ledger-store.js')).testPricer});
		store.ready = false;
		store.publish();
		const {lastFrame, stdin} = mount(store, {columns: 100, rows: 24});
		const frame = lastFrame()!;
		expect(frame).toContain('—/h');
		expect(frame).toContain('today —');
		expect(frame).toContain('○ — measured');
		expect(frame).not.toContain('$0/h');
		expect(frame).not.toContain('100%');
		await press(stdin, 'p');
		await waitForFrame(lastFrame, (f) => f.includes('p resume') && f.includes('‖ paused'));
	});
});
