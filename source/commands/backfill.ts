/**
 * `burn backfill --out <usage.jsonl>`: every transcript record burn counts, written as spec
 * conformant Symphony usage.jsonl records (the seed's consumer does the same). Reruns append only
 * what is new; a half-written last line from an interrupted run is cut off and rewritten.
 */
import {accessSync, closeSync, constants, existsSync, openSync, readSync, statSync} from 'node:fs';
import {dirname} from 'node:path';
import {planBackfill} from '../core/backfill-plan.js';
import {collectSummary} from '../ingest/read-once.js';
import {prepareOutput, UsageAppender} from '../ingest/usage-out.js';
import {cacheDirFrom, cacheFlags, cacheFlagsHelp, noticeToStderr, usableCacheDir} from './cache-flags.js';
import {makeDirs, parseCommand} from './cli-kit.js';
import {ProgressLine} from './progress-line.js';
import {EXIT, UsageError} from './errors.js';
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

/** New, empty, or starting with a usage record (a half-written first line counts: it is repaired). */
export function looksLikeUsageFile(path: string): boolean {
	if (!existsSync(path)) return true;
	const fd = openSync(path, 'r');
	const head = Buffer.alloc(64 * 1024);
	let n: number;
	try {
		n = readSync(fd, head, 0, head.length, 0);
	} finally {
		closeSync(fd);
	}
	const text = head.toString('utf8', 0, n).replace(/^\uFEFF/, '');
	const first = text.split('\n').find((l) => l.trim() !== '');
	if (first === undefined) return true;
	if (!text.includes('\n', text.indexOf(first))) return first.trimStart().startsWith('{');
	try {
		const v = JSON.parse(first) as unknown;
		return typeof v === 'object' && v !== null && !Array.isArray(v) && ('runID' in v || 'schemaVersion' in v);
	} catch {
		return false;
	}
}

/** The output's directory can be created and the file written: else a usage error naming why. */
function ensureWritable(out: string): void {
	try {
		makeDirs(dirname(out));
		if (!statSync(dirname(out)).isDirectory()) throw Object.assign(new Error('not a directory'), {code: 'ENOTDIR'});
		accessSync(existsSync(out) ? out : dirname(out), constants.W_OK);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system' : code === 'ENOTDIR' ? 'a parent is not a directory' : code === 'ENOENT' ? 'its directory cannot be created' : (code ?? (error as Error).message);
		throw new UsageError(`--out ${out}: cannot write there (${why})`, 'name a file in a directory you can write to');
	}
}

export async function runBackfill({argv, env = process.env, cwd = process.cwd(), stdout = process.stdout, stderr = process.stderr, now = new Date()}: BackfillArgs): Promise<number> {
	const cli = parseCommand(
		{name: 'backfill', help: backfillHelp, importMeta: import.meta, flags: {out: {type: 'string'}, onlyAttributed: {type: 'boolean', default: false}, ...sourceFlags, ...cacheFlags}},
		argv,
		env,
		cwd,
	);
	const flags = cli.flags;
	if (!flags.out) throw new UsageError('--out is required', 'burn backfill --out ~/burn-history/usage.jsonl');
	const out = cli.path(flags.out);
	if (out.endsWith('.gz')) throw new UsageError('--out cannot be a .gz file', 'write plain usage.jsonl; compress it afterwards');
	if (existsSync(out) && !statSync(out).isFile()) throw new UsageError(`--out ${out} is not a file`);
	// Checked before anything is read or written: never append JSON lines to a file of another kind.
	if (!looksLikeUsageFile(out)) {
		throw new UsageError(`--out ${out} is not a usage.jsonl (its first line is not a usage record); not written`, 'name a new file, an empty one, or a usage.jsonl written before');
	}
	ensureWritable(out);

	const progress = new ProgressLine(stderr);
	const draw = (text: () => string, force = false) => progress.draw(text, force);

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
		cacheDir: usableCacheDir(cacheDirFrom(flags, env, cwd), noticeToStderr),
		onNotice: noticeToStderr,
		onRecord: progress.active ? onRecord : undefined,
		now,
		detail: 'live',
	});

	draw(() => 'backfill: checking what the output already holds…', true);
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
	progress.clear();

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
	return EXIT.ok;
}
