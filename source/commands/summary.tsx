import {summaryMarkdown} from '../core/markdown.js';
import {filteredOutLines, nothingFoundLines, REPORT_DIMENSIONS, summaryLines, type ReportDimension} from '../core/report.js';
import type {RecordFilter} from '../core/record-filter.js';
import {parseTimeValue} from '../core/time-range.js';
import type {Evaluation} from '../core/anomalies/index.js';
import {recordQuotaSamples, type ProviderQuotaSample} from '../core/quota.js';
import type {SummaryJson} from '../core/summary.js';
import {discoverSources} from '../ingest/discover.js';
import {SOURCES} from '../sources/registry.js';
import {parseCommand} from './cli-kit.js';
import {ProgressLine, type ProgressStream} from './progress-line.js';
import {EXIT, UsageError} from './errors.js';
import {quotaFromSamples, withWindowFlags} from './quota-doc.js';
import {KeptDocument, keepSummary, packMinutes, summaryKey, warmDepends, type JudgedFields} from './kept-summary.js';
import {keepReport, loadReport, reportKey} from './report-memo.js';
import {warmSummary} from './summary-warm.js';
import {failsOn, flagOptions, flagStateCache, flagOptionsHelp, loadFlagParams, parseFailOn, summaryFlags} from './flag-options.js';
import {cacheDirFrom, cacheFlags, cacheFlagsHelp, noticeToStderr, usableCacheDir} from './cache-flags.js';
import {loadPrices, priceFlags, priceFlagsHelp, pricingInfo} from './price-sheets.js';
import {discoveryOptions, issuePatterns, sourceFlags, sourceFlagsHelp} from './source-flags.js';

export const summaryHelp = `
  Usage
    $ burn summary --once [options]

  Prints where the money went, once, and exits: totals by issue (or run, model, provider),
  how much of it is measured, and any problems found in the data.

  Output
    --json                 Only the burn.summary/1 JSON document on stdout
    --markdown             The report as GitHub markdown
    --by <dimension>       issue (default), run, model or provider
    --width <columns>      Width of the text report (default: the terminal's, or 100 in a pipe)

  Filters
    --since <time>         Only records at or after: 2026-11-01, 2026-11-01T09:00Z, or 30m/24h/7d/2w ago
    --until <time>         Only records at or before (same forms)
    --issue <ID>           Only one issue, e.g. MT-649
${sourceFlagsHelp}
${priceFlagsHelp}
${cacheFlagsHelp}
${flagOptionsHelp}

  Examples
    $ burn summary --once
    $ burn summary --once --by model --since 7d
    $ burn summary --once --usage ./.symphony/telemetry --json > spend.json
    $ burn summary --once --budget issue=5 --budget day=50 --fail-on crit
`;

export interface SummaryArgs {
	argv: string[];
	env?: NodeJS.ProcessEnv;
	cwd?: string;
	stdout?: NodeJS.WritableStream & {columns?: number; isTTY?: boolean};
	/** Where a cold read's progress line goes (only when it is a terminal). */
	stderr?: ProgressStream;
	now?: Date;
}

const fmt = (n: number) => n.toLocaleString('en-US');

