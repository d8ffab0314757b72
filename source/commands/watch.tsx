/**
 * `burn watch`: the live view. On a TTY it takes the alternate screen, renders the Ink app over
 * the live engine's store and restores the screen on every exit path. Not a TTY: one summary,
 * a note on stderr why, exit 0. `--demo` watches a synthetic factory written to a temp dir.
 */
import React from 'react';
import {createFlagHook} from '../core/anomalies/live.js';
import {summaryLines, nothingFoundLines} from '../core/report.js';
import {DemoFactory} from '../demo/factory.js';
import {createLiveEngine} from '../ingest/engine.js';
import {sourceDefinition} from '../sources/registry.js';
import {keyHelpRows, LIST_KEYS} from '../ui/keymap.js';
import {cacheDirFrom, cacheFlags, usableCacheDir} from './cache-flags.js';
import {parseCommand} from './cli-kit.js';
import {errorLine, EXIT, SIGNAL_EXIT} from './errors.js';
import {loadFlagParams, watchFlagOptions, watchFlagOptionsHelp} from './flag-options.js';
import {loadPrices, priceFlags, priceFlagsHelp} from './price-sheets.js';
import {discoveryOptions, issuePatterns, sourceFlags, sourceFlagsHelp, type SourceFlagValues} from './source-flags.js';

const HELP_KEY = LIST_KEYS.find((e) => e.bindings.some(([, action]) => action === 'help'))!.label;

/** The Keys section of --help, from the same table the screen handles keys with. */
function keysHelp(): string {
	return ['  Keys', ...keyHelpRows(LIST_KEYS).map(([keys, does]) => `    ${keys.padEnd(22)} ${does}`), `    ${HELP_KEY.padEnd(22)} help (in the view)`].join('\n');
}

export const watchHelp = `
  Usage
    $ burn watch [options]

  The live view: spend per issue, run, model and provider as your agents work, with a
  sparkline of spend per minute, anomaly flags and drill-down from issue to run to turn.
  Keep it open in a split pane (40×12 is enough).

${keysHelp()}

  Options
    --demo                 Watch a synthetic agent factory (temp files, removed on exit)
    --cache-dir <dir>      Where the index of read files lives (default: $BURN_CACHE_DIR,
                           else $XDG_CACHE_HOME/burn or ~/.cache/burn)
    --no-cache             Read every file from the start; keep no index
${sourceFlagsHelp}
${priceFlagsHelp}
${watchFlagOptionsHelp}

  When stdout is not a terminal, watch prints the summary once and exits.

  Examples
    $ burn watch --demo
    $ burn watch --usage .symphony/telemetry
`;

type Out = NodeJS.WriteStream | (NodeJS.WritableStream & {isTTY?: boolean; columns?: number; rows?: number});

export interface WatchArgs {
	argv: string[];
	env?: NodeJS.ProcessEnv;
	cwd?: string;
	stdout?: Out;
	stderr?: NodeJS.WritableStream;
	stdin?: NodeJS.ReadStream;
}

const ENTER_ALT = '\u001b[?1049h\u001b[2J\u001b[H';
const LEAVE_ALT = '\u001b[?1049l';

