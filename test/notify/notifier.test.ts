/**
 * Raises and their delivery: the pure tracker, then the notifier with real shell commands
 * writing real files (polling for them, never sleeping a fixed time).
 */
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {RaiseTracker} from '../../source/core/flag-raises.js';
import type {Flag} from '../../source/core/flags.js';
import {createNotifier, terminalNotification} from '../../source/notify/notifier.js';
import {tempDir} from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({dir, cleanup} = tempDir()));
afterEach(() => cleanup());

const T = Date.parse('2026-12-02T12:00:00Z');
const flag = (o: Partial<Flag> = {}): Flag => ({
	id: `${o.kind ?? 'spend_spike'}:run:r1`,
	kind: 'spend_spike',
	scope: {type: 'run', id: 'r1'},
	severity: 'warn',
	value: 1,
	threshold: 1,
	unit: 'usd/min',
	baseline: null,
	firstAt: T,
	lastAt: T,
	message: 'Run r1 is burning $0.49/min',
	active: true,
	fired: 1,
	...o,
});

describe('flag raises', () => {
	it('a warn/crit flag raises once per episode; info and cleared flags never', () => {
		const t = new RaiseTracker();
		expect(t.update([flag()]).map((r) => r.reason)).toEqual(['raised']);
		expect(t.update([flag({lastAt: T + 1000, value: 2})])).toEqual([]); // same episode, new evidence
		expect(t.update([flag({fired: 2})]).map((r) => r.reason)).toEqual(['raised']); // raised again after a clear
		expect(t.update([flag({id: 'x:run:r2', severity: 'info'}), flag({id: 'y:run:r3', active: false})])).toEqual([]);
	});

	it('a budget crossing 80 % (warn) and then 100 % (crit) notifies twice', () => {
		const t = new RaiseTracker();
		const budget = (severity: Flag['severity']) => flag({id: 'budget_burn:day:2026-12-02', kind: 'budget_burn', scope: {type: 'day', id: '2026-12-02'}, severity, unit: 'usd'});
		expect(t.update([budget('warn')]).map((r) => r.reason)).toEqual(['raised']);
		expect(t.update([budget('crit')]).map((r) => r.reason)).toEqual(['budget-100']);
		expect(t.update([budget('crit')])).toEqual([]);
	});
});

async function until(cond: () => boolean): Promise<void> {
	for (let i = 0; i < 400 && !cond(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
	expect(cond()).toBe(true);
}

describe('notifier', () => {
	it('--notify: bell, OSC 9 and OSC 777, with file text stripped of escapes', () => {
		const written: string[] = [];
		const n = createNotifier({terminal: {write: (s: string) => written.push(s)}});
		n.update([flag({message: 'evil \u001b[2J; name'})], T);
		expect(written).toHaveLength(1);
		expect(written[0]).toBe(`\u0007\u001b]9;burn: warn spend_spike (run r1): evil , name\u0007\u001b]777;notify;burn: warn spend_spike (run r1);evil , name\u0007`);
		expect(terminalNotification('a;b', 'c')).toContain('\u001b]777;notify;a,b;c\u0007');
		// In tmux: each OSC inside a passthrough DCS, its ESCs doubled; the bell stays plain.
		expect(terminalNotification('t', 'b', {tmux: true})).toBe('\u0007\u001bPtmux;\u001b\u001b]9;t: b\u0007\u001b\\\u001bPtmux;\u001b\u001b]777;notify;t;b\u0007\u001b\\');
	});

	it('--on-flag runs the command once per raise with the flag as JSON on stdin', async () => {
		const out = join(dir, 'flag.json');
		const n = createNotifier({onFlag: `cat > '${out}'; echo "$BURN_FLAG_KIND $BURN_FLAG_SEVERITY" > '${out}.env'`, cwd: dir});
		n.update([flag()], T);
		n.update([flag({lastAt: T + 5000})], T + 5000); // the same raise: not again
		await n.idle();
		expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({id: 'spend_spike:run:r1', kind: 'spend_spike', severity: 'warn', message: 'Run r1 is burning $0.49/min', reason: 'raised'});
		expect(readFileSync(`${out}.env`, 'utf8')).toBe('spend_spike warn\n');
		await n.close();
	});

	it('rate-limited: one run per flag per cooldown, a few per minute; extra raises are reported', async () => {
		const log = join(dir, 'runs.log');
		const reports: string[] = [];
		const n = createNotifier({onFlag: `cat >> '${log}'; echo >> '${log}'`, perMinute: 2, report: (m) => reports.push(m)});
		n.update([flag()], T);
		n.update([flag({fired: 2})], T + 10_000); // re-raised within the 5 min cooldown: not run
		n.update([flag({id: 'a:run:1'}), flag({id: 'b:run:2'})], T + 20_000); // two more: the second is over 2/min
		await n.idle();
		const lines = readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('{'));
		expect(lines.map((l) => JSON.parse(l).id)).toEqual(['spend_spike:run:r1', 'a:run:1']);
		expect(reports).toEqual(['--on-flag: more than 2 raises in a minute; not run for b:run:2']);
		await n.close();
	});

	it('a failing command is reported, never thrown; the next raise still runs', async () => {
		const reports: string[] = [];
		const ok = join(dir, 'ok');
		const n = createNotifier({onFlag: `if [ "$BURN_FLAG_ID" = "bad:run:1" ]; then echo boom >&2; exit 3; fi; touch '${ok}'`, report: (m) => reports.push(m)});
		n.update([flag({id: 'bad:run:1'})], T);
		n.update([flag({id: 'good:run:2'})], T + 1);
		await n.idle();
		await until(() => existsSync(ok));
		expect(reports).toEqual([expect.stringMatching(/^--on-flag ".*" exited 3: boom \(flag bad:run:1\)$/)]);
		await n.close();
	});
});
