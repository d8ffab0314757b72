/**
 * `burn watch`: the live view. On a TTY it takes the alternate screen, renders the Ink app over
 * the live engine's store and restores the screen on every exit path. Not a TTY: one summary,
 * a note on stderr why, exit 0. `--demo` watches a synthetic factory written to a temp dir.
 */
import React from 'react';
import {createFlagHook} from '../core/anomalies/live.js';
import {minutes} from '../core/anomalies/params.js';
import {summaryLines, nothingFoundLines} from '../core/report.js';
import {DemoFactory} from '../demo/factory.js';
import {discoverSources} from '../ingest/discover.js';
import {createLiveEngine} from '../ingest/engine.js';
import {readSamples, samplesStamp, stateDir} from '../ingest/quota-state.js';
import type {Notifier} from '../notify/notifier.js';
import {sourceDefinition} from '../sources/registry.js';
import type {Ledger} from '../core/ledger.js';
import type {ActivityEvent} from '../core/record.js';
import {keyHelpRows, LIST_KEYS} from '../ui/keymap.js';
import {cacheDirFrom, cacheFlags, usableCacheDir} from './cache-flags.js';
import {parseCommand} from './cli-kit.js';
import {errorLine, EXIT, SIGNAL_EXIT} from './errors.js';
import {flagStateCache, flagStateKey, keptFoldFor, loadFlagParams, saveFlagState, watchFlagOptions, watchFlagOptionsHelp, type FlagStateCache, type KeptEvaluation} from './flag-options.js';
import {loadPrices, priceFlags, priceFlagsHelp} from './price-sheets.js';
import {notifierFrom, notifyFlags, notifyFlagsHelp, notifyFromStore} from './notify-options.js';
import {metricsFlags, metricsFlagsHelp, metricsPlan, normalizeOtlpFlag, startMetricsOutputs, type MetricsOutputs} from './metrics-options.js';
import {discoveryOptions, issuePatterns, sourceFlags, sourceFlagsHelp, type SourceFlagValues} from './source-flags.js';
import {keepWatched, KeptStore, watchKeptSnapshot} from './watch-kept.js';
import {withQuota, type QuotaStore} from './watch-quota.js';

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
${notifyFlagsHelp}
${sourceFlagsHelp}
${priceFlagsHelp}
${watchFlagOptionsHelp}
${metricsFlagsHelp(false)}

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
			flags: {...metricsFlags, demo: {type: 'boolean', default: false}, ...notifyFlags, ...cacheFlags, ...sourceFlags, ...priceFlags, ...watchFlagOptions},
		},
		normalizeOtlpFlag(argv),
		env,
		cwd,
	);
	const flags = cli.flags;
	const prices = loadPrices(flags, env, cwd);
	const flagParams = loadFlagParams(flags, env, cwd);
	const patterns = issuePatterns(flags);
	const plan = metricsPlan(flags, false, env);
	const tty = Boolean(stdout.isTTY);
	const notices: string[] = [];
	// Checked before the demo starts: a bad --on-flag is a usage error with nothing to clean up.
	const notifier = notifierFrom(flags, {terminal: tty ? stdout : null, env, cwd, report: (m) => notices.push(m)});

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
	const flagCache = cacheDir ? flagStateCache(cacheDir, patterns, prices) : null;
	const resumeFlags = (cache: FlagStateCache, ledger: Ledger, events: readonly ActivityEvent[]) => {
		if (engine.stats.bytesRead !== 0) return null;
		const key = flagStateKey(cache, flagParams, undefined, ledger, events.length);
		return key ? keptFoldFor(cache, key, flagParams, prices.pricer !== undefined, ledger, events) : null;
	};
	// Over unchanged files, the flag fold kept by the last run (flags.v8) is resumed, not redone.
	const flagHook = createFlagHook({params: flagParams, resume: flagCache ? (ledger, events) => resumeFlags(flagCache, ledger, events) : undefined});
	// Found once: the kept first frame (watch-kept.ts) is checked against the roots the engine reads.
	const discoveryOpts = discoveryOptions(sourceValues, env, cwd);
	const discovered = discoverSources(discoveryOpts);
	const engine = createLiveEngine({
		discovery: discoveryOpts,
		pricer: prices.pricer,
		cacheDir,
		issuePatterns: patterns,
		notifyIntervalMs: 100,
		watch: tty,
		detectFlags: flagHook,
		onNotice: (m) => notices.push(m),
	}, discovered);
	// Claude's windows come from the statusline's samples; the records carry Codex's and usage.jsonl's.
	const state = stateDir(env);
	// Over unchanged files, the first full frame is the kept result until the engine is ready (watch-kept.ts).
	const kept = new KeptStore(engine.store);
	const warmStart = () => {
		if (!flagCache) return;
		kept.offer(watchKeptSnapshot({discovery: discovered, patterns, prices, params: flagParams, cache: flagCache, now: Date.now()}));
	};
	const store = withQuota(kept, {samples: () => readSamples(state).samples, stamp: () => samplesStamp(state), pollMs: tty ? 5000 : 0, thresholds: flagParams.rateLimit});
	const offNotify = notifyFromStore(store, notifier);
	// A signal before the UI is up still removes the demo's temp dir.
	const cleanupOnExit = () => demo?.remove();
	process.once('exit', cleanupOnExit);
	let metrics: MetricsOutputs | null = null;
	try {
		if (plan.address || plan.otlp) {
			// The same feed as `burn serve`, over the engine the screen shows.
			metrics = await startMetricsOutputs({
				store,
				plan,
				cacheDir,
				identity: {cwd, sources: discoveryOptions(sourceValues, env, cwd).flags},
				notice: (m) => notices.push(m),
				liveFlagMs: minutes(flagParams.lifecycle.liveMinutes),
			});
			if (metrics.server) stderr.write(`burn watch: metrics on http://${metrics.server.host}:${metrics.server.port}/metrics\n`);
		}
		if (!tty) return await printOnce(engine, store, stdout, stderr, env, notifier);
		return await live(engine, store, stdout, stderr, stdin, (m) => notices.push(m), env, warmStart);
	} finally {
		await metrics?.close();
		offNotify();
		await notifier?.close();
		store.stop();
		await engine.stop();
		// The index is written by now: keep the fold beside it for the next run.
		const final = flagCache ? flagHook.finalFold() : null;
		let fold: KeptEvaluation | null = null;
		if (flagCache && final) {
			const key = flagStateKey(flagCache, flagParams, undefined, final.ledger, final.events);
			if (key) saveFlagState(flagCache.dir, key, final.snapshot);
			if (key && final.evaluation) fold = {key, snapshot: final.evaluation};
		}
		// And this run's count as a kept summary, so the next watch or summary --once starts warm.
		if (flagCache) {
			try {
				const kept = final && fold ? {fold, ledger: final.ledger, events: final.events} : null;
				keepWatched(engine, flagCache.dir, {patterns, prices}, Date.now(), kept);
			} catch (error) {
				notices.push(`could not keep the summary in ${flagCache.dir}: ${(error as Error).message}`);
			}
		}
		demo?.remove();
		process.off('exit', cleanupOnExit);
		for (const n of notices) stderr.write(`burn: ${errorLine(n)}\n`);
	}
}

