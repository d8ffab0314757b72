import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {runCli} from '../helpers/cli.js';
import {tempDir} from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
	({dir, cleanup} = tempDir());
	// No user config, prices or index leak in.
	env = {HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_CACHE_HOME: join(dir, 'cache'), BURN_USAGE: ''};
});
afterEach(() => cleanup());

const uuid = (k: number) => `0b5b7a40-1f0e-4c55-9d4c-00000000000${k}`;

/** `attempts` Symphony runs at one issue, two turns each, 400k input tokens a turn (~$1.20 on Sonnet). */
function usage(attempts: number): string {
	const telemetry = join(dir, 'telemetry');
	mkdirSync(telemetry, {recursive: true});
	const lines: string[] = [];
	for (let k = 0; k < attempts; k++) {
		for (let t = 1; t <= 2; t++) {
			const end = new Date(Date.parse('2026-10-02T10:00:00Z') + k * 30 * 60_000 + t * 60_000).toISOString();
			lines.push(
				JSON.stringify({
					schemaVersion: 1,
					recordedAt: end,
					runID: uuid(k),
					turn: t,
					issueIdentifier: 'MT-42',
					provider: 'claude',
					model: 'claude-sonnet-4-6',
					botRole: 'developer',
					inputTokens: 400_000,
					outputTokens: 2000,
					totalTokens: 402_000,
					usageSource: 'provider_reported',
					startedAt: end,
					endedAt: end,
				}),
			);
		}
	}
	writeFileSync(join(telemetry, 'usage.jsonl'), lines.join('\n') + '\n');
	return telemetry;
}

const summary = (args: string[]) => runCli(['summary', '--once', ...args], {env, cwd: dir});

describe('burn summary --fail-on (built CLI)', () => {
	it('exits 3 on a warn flag with --fail-on warn, and prints the Flags section', () => {
		const r = summary(['--usage', usage(3), '--fail-on', 'warn']);
		expect(r.stderr).toBe('');
		expect(r.code).toBe(3);
		expect(r.stdout).toMatch(/Flags \(1\): 1 warn/);
		expect(r.stdout).toMatch(/WARN retry_churn issue MT-42: Issue MT-42 has had 3 developer attempts/);
	});

	it('exits 0 when the flags are below --fail-on, and without --fail-on', () => {
		const telemetry = usage(3);
		expect(summary(['--usage', telemetry, '--fail-on', 'crit']).code).toBe(0);
		expect(summary(['--usage', telemetry]).code).toBe(0);
		const clean = summary(['--usage', usage(2), '--fail-on', 'warn']);
		expect(clean.code).toBe(0);
		expect(clean.stdout).toMatch(/Flags: none raised/);
	});

	it('--budget issue=1 is crit once the issue has spent more than $1', () => {
		const r = summary(['--usage', usage(2), '--budget', 'issue=1', '--fail-on', 'crit']);
		expect(r.code).toBe(3);
		expect(r.stdout).toMatch(/CRIT budget_burn issue MT-42/);
	});

	it('--json carries the flags array; --markdown a Flags table', () => {
		const telemetry = usage(3);
		const json = summary(['--usage', telemetry, '--json', '--fail-on', 'warn']);
		expect(json.code).toBe(3);
		const doc = JSON.parse(json.stdout);
		expect(doc.schema).toBe('burn.summary/1');
		expect(doc.flags).toEqual([expect.objectContaining({id: 'retry_churn:issue:MT-42', kind: 'retry_churn', severity: 'warn', value: 3, threshold: 3, unit: 'count'})]);
		expect(doc.flagNotes.map((n: {kind: string}) => n.kind)).toContain('context_pressure');
		const md = summary(['--usage', telemetry, '--markdown']);
		expect(md.stdout).toMatch(/### Flags \(1: 1 warn\)/);
		expect(md.stdout).toMatch(/\| WARN \| `retry_churn` \| issue MT-42 \|/);
	});

	it('thresholds come from the config file (--config, or the default path)', () => {
		const telemetry = usage(3);
		const file = join(dir, 'burn.yaml');
		writeFileSync(file, 'flags:\n  retryChurn: {attempts: 4}\n');
		expect(summary(['--usage', telemetry, '--config', file, '--fail-on', 'warn']).code).toBe(0);
		mkdirSync(join(dir, 'config', 'burn'), {recursive: true});
		writeFileSync(join(dir, 'config', 'burn', 'config.yaml'), 'flags:\n  budget: {issue: 1}\n');
		expect(summary(['--usage', telemetry, '--fail-on', 'crit']).code).toBe(3);
	});

	it('bad flag options are usage errors (exit 2)', () => {
		const telemetry = usage(1);
		const bad = summary(['--usage', telemetry, '--fail-on', 'info']);
		expect(bad.code).toBe(2);
		expect(bad.stderr).toMatch(/--fail-on "info" is not a severity/);
		expect(summary(['--usage', telemetry, '--budget', 'week=5']).code).toBe(2);
		const file = join(dir, 'typo.yaml');
		writeFileSync(file, 'flags:\n  retryChurns: {attempts: 4}\n');
		const typo = summary(['--usage', telemetry, '--config', file]);
		expect(typo.code).toBe(2);
		expect(typo.stderr).toMatch(/retryChurns/);
		expect(summary(['--usage', telemetry, '--config', join(dir, 'missing.yaml')]).code).toBe(2);
		// A misspelt section is an error too, so --fail-on never passes on a budget that was never read.
		writeFileSync(file, 'flag:\n  budget: {issue: 0.000001}\n');
		const section = summary(['--usage', telemetry, '--config', file, '--fail-on', 'warn']);
		expect(section.code).toBe(2);
		expect(section.stderr).toContain('unknown top-level key "flag"');
	});
});
