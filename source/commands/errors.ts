/**
 * The one error type commands throw, and the one exit path (`finish`, called by cli.tsx only).
 * A command returns an exit code or throws a `BurnError`; nothing else calls `process.exit`.
 */
import {sanitize} from '../core/sanitize.js';

export const EXIT = {
	ok: 0,
	/** An unexpected failure, or `validate` / `prices` finding what they check for. */
	failure: 1,
	/** Bad flags, values or named paths. */
	usage: 2,
	/** A flag at or above `--fail-on` was raised. */
	flagged: 3,
} as const;

/** 128 + the signal number, as shells report a process ended by a signal. */
export const SIGNAL_EXIT: Readonly<Record<'SIGHUP' | 'SIGINT' | 'SIGTERM', number>> = {SIGHUP: 129, SIGINT: 130, SIGTERM: 143};

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure burn can explain in one line: the message, an optional hint, and its exit code. */
export class BurnError extends Error {
	readonly exit: ExitCode;
	readonly hint?: string;
	constructor(message: string, options: {exit: ExitCode; hint?: string}) {
		super(message);
		this.name = 'BurnError';
		this.exit = options.exit;
		this.hint = options.hint;
	}
}

/** A mistake in how burn was called (flags, values, files named on the command line): exit 2. */
export class UsageError extends BurnError {
	constructor(message: string, hint?: string) {
		super(message, {exit: EXIT.usage, hint});
		this.name = 'UsageError';
	}
}

/** `--help`, `-h` or `burn help <command>`: the text goes to stdout, exit 0. */
export class HelpRequested extends BurnError {
	constructor(readonly text: string) {
		super('help', {exit: EXIT.ok});
		this.name = 'HelpRequested';
	}
}

interface Streams {
	stdout: NodeJS.WritableStream;
	stderr: NodeJS.WritableStream;
	env: NodeJS.ProcessEnv;
}

/** Every line burn writes to stderr about an error: sanitized (a file's bytes never reach the terminal raw). */
export function errorLine(text: string): string {
	return text
		.split('\n')
		.map((l) => sanitize(l))
		.join('\n');
}

/** The exit path: a command's result or error → what is printed and the exit code. */
export function finish(outcome: {code: number} | {error: unknown}, {stdout, stderr, env}: Streams): number {
	if ('code' in outcome) return outcome.code;
	const error = outcome.error;
	if (error instanceof HelpRequested) {
		stdout.write(error.text.endsWith('\n') ? error.text : `${error.text}\n`);
		return EXIT.ok;
	}
	if (error instanceof BurnError) {
		stderr.write(`burn: ${errorLine(error.message)}\n${error.hint ? `hint: ${errorLine(error.hint)}\n` : ''}`);
		return error.exit;
	}
	const err = error as Error;
	stderr.write(`burn: unexpected failure: ${errorLine(err?.message ?? String(error))}\n`);
	if (env.BURN_DEBUG === '1' && err?.stack) stderr.write(errorLine(err.stack) + '\n');
	else stderr.write('(set BURN_DEBUG=1 for the stack)\n');
	return EXIT.failure;
}
