#!/usr/bin/env node
/**
 * Entry point: finds the command, dispatches to commands/<name>, and leaves through the one exit
 * path (commands/errors.ts `finish`): bad usage → 2 with a hint; unexpected failure → 1 with one
 * line (the stack with BURN_DEBUG=1). `burn help [command]`, `-h` and `--help` print help.
 */
import './production-mode.js';
import {readFileSync} from 'node:fs';
import {closestMatch} from 'leven';
import {EXIT, finish, HelpRequested, UsageError} from './commands/errors.js';

const help = `
  burn — where your coding-agent money goes, live.

  Usage
    $ burn <command> [options]

  Commands
    watch                  The live view: spend per issue, run, model and provider, with flags
                           and drill-down (try: burn watch --demo)
    summary --once         Print totals by issue, run, model or provider once, then exit
                           (text, --json or --markdown)
    prices [MODEL]         The prices in use for a model (or all) and where each rate came from
    backfill --out <file>  Write transcript records as a Symphony usage.jsonl (reruns append
                           only what is new)
    validate <file|dir>    Check usage.jsonl files against the spec (exit 1 on violations)
    serve                  Headless: export spend as Prometheus metrics (/metrics) and OTLP,
                           for a team's agents on several machines
    sources                Where burn looked and what it found: files, records, problems,
                           fidelity and time range per root (text or --json)
    statusline             One line for Claude Code's status line (reads its JSON on stdin)
    forget --gone          Stop counting files that are gone from disk (kept in the index)
    help [command]         This help, or a command's options (also: burn <command> --help)

  Exit codes
    0                      Done (also when no data was found: the message names every place searched)
    1                      Unexpected failure (one line; BURN_DEBUG=1 adds the stack); validate:
                           violations found; prices: the model is unpriced
    2                      Bad usage: an unknown flag, a missing or bad value, a named path that
                           does not exist or cannot be read (with a hint)
    3                      A flag at or above --fail-on warn|crit was raised (summary)

  Environment
    NO_COLOR               Set (not empty): no colours; BURN_DEBUG=1: stacks on failures

  Examples
    $ burn watch --demo
    $ burn summary --once
    $ burn summary --once --usage .symphony/telemetry --by model
`;

const COMMANDS = ['watch', 'summary', 'prices', 'backfill', 'validate', 'sources', 'statusline', 'serve', 'forget'] as const;
type Command = (typeof COMMANDS)[number];

async function dispatch(command: Command, argv: string[]): Promise<number> {
	switch (command) {
		case 'watch':
			return (await import('./commands/watch.js')).runWatch({argv});
		case 'summary':
			return (await import('./commands/summary.js')).runSummary({argv});
		case 'prices':
			return (await import('./commands/prices.js')).runPrices({argv});
		case 'backfill':
			return (await import('./commands/backfill.js')).runBackfill({argv});
		case 'validate':
			return (await import('./commands/validate.js')).runValidate({argv});
		case 'sources':
			return (await import('./commands/sources.js')).runSources({argv});
		case 'statusline':
			return (await import('./commands/statusline.js')).runStatusline({argv});
		case 'serve':
			return (await import('./commands/serve.js')).runServe({argv});
		case 'forget':
			return (await import('./commands/forget.js')).runForget({argv});
	}
}

const isCommand = (name: string): name is Command => (COMMANDS as readonly string[]).includes(name);

function unknownCommand(name: string): UsageError {
	const guess = closestMatch(name, [...COMMANDS, 'help'], {maxDistance: Math.max(2, Math.floor(name.length / 3))});
	return new UsageError(`unknown command "${name}"`, `${guess ? `did you mean "burn ${guess}"? ` : ''}commands: ${COMMANDS.join(', ')} (burn help)`);
}

function version(): string {
	const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {version: string};
	return pkg.version;
}

async function main(argv: string[]): Promise<number> {
	const [first, ...rest] = argv;
	if (first === undefined || first === '-h' || first === '--help') throw new HelpRequested(help.replace(/^\n/, ''));
	if (first === '--version' || first === '-v') {
		process.stdout.write(`${version()}\n`);
		return EXIT.ok;
	}
	if (first === 'help') {
		const topic = rest.find((a) => !a.startsWith('-'));
		if (topic === undefined) throw new HelpRequested(help.replace(/^\n/, ''));
		if (!isCommand(topic)) throw unknownCommand(topic);
		return dispatch(topic, ['--help']);
	}
	if (first.startsWith('-')) throw new UsageError(`unknown flag ${first}`, 'flags go after the command: burn <command> [options] (burn help)');
	if (!isCommand(first)) throw unknownCommand(first);
	return dispatch(first, rest);
}

// A reader that stops early (`burn summary --once --json | head`) closes the pipe: what is left of
// the answer has nowhere to go, which is not an error of burn's (no stack trace). The command
// goes on to its end (a summary still keeps what the next run starts from).
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
	if (error.code !== 'EPIPE') throw error;
});

const streams = {stdout: process.stdout, stderr: process.stderr, env: process.env};
main(process.argv.slice(2)).then(
	(code) => {
		process.exitCode = finish({code}, streams);
	},
	(error: unknown) => {
		process.exitCode = finish({error}, streams);
	},
);