export async function runSummary({argv, env = process.env, cwd = process.cwd(), stdout = process.stdout, stderr = process.stderr, now = new Date()}: SummaryArgs): Promise<number> {
	const cli = parseCommand(
		{
			name: 'summary',
			help: summaryHelp,
			importMeta: import.meta,
			flags: {
			once: {type: 'boolean', default: true},
			json: {type: 'boolean', default: false},
			markdown: {type: 'boolean', default: false},
			by: {type: 'string', default: 'issue'},
			width: {type: 'number'},
			since: {type: 'string'},
			until: {type: 'string'},
			issue: {type: 'string'},
			...sourceFlags,
			...priceFlags,
			...cacheFlags,
			...flagOptions,
			},
		},
		argv,
		env,
		cwd,
	);
	const flags = cli.flags;
	if (!REPORT_DIMENSIONS.includes(flags.by as ReportDimension)) {
		throw new UsageError(`--by "${flags.by}" is not a dimension`, `use one of: ${REPORT_DIMENSIONS.join(', ')}`);
	}
	if (flags.json && flags.markdown) throw new UsageError('--json and --markdown cannot be combined', 'pick one output format');
	if (flags.width !== undefined && (!Number.isFinite(flags.width) || flags.width < 20)) {
		throw new UsageError(`--width ${flags.width} is too narrow`, 'use 20 columns or more');
	}
	const filters = parseFilters(flags, now.getTime());
	// Prices load before any data is read: a bad sheet is a usage error, not a half-priced report.
	const prices = loadPrices(flags, env, cwd);
	const flagParams = loadFlagParams(flags, env, cwd);
	const failOn = parseFailOn(flags.failOn);
	const cacheDir = usableCacheDir(cacheDirFrom(flags, env, cwd), noticeToStderr);
	const patterns = issuePatterns(flags);
	const discoveryOpts = discoveryOptions(flags, env, cwd);
	const discovery = discoverSources(discoveryOpts);
	const pricing = pricingInfo(prices);
	const depends = warmDepends(discovery, filters, patterns, prices);
	const flagCache = cacheDir ? flagStateCache(cacheDir, patterns, prices) : undefined;
	// Unchanged files since the last run: the kept summary and flag fold, nothing decoded (summary-warm.ts).
	const warm = cacheDir && flagCache ? warmSummary(cacheDir, depends, SOURCES, {params: flagParams, priced: prices.pricer !== undefined, now, cache: flagCache}) : null;
	let built: SummaryJson | null = null;
	let kept: KeptDocument | null = warm?.doc ?? null;
	let flagged: Evaluation;
	let quotaSamples: ProviderQuotaSample[];
	// After a full read: what the next run starts from, written once the answer is out.
	let keepForNextRun: (() => void) | null = null;
	if (warm) ({flags: flagged, quota: quotaSamples} = warm);
	else {
		const [{collectSummary}, {minutePoints}] = await Promise.all([import('../ingest/read-once.js'), import('../ingest/document.js')]);
		// Not warm: this reads files (seconds on a big history), so a terminal sees it going.
		const progress = new ProgressLine(stderr);
		let records = 0;
		const onRecord = () => {
			records++;
			progress.draw(() => `burn: reading… ${fmt(records)} records`);
		};
		const onNotice = (message: string) => {
			progress.clear();
			noticeToStderr(message);
		};
		progress.draw(() => 'burn: reading…', true);
		const collected = await collectSummary({discovery: discoveryOpts, discovered: discovery, filters, pricer: prices.pricer, now, issuePatterns: patterns, cacheDir, onNotice, onRecord: progress.active ? onRecord : undefined, writeIndex: false});
		built = collected.doc;
		progress.draw(() => `burn: judging flags over ${fmt(collected.ledger.size)} records…`, true);
		const full = summaryFlags(collected, flagParams, prices.pricer !== undefined, filters, now.getTime(), flagCache);
		flagged = full;
		const samples = recordQuotaSamples(collected.ledger.records());
		quotaSamples = samples;
		// The document as built, before the parts judged at the wall clock are added: what is kept,
		// and what --json writes (so made before its answer; the text and markdown reports, which
		// do not write it, make it after theirs: x1 ~40 ms, 1M usage lines ~0.2 s).
		const builtDoc = built;
		let keptDoc = cacheDir && flags.json ? KeptDocument.of(builtDoc) : null;
		kept = keptDoc;
		// The index, then the flag fold and the kept summary (both named by the index's digest): the
		// answer does not wait for them, the process does.
		keepForNextRun = () => {
			// The answer is out, but the prompt comes back only after this (x1: ~0.6 s, 1M usage lines: ~3 s).
			if (cacheDir) progress.draw(() => `burn: keeping the index for the next run (${cacheDir})…`, true);
			const fold = full.keep(() => collected.engine.writeIndex());
			if (cacheDir && !flags.json) keptDoc = KeptDocument.of(builtDoc);
			if (cacheDir) keepSummary(cacheDir, depends, collected.engine.manifest(), keptDoc, {flags: full.inputs, fold, quota: samples, minutes: packMinutes(minutePoints(collected.ledger, now.getTime())), sources: collected.sources});
			progress.clear();
		};
		progress.clear();
	}
	const quota = quotaFromSamples(quotaSamples, env, now.getTime());
	// In the document's key order: what summary adds to what the builder built.
	const judged: JudgedFields = {pricing, flags: withWindowFlags(flagged.flags, quota, now.getTime(), flagParams.rateLimit), flagNotes: flagged.notes, quota};
	// --fail-on: exit 3 after the report is written, so CI keeps the output and can act on it.
	const exit = failsOn(judged.flags, failOn) ? EXIT.flagged : EXIT.ok;
	// The text report as printed, when it was rendered (kept for the next run that would print the same).
	let rendered: string | null = null;
	// Its key hashes the judged fields (x1: 843 flags, ~1.2 MB of JSON): made once per summary key.
	let reportKeyOf: {summary: string; key: string} | null = null;
	try {
		await writeAnswer();
		// Out before the writing starts: a pipe takes what it can at once and the rest as the event
		// loop runs, which the kept state's synchronous writes would otherwise hold up.
		if (keepForNextRun) await new Promise<void>((resolve) => stdout.write('', () => resolve()));
	} finally {
		keepForNextRun?.();
		// Under the key of the summary kept now (a full read's names the index it just wrote).
		const text = rendered as string | null;
		const summary = text !== null && cacheDir ? summaryKey(cacheDir, depends) : null;
		if (text !== null && cacheDir && summary !== null) keepReport(cacheDir, textReportKey(summary), text);
	}
	return exit;

	/** The kept text report's key for the summary kept under `summary` (a miss asks twice: looked up, then kept). */
	function textReportKey(summary: string): string {
		if (reportKeyOf?.summary !== summary) reportKeyOf = {summary, key: reportKey({summary, judged, by: flags.by, width: textWidth(), env, tty: [stdout.isTTY === true, process.stdout.isTTY === true]})};
		return reportKeyOf.key;
	}

	function textWidth(): number {
		return flags.width ?? (stdout.isTTY && stdout.columns ? stdout.columns : 100);
	}

	async function writeAnswer(): Promise<void> {
		if (flags.json) {
			// The kept bytes as they are (a warm run: no parse, no re-serialisation of the counted part).
			if (kept) kept.writeJson(stdout, now.toISOString(), judged);
			else stdout.write(JSON.stringify(Object.assign(built!, judged), null, 2) + '\n');
			return;
		}
		// A warm run prints the text report the last one kept when it would be the same bytes (report-memo.ts).
		const memo = warm && cacheDir && !flags.markdown ? loadReport(cacheDir, textReportKey(warm.key)) : null;
		if (memo !== null) {
			stdout.write(memo);
			return;
		}
		// A copy of the built document with the judged fields: the built one is kept as it is after the answer.
		const doc: SummaryJson = warm ? Object.assign(warm.doc.parse(now.toISOString()), judged) : {...built!, ...judged};
		if (flags.markdown) {
			stdout.write(summaryMarkdown(doc, flags.by as ReportDimension));
			return;
		}
		const width = textWidth();
		if (doc.totals.records === 0 && doc.problems.count === 0) {
			stdout.write((filteredOutLines(doc) ?? nothingFoundLines(doc)).join('\n') + '\n');
			return;
		}
		const lines = summaryLines(doc, {width, by: flags.by as ReportDimension});
		// Ink and React load only for the text report: --json and --markdown start faster without them.
		const [{renderReportText}, {paletteFor}] = await Promise.all([import('../ui/render-report.js'), import('../ui/palette.js')]);
		rendered = renderReportText(lines, width, paletteFor(env)) + '\n';
		stdout.write(rendered);
	}
}

function parseFilters(flags: {since?: string; until?: string; issue?: string}, now: number): RecordFilter {
	const time = (name: string, value: string | undefined) => {
		if (value === undefined) return null;
		const parsed = parseTimeValue(value, now);
		if (!parsed.ok) throw new UsageError(`--${name}: ${parsed.error}`);
		return parsed.ms;
	};
	const since = time('since', flags.since);
	const until = time('until', flags.until);
	if (since !== null && until !== null && since > until) throw new UsageError('--since is after --until', 'swap them');
	return {since, until, issue: flags.issue?.trim() || null};
}
