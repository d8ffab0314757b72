/**
 * `burn backfill --out <usage.jsonl>`: every transcript record burn counts, written as spec
 * conformant Symphony usage.jsonl records (the seed's consumer does the same). Reruns append only
 * what is new; a half-written last line from an interrupted run is cut off and rewritten.
 */
import {existsSync, mkdirSync, statSync} from 'node:fs';
import {dirname, resolve} from 'node:path';
import meow from 'meow';
import {planBackfill} from '../core/backfill-plan.js';
import {collectSummary} from '../ingest/read-once.js';
import {prepareOutput, UsageAppender} from '../ingest/usage-out.js';
import {cacheDirFrom, cacheFlags, cacheFlagsHelp, noticeToStderr} from './cache-flags.js';
import {UsageError} from './errors.js';
import {discoveryOptions, issuePatterns, sourceFlags, sourceFlagsHelp} from './source-flags.js';

export const backfillHelp = `
  Usage
    $ burn backfill --out <usage.jsonl> [options]

  Writes every record burn reads from agent transcripts as a Symphony usage.jsonl record (one per
  call, turns numbered from 1 in time order, runID a UUID derived from the session, no prompt or
  response text). Run it again and it appends only what is not in the file yet.

  Options
    --out <file>           The usage.jsonl to write or extend (required)
    --only-attributed      Leave out records no issue was found for (written as "(none)" otherwise)
${sourceFlagsHelp}
${cacheFlagsHelp}

  Examples
    $ burn backfill --out ~/burn-history/usage.jsonl
    $ burn summary --once --usage ~/burn-history/usage.jsonl
`;

export interface BackfillArgs {
	argv: string[];
	env?: NodeJS.ProcessEnv;
	cwd?: string;
	stdout?: NodeJS.WritableStream;
	stderr?: NodeJS.WritableStream & {isTTY?: boolean};
	now?: Date;
}

const fmt = (n: number) => n.toLocaleString('en-US');

export async function runBackfill({argv, env = process.env, cwd = process.cwd(), stdout = process.stdout, stderr = process.stderr, now = new Date()}: BackfillArgs): Promise<number> {
	const cli = meow(backfillHelp, {
		importMeta: import.meta,
		description: false,
		argv,
		allowUnknownFlags: false,
		flags: {out: {type: 'string'}, onlyAttributed: {type: 'boolean', default: false}, ...sourceFlags, ...cacheFlags},
	});
	const flags = cli.flags;
	if (!flags.out) throw new UsageError('--out is required', 'burn backfill --out ~/burn-history/usage.jsonl');
	const out = resolve(cwd, flags.out);
	if (out.endsWith('.gz')) throw new UsageError('--out cannot be a .gz file', 'write plain usage.jsonl; compress it afterwards');
	if (existsSync(out) && !statSync(out).isFile()) throw new UsageError(`--out ${out} is not a file`);

	const tty = stderr.isTTY === true;
	let lastDraw = 0;
	// The text is built only when it is drawn: no formatting per record in a pipe.
	const draw = (text: () => string, force = false) => {
		if (!tty) return;
		const t = Date.now();
		if (!force && t - lastDraw < 100) return;
		lastDraw = t;
		stderr.write(`\r\x1b[2K${text()}`);
	};

	// The progress line counts records as the engine reads them (from files or the index).
	const sessions = new Set<string>();
	let seen = 0;
	const onRecord = (r: {source: string; runId: string}) => {
		seen++;
		sessions.add(`${r.source}:${r.runId}`);
		draw(() => `backfill: reading… ${fmt(seen)} records from ${fmt(sessions.size)} sessions`);
	};
	draw(() => 'backfill: reading transcripts…', true);
	// The same read, counting-once step and document summary and watch use.
	const {ledger, problems} = await collectSummary({
		discovery: discoveryOptions(flags, env, cwd),
		issuePatterns: issuePatterns(flags),
		cacheDir: cacheDirFrom(flags, env, cwd),
		onNotice: noticeToStderr,
		onRecord: tty ? onRecord : undefined,
		now,
		detail: 'live',
	});

	draw(() => 'backfill: checking what the output already holds…', true);
	mkdirSync(dirname(out), {recursive: true});
	const existing = await prepareOutput(out);
	const plan = planBackfill(ledger.records(), existing.runs, {onlyAttributed: flags.onlyAttributed, recordedAt: now.getTime()});

	const appender = new UsageAppender(out);
	try {
		let runs = 0;
		for (const run of plan.runs) {
			for (const r of run.records) appender.add(r);
			runs++;
			draw(() => `backfill: writing… ${fmt(appender.written)} of ${fmt(plan.newRecords)} records (${fmt(runs)} of ${fmt(plan.runs.length)} sessions)`);
		}
	} finally {
		appender.close();
	}
	if (tty) stderr.write('\r\x1b[2K');

	const lines = [
		`backfill: ${fmt(plan.newRecords)} new records from ${fmt(plan.sessions)} sessions written to ${out}` +
			(plan.alreadyPresent > 0 ? ` (${fmt(plan.alreadyPresent)} already there)` : ''),
	];
	if (existing.repairedBytes > 0) lines.push(`backfill: repaired ${out}: cut off an incomplete last line (${fmt(existing.repairedBytes)} bytes) left by an interrupted run`);
	if (existing.unreadable > 0) lines.push(`backfill: ${fmt(existing.unreadable)} lines in ${out} are not usable records (left as they are; see burn validate)`);
	if (plan.skippedUnattributed > 0) lines.push(`backfill: left out ${fmt(plan.skippedUnattributed)} records with no issue (--only-attributed)`);
	if (plan.skippedNotTranscript > 0) lines.push(`backfill: ${fmt(plan.skippedNotTranscript)} records from usage.jsonl, bosun or pipeline instrumentation are not transcripts; not written`);
	if (problems.count > 0) lines.push(`backfill: ${fmt(problems.count)} problems in the transcripts (burn summary --once lists them)`);
	if (plan.sessions === 0) lines.push('backfill: no transcript records found; check the source flags (burn backfill --help)');
	stdout.write(lines.join('\n') + '\n');
	return 0;
}