export async function runWatch({argv, env = process.env, cwd = process.cwd(), stdout = process.stdout, stderr = process.stderr, stdin = process.stdin}: WatchArgs): Promise<number> {
	const cli = parseCommand(
		{
			name: 'watch',
			help: watchHelp,
			importMeta: import.meta,
			flags: {demo: {type: 'boolean', default: false}, ...cacheFlags, ...sourceFlags, ...priceFlags, ...watchFlagOptions},
		},
		argv,
		env,
		cwd,
	);
	const flags = cli.flags;
	const prices = loadPrices(flags, env, cwd);
	const flagParams = loadFlagParams(flags, env, cwd);
	const patterns = issuePatterns(flags);
	const tty = Boolean(stdout.isTTY);
	const notices: string[] = [];

	let demo: DemoFactory | null = null;
	let sourceValues: SourceFlagValues = flags;
	if (flags.demo) {
		const claude = sourceDefinition('claude') !== undefined;
		demo = new DemoFactory({claude});
		demo.start();
		sourceValues = {usage: [demo.usageDir], ...(claude ? {claudeDir: [demo.claudeDir]} : {})};
	}
	// The same resolution as summary: `~` expanded, relative to cwd (a quoted '~/c' is not ./~/c).
	const cacheDir = demo ? null : usableCacheDir(cacheDirFrom(flags, env, cwd), (m) => notices.push(m));
	const engine = createLiveEngine({
		discovery: discoveryOptions(sourceValues, env, cwd),
		pricer: prices.pricer,
		cacheDir,
		issuePatterns: patterns,
		notifyIntervalMs: 100,
		watch: tty,
		detectFlags: createFlagHook({params: flagParams}),
		onNotice: (m) => notices.push(m),
	});
	// A signal before the UI is up still removes the demo's temp dir.
	const cleanupOnExit = () => demo?.remove();
	process.once('exit', cleanupOnExit);
	try {
		if (!tty) return await printOnce(engine, stdout, stderr, env);
		return await live(engine, stdout, stderr, stdin, (m) => notices.push(m), env);
	} finally {
		await engine.stop();
		demo?.remove();
		process.off('exit', cleanupOnExit);
		for (const n of notices) stderr.write(`burn: ${errorLine(n)}\n`);
	}
}

async function printOnce(engine: ReturnType<typeof createLiveEngine>, stdout: Out, stderr: NodeJS.WritableStream, env: NodeJS.ProcessEnv): Promise<number> {
	await engine.start();
	const doc = engine.store.getSnapshot().doc;
	stderr.write('burn watch: stdout is not a terminal, so this is the summary once (burn summary --once does the same)\n');
	if (doc.totals.records === 0 && doc.problems.count === 0) {
		stdout.write(nothingFoundLines(doc).join('\n') + '\n');
		return EXIT.ok;
	}
	const width = 100;
	const [{renderReportText}, {paletteFor}] = await Promise.all([import('../ui/render-report.js'), import('../ui/palette.js')]);
	stdout.write(renderReportText(summaryLines(doc, {width, by: 'issue'}), width, paletteFor(env)) + '\n');
	return EXIT.ok;
}

async function live(
	engine: ReturnType<typeof createLiveEngine>,
	stdout: Out,
	stderr: NodeJS.WritableStream,
	stdin: NodeJS.ReadStream,
	notice: (message: string) => void,
	env: NodeJS.ProcessEnv,
): Promise<number> {
	const [{render}, {App}, {PaletteContext, paletteFor}] = await Promise.all([import('ink'), import('../ui/App.js'), import('../ui/palette.js')]);
	let restored = false;
	const restore = () => {
		if (restored) return;
		restored = true;
		stdout.write(LEAVE_ALT);
	};
	// Registered before Ink's own listener: a resize starts from a clean screen, so a shrink
	// leaves no reflowed leftovers behind the new frame.
	const onResize = () => stdout.write('\u001b[2J\u001b[H');
	const out = stdout as NodeJS.WriteStream;
	out.on('resize', onResize);
	stdout.write(ENTER_ALT);
	process.once('exit', restore);
	let code: number = EXIT.ok;
	let instance: ReturnType<typeof render> | null = null;
	const onSignal = (signal: NodeJS.Signals) => {
		code = SIGNAL_EXIT[signal as keyof typeof SIGNAL_EXIT] ?? SIGNAL_EXIT.SIGTERM;
		instance?.unmount();
	};
	const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
	for (const s of signals) process.on(s, onSignal);
	try {
		// The first read runs while the UI shows "reading…"; failures become notices, not crashes.
		const started = engine.start().catch((error: unknown) => {
			notice((error as Error).message);
		});
		instance = render(
			<PaletteContext.Provider value={paletteFor(env)}>
				<App store={engine.store} />
			</PaletteContext.Provider>,
			{
				stdout: out,
				stdin,
				stderr: stderr as NodeJS.WriteStream,
				maxFps: 12,
				exitOnCtrlC: false,
				patchConsole: false,
			},
		);
		await instance.waitUntilExit();
		await started;
		return code;
	} finally {
		for (const s of signals) process.off(s, onSignal);
		out.off('resize', onResize);
		restore();
		process.off('exit', restore);
	}
}
