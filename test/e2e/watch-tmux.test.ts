/**
 * `burn watch` in a real terminal: tmux panes at 80×24 and 40×12 run the built CLI on a temp
 * dir; records appended to usage.jsonl appear, Enter drills into an issue and Escape comes
 * back, `q` quits and the shell's screen is back (the alternate screen was left).
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {appendFileSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {runGuid, usageLine, type TurnSpec} from '../../source/demo/usage-line.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux) console.warn('SKIPPED: the tmux end-to-end test of `burn watch` needs tmux (`.ci/run` installs it; apt-get install tmux)');

const CLI = resolve('dist/burn.js');
const SOCKET = `burn-test-${process.pid}`;
const dirs: string[] = [];

function tmux(...args: string[]): string {
	return execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], {encoding: 'utf8'});
}

async function waitForPane(session: string, predicate: (pane: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
	const until = Date.now() + timeoutMs;
	let pane = '';
	while (Date.now() < until) {
		pane = tmux('capture-pane', '-p', '-t', session);
		if (predicate(pane)) return pane;
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`timed out waiting for ${what}; pane:\n${pane}`);
}

function turn(runId: string, n: number, issue: string, output: number): string {
	const now = Date.now();
	const spec: TurnSpec = {
		runId,
		turn: n,
		issue,
		provider: 'anthropic',
		model: 'claude-sonnet-4-6',
		botRole: 'developer',
		startedAt: now - 10_000,
		endedAt: now - 1_000,
		input: 2_000,
		cacheRead: 20_000,
		cacheWrite: 500,
		output,
	};
	return usageLine(spec) + '\n';
}

afterAll(() => {
	if (hasTmux) spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
	for (const d of dirs) rmSync(d, {recursive: true, force: true});
});

describe.skipIf(!hasTmux)('burn watch in tmux', () => {
	for (const [columns, rows] of [
		[80, 24],
		[40, 12],
	] as const) {
		it(`${columns}×${rows}: live appends, drill-down and back, quit restores the screen`, {timeout: 90_000}, async () => {
			const dir = mkdtempSync(join(tmpdir(), 'burn-tmux-'));
			dirs.push(dir);
			const usage = join(dir, 'usage.jsonl');
			writeFileSync(usage, turn(runGuid(3, 1), 1, 'MT-1', 500));
			const session = `w${columns}`;
			tmux('new-session', '-d', '-s', session, '-x', String(columns), '-y', String(rows), 'sh');
			tmux('send-keys', '-t', session, `clear; echo before-watch; CI=false node ${CLI} watch --usage ${dir} --no-cache; echo "watch-exited $?"`, 'Enter');

			let pane = await waitForPane(session, (p) => p.includes('MT-1') && /live|●/.test(p), 'the first record');
			for (const line of pane.split('\n')) expect(Array.from(line.trimEnd()).length).toBeLessThanOrEqual(columns);
			expect(pane).not.toContain('before-watch');

			appendFileSync(usage, turn(runGuid(3, 2), 1, 'MT-2', 40_000));
			pane = await waitForPane(session, (p) => p.includes('MT-2'), 'an appended record');

			// MT-2 spends most recently: after the calm hold it sorts first; `g` selects the first row.
			const rowOf = (p: string, id: string) => p.split('\n').findIndex((l) => l.includes(id));
			await waitForPane(session, (p) => rowOf(p, 'MT-2') !== -1 && rowOf(p, 'MT-2') < rowOf(p, 'MT-1'), 'the re-sort');
			tmux('send-keys', '-t', session, 'g');
			tmux('send-keys', '-t', session, 'Enter');
			pane = await waitForPane(session, (p) => p.includes('› MT-2'), 'the drill-down into MT-2');
			expect(pane).toContain(runGuid(3, 2).slice(0, 8));
			tmux('send-keys', '-t', session, 'Escape');
			await waitForPane(session, (p) => !p.includes('›') && p.includes('MT-1'), 'the way back');

			tmux('send-keys', '-t', session, 'q');
			pane = await waitForPane(session, (p) => p.includes('watch-exited'), 'the shell after quitting');
			expect(pane).toContain('watch-exited 0');
			expect(pane).toContain('before-watch');
			expect(pane).not.toContain('MT-1');
			tmux('kill-session', '-t', session);
		});
	}

	// A big pane on the demo: the panels, the spike flag the README promises (deterministic since
	// issue 16: raised ~22 s of event time in, shown once the flag rules' 15 s lateness has passed),
	// and the flags view that reads it whole.
	it('120×40 on --demo: chart with scale and time axis, detail panel, the spike flag, f opens it whole', {timeout: 120_000}, async () => {
		const columns = 120;
		const session = 'w120';
		tmux('new-session', '-d', '-s', session, '-x', String(columns), '-y', '40', 'sh');
		tmux('send-keys', '-t', session, `clear; CI=false node ${CLI} watch --demo; echo "watch-exited $?"`, 'Enter');
		const fits = (pane: string) => {
			const lines = pane.replace(/\n+$/, '').split('\n');
			expect(lines.length).toBeLessThanOrEqual(40);
			for (const line of lines) expect(Array.from(line.trimEnd()).length).toBeLessThanOrEqual(columns);
		};
		let pane = await waitForPane(session, (p) => p.includes('MT-101') && p.includes('── selected'), 'the panels');
		fits(pane);
		expect(pane).toMatch(/spend \$\/min · last \d+m/);
		expect(pane).toMatch(/╵\d\d:\d0/);
		expect(pane).toMatch(/\$[\d.]+ ┤/);
		pane = await waitForPane(session, (p) => /‼ MT-101 \S+ is burning/.test(p), 'the spike flag', 75_000);
		fits(pane);
		tmux('send-keys', '-t', session, 'f');
		pane = await waitForPane(session, (p) => p.includes('Flags (') && p.includes('‼ critical · spend_spike'), 'the flags view');
		fits(pane);
		expect(pane.replace(/\s+/g, ' ')).toContain('look at what it is doing right now.');
		expect(pane).toContain('(fast EWMA)');
		tmux('send-keys', '-t', session, 'Escape');
		await waitForPane(session, (p) => !p.includes('Flags (') && p.includes('── selected'), 'the flags view closed');
		tmux('send-keys', '-t', session, 'q');
		pane = await waitForPane(session, (p) => p.includes('watch-exited'), 'the shell after quitting');
		expect(pane).toContain('watch-exited 0');
		tmux('kill-session', '-t', session);
	});
});
