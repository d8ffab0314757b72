/**
 * `burn statusline` as Claude Code runs it: the built CLI fed recorded payloads on stdin (written
 * from the documented fields: session_id, transcript_path, cwd, model.display_name,
 * workspace.current_dir, cost.total_cost_usd, rate_limits.five_hour/seven_day with
 * used_percentage and resets_at in epoch seconds), with its state in a temp dir.
 */
import {spawn, spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {runCli} from '../helpers/cli.js';
import {CLI, copyFixture, tempDir} from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
let state: string;
/** Reset times fixed per test, as Claude Code's are per window. */
let reset5h: number;
let reset7d: number;
beforeEach(() => {
	({dir, cleanup} = tempDir());
	state = join(dir, 'state');
	reset5h = nowS() + 2 * 3600;
	reset7d = nowS() + 3 * 86400;
});
afterEach(() => cleanup());

const SESSION = '3c1e0f7a-0000-4000-8000-00000000a001';
const nowS = () => Math.floor(Date.now() / 1000);

function payload(over: Record<string, unknown> = {}, transcript?: string): string {
	return JSON.stringify({
		session_id: SESSION,
		transcript_path: transcript ?? join(dir, 'none.jsonl'),
		cwd: '/home/dev/symphony_workspaces/MT-7',
		model: {id: 'claude-sonnet-4-6', display_name: 'Sonnet 4.6'},
		workspace: {current_dir: '/home/dev/symphony_workspaces/MT-7', project_dir: '/home/dev/symphony_workspaces/MT-7'},
		version: '2.1.0',
		cost: {total_cost_usd: 0.42, total_duration_ms: 1000},
		rate_limits: {five_hour: {used_percentage: 42, resets_at: reset5h}, seven_day: {used_percentage: 12, resets_at: reset7d}},
		...over,
	});
}

function statusline(input: string | null, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
	const r = spawnSync(process.execPath, [CLI, 'statusline', ...args], {
		input: input ?? undefined,
		stdio: [input === null ? 'ignore' : 'pipe', 'pipe', 'pipe'],
		env: {...process.env, BURN_STATE_DIR: state, BURN_STATUSLINE_REFRESH: '0', HOME: dir, ...env},
		encoding: 'utf8',
		timeout: 30_000,
	});
	return {code: r.status, stdout: r.stdout, stderr: r.stderr};
}

const samples = () => (existsSync(join(state, 'quota.jsonl')) ? readFileSync(join(state, 'quota.jsonl'), 'utf8').trim().split('\n') : []);

/** Fresh usage.jsonl records (now-ish) for an issue, so today's spend and live flags exist. */
function freshUsage(file: string, turns: number, tokens = 200_000) {
	const lines: string[] = [];
	for (let i = 0; i < turns; i++) {
		const end = new Date(Date.now() - (turns - i) * 20_000).toISOString();
		const start = new Date(Date.parse(end) - 10_000).toISOString();
		lines.push(
			JSON.stringify({schemaVersion: 1, recordedAt: end, runID: '0b5b7a40-1f0e-4c55-9d4c-1a2b3c4d5e6f', turn: i + 1, issueIdentifier: 'MT-7', provider: 'claude', model: 'claude-sonnet-4-6', botRole: 'developer', inputTokens: tokens, outputTokens: 2000, totalTokens: tokens + 2000, usageSource: 'provider_reported', startedAt: start, endedAt: end}),
		);
	}
	writeFileSync(file, lines.join('\n') + '\n');
}

describe('burn statusline', () => {
	it('prints the issue, this session as burn counts it and the windows; records the sample once, 0600', () => {
		const projects = copyFixture('claude/home/.claude/projects', dir, 'projects');
		const transcript = join(projects, '-home-dev-acme-api', `${SESSION}.jsonl`);
		const r = statusline(payload({}, transcript));
		expect(r.code).toBe(0);
		// The session's transcript plus its two sub-agent files, priced by burn: what `summary --by run` says ($0.02).
		expect(r.stdout).toMatch(/^MT-7 · Sonnet 4\.6 · \$0\.02 session · 5h 42% ↻\d\d:\d\d ×0\.7 · 7d 12% ↻\w{3} \d\d:\d\d ×0\.\d\n$/);
		const summary = runCli(['summary', '--once', '--json', '--no-cache', '--claude-dir', projects, '--by', 'run'], {env: {BURN_STATE_DIR: state}});
		const run = JSON.parse(summary.stdout).byRun[SESSION];
		expect(r.stdout).toContain(`$${run.cost.usd.toFixed(2)} session`);
		expect(samples()).toHaveLength(1);
		expect(statSync(join(state, 'quota.jsonl')).mode & 0o777).toBe(0o600);
		expect(statSync(state).mode & 0o777).toBe(0o700);
		// The same numbers again: not a new sample. New numbers: appended.
		expect(statusline(payload({}, transcript)).stdout).toBe(r.stdout);
		expect(samples()).toHaveLength(1);
		statusline(payload({rate_limits: {five_hour: {used_percentage: 43, resets_at: reset5h}}}, transcript));
		expect(samples()).toHaveLength(2);
		expect(JSON.parse(samples()[1]!)).toMatchObject({provider: 'anthropic', source: 'statusline', windows: [{label: 'five_hour', windowMinutes: 300, usedPercent: 43}]});
	});

	it('reads only what the transcript gained since the last call, and counts it', () => {
		const projects = copyFixture('claude/home/.claude/projects', dir, 'projects');
		const transcript = join(projects, '-home-dev-acme-api', '3c1e0f7a-0000-4000-8000-00000000b002.jsonl');
		const b002 = (o: Record<string, unknown> = {}) => payload({session_id: '3c1e0f7a-0000-4000-8000-00000000b002', ...o}, transcript);
		// The file also repeats a message of the session it resumed (msg_A2): that one counts under a001, as in summary.
		const before = statusline(b002()).stdout;
		expect(before).toContain('$0.0003 session');
		const line = JSON.stringify({type: 'assistant', sessionId: '3c1e0f7a-0000-4000-8000-00000000b002', timestamp: new Date().toISOString(), requestId: 'req_new', message: {id: 'msg_new_1', model: 'claude-sonnet-4-6', role: 'assistant', usage: {input_tokens: 1000, output_tokens: 20_000, cache_read_input_tokens: 0, cache_creation_input_tokens: 0}}});
		writeFileSync(transcript, readFileSync(transcript, 'utf8') + line + '\n');
		// 1000 input at $3/M + 20k output at $15/M = $0.303, plus the $0.0003 before.
		expect(statusline(b002()).stdout).toContain('$0.30 session');
		// The session's cache holds each file's committed offset: the next call starts there.
		const [cacheFile] = readdirSync(join(state, 'sessions'));
		const cache = JSON.parse(readFileSync(join(state, 'sessions', cacheFile!), 'utf8'));
		expect(cache.files[transcript]).toMatchObject({offset: statSync(transcript).size, ino: statSync(transcript).ino});
		expect(statSync(join(state, 'sessions', cacheFile!)).mode & 0o777).toBe(0o600);
	});

	it('empty, bad or missing input: a minimal line and exit 0', () => {
		for (const input of ['', 'not json', '[1,2,3]', '{"rate_limits": 5}', '\u0000\u0001']) {
			const r = statusline(input);
			expect(r.code).toBe(0);
			expect(r.stdout.trim().length).toBeGreaterThan(0);
		}
		expect(statusline('').stdout).toBe('burn\n');
		const none = statusline(null); // stdin is /dev/null
		expect(none).toMatchObject({code: 0, stdout: 'burn\n'});
		expect(samples()).toHaveLength(0);
	});

	it.skipIf(spawnSync('tmux', ['-V']).status !== 0)('never blocks on a terminal: a TTY stdin is not read', async () => {
		const socket = `burn-statusline-${process.pid}`;
		const out = join(dir, 'tty.out');
		const cmd = `BURN_STATE_DIR='${state}' BURN_STATUSLINE_REFRESH=0 '${process.execPath}' '${CLI}' statusline > '${out}.tmp'; echo "rc=$?" >> '${out}.tmp'; mv '${out}.tmp' '${out}'; sleep 30`;
		spawnSync('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-x', '80', '-y', '10', cmd]);
		try {
			for (let i = 0; i < 400 && !existsSync(out); i++) await new Promise((resolve) => setTimeout(resolve, 50));
			expect(readFileSync(out, 'utf8')).toBe('burn\nrc=0\n');
		} finally {
			spawnSync('tmux', ['-L', socket, 'kill-server']);
		}
	});

	it('never hangs: a writer that keeps stdin open gets its line after the bounded read', async () => {
		const child = spawn(process.execPath, [CLI, 'statusline'], {env: {...process.env, BURN_STATE_DIR: state, BURN_STATUSLINE_REFRESH: '0', HOME: dir}, stdio: ['pipe', 'pipe', 'pipe']});
		child.stdin.write(payload()); // and never end()
		let out = '';
		child.stdout.on('data', (d: Buffer) => (out += d.toString()));
		const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
		child.stdin.destroy();
		expect(code).toBe(0);
		expect(out).toMatch(/^MT-7 · Sonnet 4\.6 · \$0\.42 session \(Claude's\) · 5h 42%/);
	});

	it("the sample reaches summary --json as Claude's windows (provider anthropic)", () => {
		statusline(payload({rate_limits: {five_hour: {used_percentage: 70, resets_at: nowS() + 3600}, seven_day: {used_percentage: 30, resets_at: nowS() + 5 * 86400}}}));
		const usage = join(dir, 'usage.jsonl');
		freshUsage(usage, 3, 1000);
		const r = runCli(['summary', '--once', '--json', '--usage', usage, '--no-cache'], {env: {BURN_STATE_DIR: state}});
		expect(r.code).toBe(0);
		const quota = JSON.parse(r.stdout).quota;
		expect(quota).toHaveLength(2);
		expect(quota[0]).toMatchObject({provider: 'anthropic', window: '5h', usedPercent: 70, source: 'statusline', stale: false});
		// 4 h of 5 elapsed with 70 % used: pace 0.875, and not full before the reset.
		expect(quota[0].pace).toBeCloseTo(0.88, 1);
		expect(quota[0].projectedFullAt).toBeNull();
		expect(quota[1]).toMatchObject({provider: 'anthropic', window: '7d', usedPercent: 30, stale: false});
		const text = runCli(['summary', '--once', '--usage', usage, '--no-cache', '--width', '160'], {env: {BURN_STATE_DIR: state}});
		expect(text.stdout).toMatch(/Quota \(vendor-reported windows\):\n {2}anthropic 5h: 70% used · resets .* \(in (59|60) min\) · pace ×0\.8\d/);
		const md = runCli(['summary', '--once', '--markdown', '--usage', usage, '--no-cache'], {env: {BURN_STATE_DIR: state}});
		expect(md.stdout).toMatch(/### Quota\n\n- anthropic 5h: 70% used/);
	});

	it("a Claude window near its limit is a flag: in the line, in summary's flags and --fail-on", () => {
		const hot = {rate_limits: {five_hour: {used_percentage: 96, resets_at: reset5h}}};
		expect(statusline(payload(hot)).stdout).toMatch(/ · 5h 96% ↻\d\d:\d\d ×\d\.\d · ‼ rate_limit_proximity anthropic 5h\n$/);
		const usage = join(dir, 'usage.jsonl');
		freshUsage(usage, 2, 1000);
		const r = runCli(['summary', '--once', '--json', '--usage', usage, '--no-cache', '--fail-on', 'crit'], {env: {BURN_STATE_DIR: state}});
		expect(r.code).toBe(3);
		expect(JSON.parse(r.stdout).flags).toContainEqual(expect.objectContaining({id: 'rate_limit_proximity:source:anthropic 5h', severity: 'crit', value: 96}));
	});

	it('a stale window: a sample whose window has reset since is stale, with no pace', () => {
		// A sample from yesterday: its 5h window reset long ago.
		const at = Date.now() - 86_400_000;
		const old = {v: 1, provider: 'anthropic', source: 'statusline', at, windows: [{label: 'five_hour', windowMinutes: 300, usedPercent: 91, resetsAt: Math.floor(at / 1000) + 3600}]};
		mkdirSync(state, {recursive: true});
		writeFileSync(join(state, 'quota.jsonl'), JSON.stringify(old) + '\n');
		const usage = join(dir, 'usage.jsonl');
		freshUsage(usage, 2, 1000);
		const doc = JSON.parse(runCli(['summary', '--once', '--json', '--usage', usage, '--no-cache'], {env: {BURN_STATE_DIR: state}}).stdout);
		expect(doc.quota).toEqual([expect.objectContaining({provider: 'anthropic', window: '5h', usedPercent: 91, stale: true, pace: null, projectedFullAt: null})]);
		// The statusline, with no window in the payload, shows the kept sample as reset, not 91 %.
		expect(statusline(payload({rate_limits: undefined})).stdout).toMatch(/ · 5h reset\n$/);
	});

	it('--refresh writes the digest (today, $/h, top flag) that the line shows; the detached refresh runs by itself', async () => {
		const usage = join(dir, 'usage.jsonl');
		freshUsage(usage, 5);
		const r = statusline(null, ['--refresh', '--usage', usage, '--no-cache', '--budget', 'day=0.5']);
		expect(r).toMatchObject({code: 0, stdout: ''});
		const digest = JSON.parse(readFileSync(join(state, 'statusline-digest.json'), 'utf8'));
		// 5 turns of 200k input + 2k output on Sonnet ($3/M, $15/M): $3.15 today.
		expect(digest.todayUsd).toBeCloseTo(3.15, 6);
		expect(digest.flag).toMatchObject({severity: 'crit', kind: 'budget_burn'});
		expect(statSync(join(state, 'statusline-digest.json')).mode & 0o777).toBe(0o600);
		const line = statusline(payload()).stdout;
		expect(line).toMatch(/\$3\.15 today · \$\d+\.\d\d\/h · 5h 42%.* · ‼ budget_burn/);

		// Without BURN_STATUSLINE_REFRESH=0 an old digest starts one detached refresh, which rewrites it and removes its lock.
		writeFileSync(join(state, 'statusline-digest.json'), JSON.stringify({...digest, at: Date.now() - 10 * 60_000}));
		const started = Date.now();
		statusline(payload(), ['--usage', usage, '--no-cache'], {BURN_STATUSLINE_REFRESH: ''});
		for (let i = 0; i < 600; i++) {
			const d = JSON.parse(readFileSync(join(state, 'statusline-digest.json'), 'utf8'));
			if (d.at >= started && !existsSync(join(state, 'statusline-refresh.lock'))) break;
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		expect(JSON.parse(readFileSync(join(state, 'statusline-digest.json'), 'utf8')).at).toBeGreaterThanOrEqual(started);
		expect(existsSync(join(state, 'statusline-refresh.lock'))).toBe(false);
	});
});
