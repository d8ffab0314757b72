/**
 * `--notify` and `--on-flag`: the same options on `watch` and `serve`, one notifier behind both
 * (source/notify/notifier.ts decides what a raise is and rate-limits the command).
 */
import type {LiveStore} from '../core/snapshot.js';
import {createNotifier, type Notifier} from '../notify/notifier.js';
import {UsageError} from './errors.js';

export const notifyFlags = {
	notify: {type: 'boolean', default: false},
	onFlag: {type: 'string'},
} as const;

export const notifyFlagsHelp = `    --notify               Ring the bell and send a desktop notification (OSC 9 / OSC 777) when
                           a warn or crit flag is raised or a budget crosses 80% or 100%
    --on-flag <cmd>        Run <cmd> (with sh) once per raise, the flag as JSON on stdin;
                           rate-limited, a failing command is reported, never fatal`;

export interface NotifyOptions {
	notify: boolean;
	onFlag?: string;
}

/** Checks the options; null when neither was asked for. */
export function notifierFrom(
	flags: NotifyOptions,
	context: {terminal: NodeJS.WritableStream | null; env: NodeJS.ProcessEnv; cwd: string; report: (message: string) => void},
): Notifier | null {
	if (flags.onFlag !== undefined && flags.onFlag.trim() === '') throw new UsageError('--on-flag needs a command', "e.g. --on-flag 'cat >> ~/burn-flags.jsonl'");
	if (!flags.notify && !flags.onFlag) return null;
	return createNotifier({
		terminal: flags.notify ? context.terminal : null,
		tmux: Boolean(context.env.TMUX),
		onFlag: flags.onFlag ?? null,
		report: context.report,
		env: context.env,
		cwd: context.cwd,
	});
}

/** Feeds every ready snapshot's live flags to the notifier; returns the unsubscribe. */
export function notifyFromStore(store: LiveStore, notifier: Notifier | null): () => void {
	if (!notifier) return () => {};
	return store.subscribe(() => {
		const s = store.getSnapshot();
		if (s.ready) notifier.update(s.flags, s.now);
	});
}
