/**
 * The pieces the big-pane panels and the flags view are drawn from, without Ink: the clipped
 * chart scale, the chart's title and time axis, run labels that tell time-ordered ids apart, flag
 * text (strip order, the run said once, asides before advice), and the selected item's detail.
 */
import {describe, expect, it} from 'vitest';
import type {Flag} from '../../../source/core/flags.js';
import {runLabels} from '../../../source/core/run-id.js';
import {flagDetailLines, flagSentence, flagsViewLines, stripLine, stripOrder, wrap} from '../../../source/ui/view/flag-text.js';
import {detailLines} from '../../../source/ui/view/item-detail.js';
import {chartLines, timeAxis} from '../../../source/ui/view/spend-chart.js';
import {sparkRows, sparkScale} from '../../../source/ui/view/sparkline.js';
import {headerInfo} from '../../../source/ui/view/watch-header.js';
import {TestStore, testPricer} from '../../helpers/ledger-store.js';
import {factoryStore, NOW, RUN_A, RUN_C, spendSpikeFlag} from '../../helpers/watch-fixture.js';

const flag = (o: Partial<Flag>): Flag => spendSpikeFlag(RUN_A, '$0.20/min (fast EWMA) after turn 40 of claude-sonnet-4-6', {id: 'spend_spike:run:r', ...o});

describe('chart scale', () => {
	it('one spike does not flatten the history: the scale is clipped at the 95th percentile and the spike ends in ▲', () => {
		const history = Array.from({length: 40}, (_, i) => 0.05 + (i % 4) * 0.01);
		const values = [...history, 5];
		const scale = sparkScale(values);
		expect(scale).toMatchObject({clipped: true, peak: 5});
		expect(scale.top).toBeCloseTo(0.08);
		const [row] = sparkRows(values, 1, scale);
		// History draws at several heights (not all ▁), the spike is clipped.
		expect(new Set(Array.from(row!.slice(0, 40))).size).toBeGreaterThan(2);
		expect(row!.endsWith('▲')).toBe(true);
		// No outlier: linear to the peak, as before.
		expect(sparkScale([1, 2, 3, 4, 5, 6])).toMatchObject({clipped: false, top: 6});
	});

	it('an unpriced minute draws ?, an idle one ·, never a zero bar for spend that was not priced', () => {
		expect(sparkRows([0, null, 1], 1)).toEqual(['·?█']);
		expect(sparkRows([null, 2], 2)).toEqual([' █', '?█']);
	});

	it('the large chart says what it draws and how it is scaled, labels its scale and its time axis', () => {
		const start = new Date(2026, 10, 2, 12, 0).getTime();
		const values = [...Array.from({length: 30}, () => 0.05), 2, null, ...Array.from({length: 28}, () => 0.06)];
		const chart = chartLines({values, start, priced: true, width: 80, height: 8});
		expect(chart.title).toBe('spend $/min · last 60m · peak $2.00 12:30 · top $0.060, ▲ above · ? unpriced');
		expect(chart.rows).toHaveLength(6);
		expect(chart.rows[0]!.label.trim()).toBe('$0.060 ┤');
		expect(chart.rows[5]!.label.trim()).toBe('$0 ┤');
		expect(chart.rows[0]!.bars[30]).toBe('▲');
		expect(chart.rows[5]!.bars[31]).toBe('?');
		expect(chart.axis).toBe(timeAxis(start, 60, 80));
		for (const t of ['╵12:00', '╵12:10', '╵12:50']) expect(chart.axis).toContain(t);
		// ╵12:00 sits under the first bar (after the 8-column scale).
		expect(chart.axis.indexOf('╵12:00')).toBe(8);
		for (const l of [chart.title, chart.axis, ...chart.rows.map((r) => r.label + r.bars)]) expect(Array.from(l).length).toBeLessThanOrEqual(80);
	});
});