async function printOnce(engine: ReturnType<typeof createLiveEngine>, store: QuotaStore, stdout: Out, stderr: NodeJS.WritableStream, env: NodeJS.ProcessEnv, notifier: Notifier | null): Promise<number> {
	await engine.start();
	const snapshot = store.getSnapshot();
	const doc = snapshot.doc;
	// One evaluation: --on-flag runs for the flags live now, before the summary is printed.
	if (notifier) {
		notifier.update(snapshot.flags, snapshot.now);
		await notifier.idle();
	}
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
	store: QuotaStore,
	stdout: Out,
	stderr: NodeJS.WritableStream,
	stdin: NodeJS.ReadStream,
	notice: (message: string) => void,
	env: NodeJS.ProcessEnv,
	/** Offers the kept result to the store (before the first Ink frame). */
	warmStart: () => void,
): Promise<number> {
	// The first frame goes out before Ink loads (its modules take ~0.3–0.4 s): a plain screen that
	// says the read is starting; Ink draws over it from a cleared screen.
	stdout.write(`${ENTER_ALT}\u001b[2J\u001b[Hburn  … reading\n\nreading…\n`);
	let modules;
	try {
		const loading = Promise.all([import('ink'), import('../ui/App.js'), import('../ui/palette.js')]);
		// While the modules' files are read: the kept result, for the first full frame (a kept
		// result that cannot be read is no kept result: the engine's read shows everything).
		try {
			warmStart();
		} catch (error) {
			notice(`the kept summary could not be shown: ${(error as Error).message}`);
		}
		modules = await loading;
	} catch (error) {
		stdout.write(LEAVE_ALT);
		throw error;
	}
	const [{render}, {App}, {PaletteContext, paletteFor}] = modules;
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
	stdout.write('\u001b[2J\u001b[H');
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
		instance = render(
			<PaletteContext.Provider value={paletteFor(env)}>
				<App store={store} />
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
		// The first read starts after the first frame is out (discovery and the index load run
		// synchronously inside start()), so the screen says "reading…" at once; failures become
		// notices, not crashes.
		const started = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
			engine.start().catch((error: unknown) => {
				notice((error as Error).message);
			}),
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
