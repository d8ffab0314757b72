/**
 * The shipped Prometheus config, alerting rules and Grafana dashboard: promtool accepts them and
 * the rules' unit tests pass (when promtool is installed; CI installs it), and every burn metric
 * they name is one burn exports.
 */
import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {parse} from 'yaml';
import {FAMILIES, promNameOf} from '../../source/metrics/families.js';
import {DEPLOY, dashboardExprs} from '../helpers/deploy.js';

const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
if (!hasPromtool) console.warn('\n*** SKIPPED: promtool checks of deploy/prometheus need Debian\'s prometheus (`.ci/run` installs it) ***\n');

const exported = new Set(FAMILIES.map(promNameOf));
const NAME = /(?<![:\w])burn_[A-Za-z0-9_]+(?![:\w])/g;

function promtool(...args: string[]): {code: number | null; out: string} {
	const r = spawnSync('promtool', args, {cwd: join(DEPLOY, 'prometheus'), encoding: 'utf8'});
	return {code: r.status, out: `${r.stdout}${r.stderr}`};
}

describe.skipIf(!hasPromtool)('promtool', () => {
	it('check config', () => {
		const r = promtool('check', 'config', 'prometheus.yml');
		expect(r.code, r.out).toBe(0);
	});
	it('check rules', () => {
		const r = promtool('check', 'rules', 'burn-rules.yml');
		expect(r.code, r.out).toBe(0);
	});
	it('test rules: budget burn, spend spike, stale source, serve down and flags fire when they should', () => {
		const r = promtool('test', 'rules', 'burn-rules.test.yml');
		expect(r.code, r.out).toBe(0);
	});
});

describe('deploy files name only metrics burn exports', () => {
	it('alerting and recording rules', () => {
		const rules = parse(readFileSync(join(DEPLOY, 'prometheus', 'burn-rules.yml'), 'utf8')) as {groups: Array<{rules: Array<{alert?: string; expr: string}>}>};
		const alerts = rules.groups.flatMap((g) => g.rules.map((r) => r.alert)).filter(Boolean);
		expect(alerts).toEqual(expect.arrayContaining(['BurnBudgetBurn', 'BurnSpendSpike', 'BurnStaleSource']));
		for (const g of rules.groups) for (const r of g.rules) for (const m of r.expr.match(NAME) ?? []) expect(exported, `${m} in ${r.expr}`).toContain(m);
	});

	it('the Grafana dashboard: spend by issue and model, burn rate, quota, active flags', () => {
		const exprs = dashboardExprs();
		const titles = exprs.map((e) => e.title).join(' | ');
		for (const want of [/by issue/, /by model/, /Burn rate/, /Quota/, /Active flags/]) expect(titles).toMatch(want);
		for (const {expr} of exprs) {
			const names = expr.match(NAME) ?? [];
			for (const m of names) expect(exported, `${m} in ${expr}`).toContain(m);
		}
	});
});