describe('chart of an idle window', () => {
	it('says nothing was spent in its window (not "yet": older spend is in the table) and labels the one level, 0, once', () => {
		const start = new Date(2026, 10, 2, 12, 0).getTime();
		const chart = chartLines({values: Array.from({length: 60}, () => 0), start, priced: true, width: 80, height: 8});
		expect(chart.title).toBe('spend $/min · last 60m · nothing spent in this window');
		expect(chart.rows.map((r) => r.label.trim()).filter((l) => l.endsWith('┤'))).toEqual(['$0 ┤']);
		expect(chart.rows[5]!.label.trim()).toBe('$0 ┤');
	});
});

describe('chart before any record is read', () => {
	it('claims nothing: no "$0" scale and no "nothing spent", only that nothing was read yet', () => {
		const start = new Date(2026, 10, 2, 12, 0).getTime();
		const chart = chartLines({values: Array.from({length: 60}, () => 0), start, priced: true, nothingRead: true, width: 80, height: 8});
		expect(chart.title).toBe('spend $/min · last 60m · — nothing read yet');
		expect(chart.rows).toHaveLength(6);
		for (const r of chart.rows) expect(r.label + r.bars).not.toMatch(/\$|┤/);
		expect(chart.axis).toBe(timeAxis(start, 60, 80));
	});
});

describe('run labels', () => {
	it('time-ordered ids (shared first 8 hex digits) show their distinguishing tail; distinct ids keep their head', () => {
		const v7 = ['019ad3c1-7e2a-7b11-9f0e-5c1d2a91f03c', '019ad3c1-82f4-7c02-8a77-0be4413d6e21', '019ad3c1-9a10-7d55-b3c9-77aa01c4b9d8'];
		const labels = runLabels([...v7, 'e9d826a2-0004-4000-8000-0000002a0004', 'short']);
		expect(v7.map((id) => labels.get(id))).toEqual(['…a91f03c', '…13d6e21', '…1c4b9d8']);
		expect(new Set(v7.map((id) => labels.get(id))).size).toBe(3);
		expect(labels.get('e9d826a2-0004-4000-8000-0000002a0004')).toBe('e9d826a2');
		expect(labels.get('short')).toBe('short');
		// A column wide enough shows the whole id.
		expect(runLabels(v7, 36).get(v7[0]!)).toBe(v7[0]);
		// Escape sequences from a file never survive.
		expect(runLabels(['\u001b[2Jabcdefghijk']).get('\u001b[2Jabcdefghijk')).not.toContain('\u001b');
	});
});

describe('flag text', () => {
	it('orders crit before a newer warn, newest first within a severity', () => {
		const older = flag({id: 'a', severity: 'crit', lastAt: NOW - 5000});
		const newer = flag({id: 'b', severity: 'warn', lastAt: NOW});
		const newest = flag({id: 'c', severity: 'warn', lastAt: NOW + 1});
		expect(stripOrder([newer, older, newest]).map((f) => f.id)).toEqual(['a', 'c', 'b']);
	});

	it('says the run once and drops asides before it cuts the advice', () => {
		const f = flag({});
		const subject = `MT-101 ${RUN_A.slice(0, 8)}`;
		expect(flagSentence(f, subject).text).toBe(`${subject} is burning $0.23/min, 3.9× its usual $0.06/min (robust z 5.7): look at what it is doing right now.`);
		const at100 = stripLine(f, subject, 110);
		expect(at100).toBe(`! ${subject} is burning $0.23/min, 3.9× its usual $0.06/min: look at what it is doing right now.`);
		const at80 = stripLine(f, subject, 80, ' (+1 more · f)');
		expect(Array.from(at80).length).toBeLessThanOrEqual(80);
		expect(at80.endsWith(' (+1 more · f)')).toBe(true);
		// Wide enough: the whole sentence, asides included.
		expect(stripLine(f, subject, 200)).toContain('(robust z 5.7)');
		// Not a run's flag: subject, colon, message.
		expect(flagSentence(flag({scope: {type: 'issue', id: 'MT-1'}, message: 'Issue MT-1 has had 4 attempts'}), 'MT-1').text).toBe('MT-1: Issue MT-1 has had 4 attempts');
	});

	it('a flag whole: severity, kind, subject and time; the full sentence wrapped; the numbers; the evidence', () => {
		const lines = flagDetailLines(flag({severity: 'crit'}), `MT-101 ${RUN_A.slice(0, 8)}`, 50);
		const text = lines.map((l) => l.text).join('\n');
		expect(lines[0]).toMatchObject({role: 'crit'});
		expect(flagDetailLines(flag({severity: 'crit'}), 'MT-101 x', 80)[0]!.text).toMatch(/^‼ critical · spend_spike · MT-101 x · \d\d:\d\d–\d\d:\d\d$/);
		expect(text.replace(/\n\s+/g, ' ')).toContain('(robust z 5.7): look at what it is doing right now.');
		expect(text.replace(/\n\s+/g, ' ')).toContain("value $0.230/min (the rule’s smoothed rate, 2-min half-life) · threshold $0.120/min · usual $0.060/min (60m own, 35 samples)");
		expect(text).toContain('after turn 40');
		for (const l of lines) expect(Array.from(l.text).length).toBeLessThanOrEqual(50);
		expect(flagsViewLines([], new Map(), 40)[0]!.text).toMatch(/^No live flags/);
	});

	it('wraps on words, cuts only words longer than the line', () => {
		expect(wrap('one two three four', 9)).toEqual(['one two', 'three', 'four']);
		expect(wrap('abcdefghijkl xy', 5, ' ')).toEqual(['abcde', ' fghi', ' jkl', ' xy']);
	});
});

