/** The queries of the shipped Grafana dashboard (deploy/grafana), for the tests that check them. */
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {REPO} from './temp.js';

export const DEPLOY = join(REPO, 'deploy');

interface Panel {
	title: string;
	targets?: Array<{expr: string}>;
}

export function dashboardExprs(): Array<{title: string; expr: string}> {
	const dash = JSON.parse(readFileSync(join(DEPLOY, 'grafana', 'burn-dashboard.json'), 'utf8')) as {panels: Panel[]};
	return dash.panels.flatMap((p) => (p.targets ?? []).map((t) => ({title: p.title, expr: t.expr})));
}

/** A dashboard query as Prometheus would run it (all hosts, a 5-minute range). */
export function concrete(expr: string): string {
	return expr.replaceAll('$instance', '.*').replaceAll('$__range', '5m');
}
