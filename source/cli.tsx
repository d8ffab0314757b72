#!/usr/bin/env node
/**
 * Entry point: parses the command, dispatches to commands/<name>, maps errors to exit codes.
 * Bad usage → 2 with a hint; unexpected failure → 1 with one line (stack with BURN_DEBUG=1).
 */
import meow from 'meow';
import {EXIT, UsageError} from './commands/errors.js';

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
    sources                Where burn looked and what it found: files, records, problems,
                           fidelity and time range per root (text or --json)
    forget --gone          Stop counting files that are gone from disk (kept in the index)

  Run "burn <command> --help" for a command's options.

  Examples
    $ burn watch --demo
    $ burn summary --once
    $ burn summary --once --usage .symphony/telemetry --by model
`;

const COMMANDS = ['watch', 'summary', 'prices', 'backfill', 'validate', 'sources', 'forget'] as const;
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
		case 'forget':
			return (await import('./commands/forget.js')).runForget({argv});
	}
}

async function main(): Promise<number> {
	const cli = meow(help, {importMeta: import.meta, description: false, commands: [...COMMANDS], allowUnknownFlags: false, flags: {}});
	if (!cli.command) {
		cli.showHelp(EXIT.ok);
		return EXIT.ok;
	}
	return dispatch(cli.command as Command, cli.input);
}

main().then(
	(code) => {
		process.exitCode = code;
	},
	(error: unknown) => {
		if (error instanceof UsageError) {
			process.stderr.write(`burn: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ''}`);
			process.exitCode = EXIT.usage;
			return;
		}
		const err = error as Error;
		process.stderr.write(`burn: unexpected failure: ${err?.message ?? String(error)}\n`);
		if (process.env.BURN_DEBUG === '1' && err?.stack) process.stderr.write(err.stack + '\n');
		else process.stderr.write('(set BURN_DEBUG=1 for the stack)\n');
		process.exitCode = EXIT.failure;
	},
);