describe('detail panel', () => {
	it('an issue: totals, fidelity, cost basis, its runs newest first and its flags whole', () => {
		const store = factoryStore();
		store.flags = [flag({id: `spend_spike:run:${RUN_A}`})];
		store.publish();
		const snap = store.getSnapshot();
		const subjects = new Map([[`spend_spike:run:${RUN_A}`, `MT-101 ${RUN_A.slice(0, 8)}`]]);
		const lines = detailLines(snap, {view: 'issues', path: [], selectedId: 'MT-101', now: NOW, subjects}, 90).map((l) => l.text);
		expect(lines[0]).toBe('issue MT-101');
		expect(lines).toContain('fidelity: tokens stated by 4 of 4 turns');
		expect(lines.some((l) => l.startsWith('cost basis: 4 computed'))).toBe(true);
		const runs = lines.findIndex((l) => l.startsWith('runs (2)'));
		expect(lines[runs + 1]).toContain(RUN_A.slice(0, 8));
		expect(lines[runs + 1]).toContain('claude-sonnet-4-6');
		expect(lines[runs + 2]).toContain('completed');
		expect(lines).toContain('flags (1)');
		expect(lines.join(' ').replace(/\s+/g, ' ')).toContain('look at what it is doing right now.');
	});

	it('a run and a turn', () => {
		const snap = factoryStore().getSnapshot();
		const q = {view: 'issues' as const, now: NOW, subjects: new Map<string, string>()};
		const run = detailLines(snap, {...q, path: [{dim: 'issue', id: 'MT-102'}], selectedId: RUN_C}, 90).map((l) => l.text);
		expect(run[0]).toBe(`run ${RUN_C}`);
		expect(run[1]).toContain('google gemini-2.5-pro');
		const key = snap.ledger.runRecords(RUN_C)[1]!.key;
		const turn = detailLines(snap, {...q, path: [{dim: 'issue', id: 'MT-102'}, {dim: 'run', id: RUN_C}], selectedId: key}, 90).map((l) => l.text);
		expect(turn.join('\n')).toContain('tokens in 121,000 · out 20,000 · cache read 30,000 · write 1,000');
		expect(turn.join('\n')).toMatch(/cost \$0\.66 \(computed\)/);
		expect(turn.join('\n')).toContain('/fixtures/usage.jsonl:');
	});
});

describe('header before anything is read', () => {
	it('says — for the rate, today and the measured share, not $0/h and 100%', () => {
		const store = new TestStore({now: NOW, pricer: testPricer});
		store.ready = false;
		store.publish();
		const info = headerInfo(store.getSnapshot(), NOW, ['Issues'], false);
		expect(info).toMatchObject({rate: '—/h', today: '—', measuredPercent: null});
	});
});
