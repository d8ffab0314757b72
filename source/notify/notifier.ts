/**
 * Flags that reach you outside the pane. `createNotifier(options)` returns `update(flags, now)`:
 * give it each new list of live flags (watch does, `burn serve` can); each raise (core/flag-raises.ts)
 * is delivered once:
 * - `terminal`: a bell and a desktop notification as OSC 9 (iTerm2, WezTerm, kitty, Windows
 *   Terminal) and OSC 777 (urxvt, foot, VTE/GNOME Terminal), written between frames;
 * - `onFlag`: a shell command run once per raise with the flag as JSON on stdin (and
 *   `BURN_FLAG_ID`, `BURN_FLAG_KIND`, `BURN_FLAG_SEVERITY`, `BURN_FLAG_REASON` in its env),
 *   rate-limited (one run per flag per cooldown, a few per minute overall, one at a time); a
 *   command that fails, times out or cannot start is reported through `report`, never thrown.
 * Format and rules: docs/quota.md.
 */
import {spawn} from 'node:child_process';
import {RaiseTracker, raiseText, type FlagRaise} from '../core/flag-raises.js';
import type {Flag, Severity} from '../core/flags.js';
import {sanitize} from '../core/sanitize.js';

export interface NotifierOptions {
	/** Where the bell and OSC sequences go (the terminal), or null for none. */
	terminal?: {write(text: string): unknown} | null;
	/** The terminal is a tmux pane (`$TMUX` set): OSCs are wrapped for passthrough. */
	tmux?: boolean;
	/** Shell command run per raise (`sh -c`), or null. */
	onFlag?: string | null;
	/** Where failures and suppressed runs are reported (one line each). */
	report?: (message: string) => void;
	minSeverity?: Severity;
	/** A flag id runs the command at most once per this many ms (default 5 min). */
	perFlagMs?: number;
	/** At most this many command runs per minute overall (default 6); more are dropped and reported. */
	perMinute?: number;
	/** A run is killed after this many ms (default 10 s). */
	timeoutMs?: number;
	env?: NodeJS.ProcessEnv;
	cwd?: string;
}

export interface Notifier {
	/** Feed the current live flags; returns the raises delivered (for tests and logs). */
	update(flags: readonly Flag[], now: number): FlagRaise[];
	/** Resolves when no command is running or queued. */
	idle(): Promise<void>;
	/** Stops queued runs and kills a running one. */
	close(): Promise<void>;
}

const BEL = '\u0007';

/**
 * Terminal text for a raise: bell, OSC 9, OSC 777. Text is sanitized; `;` cannot split OSC 777
 * fields. Inside tmux the OSCs are wrapped for passthrough (tmux's `allow-passthrough on`).
 */
export function terminalNotification(title: string, body: string, options: {tmux?: boolean} = {}): string {
	const clean = (s: string) => sanitize(s).replace(/;/g, ',').slice(0, 200);
	const osc = [`\u001b]9;${clean(`${title}: ${body}`)}${BEL}`, `\u001b]777;notify;${clean(title)};${clean(body)}${BEL}`];
	const wrap = (seq: string) => (options.tmux ? `\u001bPtmux;${seq.replace(/\u001b/g, '\u001b\u001b')}\u001b\\` : seq);
	return BEL + osc.map(wrap).join('');
}

export function createNotifier(options: NotifierOptions): Notifier {
	const tracker = new RaiseTracker({minSeverity: options.minSeverity});
	const report = options.report ?? (() => {});
	const perFlagMs = options.perFlagMs ?? 5 * 60_000;
	const perMinute = options.perMinute ?? 6;
	const timeoutMs = options.timeoutMs ?? 10_000;
	const lastRun = new Map<string, number>();
	const runs: number[] = [];
	const queue: FlagRaise[] = [];
	let running: ReturnType<typeof spawn> | null = null;
	let closed = false;
	let idleWaiters: Array<() => void> = [];

	const settle = () => {
		if (running || queue.length > 0) return;
		const w = idleWaiters;
		idleWaiters = [];
		for (const f of w) f();
	};

	const runNext = () => {
		if (closed || running) return settle();
		const raise = queue.shift();
		if (!raise) return settle();
		const cmd = options.onFlag!;
		const label = `--on-flag "${cmd}"`;
		let child: ReturnType<typeof spawn>;
		try {
			child = spawn(cmd, {
				shell: true,
				cwd: options.cwd,
				env: {...(options.env ?? process.env), BURN_FLAG_ID: raise.flag.id, BURN_FLAG_KIND: raise.flag.kind, BURN_FLAG_SEVERITY: raise.flag.severity, BURN_FLAG_REASON: raise.reason},
				stdio: ['pipe', 'ignore', 'pipe'],
			});
		} catch (error) {
			report(`${label} could not start: ${(error as Error).message}`);
			return runNext();
		}
		running = child;
		let stderr = '';
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			child.kill('SIGKILL');
		}, timeoutMs);
		child.stderr?.on('data', (d: Buffer) => {
			if (stderr.length < 2000) stderr += d.toString('utf8');
		});
		child.stdin?.on('error', () => {}); // a command that ignores its stdin closes it early: fine
		child.stdin?.end(JSON.stringify({...raise.flag, reason: raise.reason}) + '\n');
		let done = false;
		const finish = (problem: string | null) => {
			if (done) return;
			done = true;
			clearTimeout(timer);
			running = null;
			if (problem) report(`${label} ${problem}${stderr.trim() ? `: ${sanitize(stderr.trim().split('\n')[0]!).slice(0, 200)}` : ''} (flag ${raise.flag.id})`);
			runNext();
		};
		child.on('error', (error) => finish(`could not start: ${error.message}`));
		child.on('close', (code, signal) => {
			if (timedOut) finish(`timed out after ${Math.round(timeoutMs / 1000)} s`);
			else if (code !== 0) finish(signal ? `was killed (${signal})` : `exited ${code}`);
			else finish(null);
		});
	};

	return {
		update(flags, now) {
			const raises = tracker.update(flags);
			for (const r of raises) {
				if (options.terminal) {
					const {title, body} = raiseText(r);
					options.terminal.write(terminalNotification(title, body, {tmux: options.tmux}));
				}
				if (!options.onFlag || closed) continue;
				const last = lastRun.get(r.flag.id);
				if (last !== undefined && now - last < perFlagMs && r.reason === 'raised') continue;
				while (runs.length > 0 && runs[0]! <= now - 60_000) runs.shift();
				if (runs.length >= perMinute) {
					report(`--on-flag: more than ${perMinute} raises in a minute; not run for ${r.flag.id}`);
					continue;
				}
				runs.push(now);
				lastRun.set(r.flag.id, now);
				queue.push(r);
			}
			runNext();
			return raises;
		},
		idle() {
			if (!running && queue.length === 0) return Promise.resolve();
			return new Promise((resolve) => idleWaiters.push(resolve));
		},
		async close() {
			closed = true;
			queue.length = 0;
			const child = running;
			if (child) {
				await new Promise<void>((resolve) => {
					child.once('close', () => resolve());
					child.kill('SIGTERM');
				});
			}
			settle();
		},
	};
}
