/**
 * `burn statusline`: the command for Claude Code's `statusLine` setting. Claude Code runs it after
 * every message with a JSON payload on stdin; it prints one line and exits 0, whatever the input.
 *
 * It is on a hot path, so it loads little: no Ink, no meow, no zod, never the whole history. This
 * session's cost comes from reading its transcript incrementally (ingest/session-cost.ts); today's
 * spend, $/h and the top live flag come from a digest that a detached `burn statusline --refresh`
 * rewrites (a full read through the persistent index, at low priority) when it is older than a
 * minute, or 10× what the last refresh took on a big history. Each new
 * `rate_limits` sample is appended to `$XDG_STATE_HOME/burn/quota.jsonl` (0600) for watch and summary.
 */
import {spawn} from 'node:child_process';
import {closeSync, existsSync, openSync, readFileSync, statSync, unlinkSync, writeSync} from 'node:fs';
import {setPriority} from 'node:os';
import {join} from 'node:path';
import {parseArgs} from 'node:util';
import {DEFAULT_ISSUE_PATTERNS, parseIssuePattern} from '../core/attribution.js';
import {quotaEntries, type ProviderQuotaSample} from '../core/quota.js';
import {parsePayload, payloadQuotaSample, refreshAfterMs, sameQuota, statuslineText, type StatusDigest} from '../core/statusline.js';
import type {Pricer} from '../core/totals.js';
import {writeAtomically} from '../ingest/atomic-file.js';
import {appendSample, ensureStateDir, lastSample, stateDir} from '../ingest/quota-state.js';
import {sessionRecords} from '../ingest/session-cost.js';
import {readStdinBounded} from './read-stdin.js';

export const statuslineHelp = `
  Usage
    $ burn statusline [options]

  For Claude Code's status line: reads the JSON Claude Code pipes on stdin and prints one line:
  the issue (from the workspace), this session's cost as burn counts it, today's spend, $/h now,
  the 5h and 7d windows (used %, reset time, pace) and the most severe live flag.
  Set it up in ~/.claude/settings.json:
    {"statusLine": {"type": "command", "command": "burn statusline"}}

  Each new rate_limits sample is kept in $XDG_STATE_HOME/burn/quota.jsonl (0600), so watch and
  summary show Claude's windows. Empty or bad input prints a minimal line; it always exits 0.

  Options
    --width <columns>      Fit the line to this width (default: $COLUMNS, else 120)
    --issue-pattern <re>   Regex with one capture group taking the issue id from the workspace
                           (repeatable; also used by the background refresh)
    --no-refresh           Never start the background refresh (today, $/h and flags are then
                           shown only while a digest from another refresh is fresh)
    --refresh              Run the refresh in the foreground: read everything (through the index)
                           and rewrite the digest, print nothing. Source, price and cache flags apply.
`;

export interface StatuslineArgs {
	argv: string[];
	env?: NodeJS.ProcessEnv;
	cwd?: string;
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WritableStream;
	now?: () => number;
}

const DIGEST_FILE = 'statusline-digest.json';
const LOCK_FILE = 'statusline-refresh.lock';
/** A lock older than this belongs to a refresh that died: take it over. */
const LOCK_STALE_MS = 5 * 60_000;
const STDIN = {maxBytes: 1024 * 1024, timeoutMs: 1500};

export async function runStatusline({argv, env = process.env, cwd = process.cwd(), stdin = process.stdin, stdout = process.stdout, now = Date.now}: StatuslineArgs): Promise<number> {
	const {values} = parseArgs({
		args: argv,
		strict: false,
		allowPositionals: true,
		options: {width: {type: 'string'}, 'issue-pattern': {type: 'string', multiple: true}, refresh: {type: 'boolean'}, 'no-refresh': {type: 'boolean'}, help: {type: 'boolean'}},
	});
	if (values.help) {
		stdout.write(statuslineHelp.replace(/^\n/, '') + '\n');
		return 0;
	}
	const dir = stateDir(env);
	if (values.refresh === true) return refresh(argv, env, cwd, dir, now);
	let line = 'burn';
	try {
		line = await statusLine(values, env, stdin, dir, now, argv);
	} catch (error) {
		// A status line never fails: the message goes to stderr (Claude Code does not show it).
		process.stderr.write(`burn statusline: ${(error as Error).message}\n`);
	}
	stdout.write(line + '\n');
	return 0;
}

type Values = ReturnType<typeof parseArgs>['values'];

async function statusLine(values: Values, env: NodeJS.ProcessEnv, stdin: NodeJS.ReadStream, dir: string, now: () => number, argv: string[]): Promise<string> {
	const input = await readStdinBounded(stdin, STDIN);
	const payload = input.text.trim() ? parsePayload(input.text) : null;
	const at = now();
	const patterns = [...DEFAULT_ISSUE_PATTERNS];
	for (const v of (values['issue-pattern'] as string[] | undefined) ?? []) {
		const p = parseIssuePattern(v);
		if (p.ok) patterns.push(p.pattern);
	}
	const width = widthOf(values.width, env);
	if (!payload) return statuslineText({payload: null, issuePatterns: patterns, sessionUsd: null, sessionLowerBound: false, digest: null, quota: [], now: at, tzOffsetMinutes: 0, width});

	// The rate-limit sample: recorded when it says something new; shown from the payload, else the newest kept.
	let sample: ProviderQuotaSample | null = payloadQuotaSample(payload, at);
	try {
		const last = lastSample(dir);
		if (sample && !sameQuota(sample, last)) appendSample(dir, sample);
		if (!sample && last?.provider === 'anthropic') sample = last;
	} catch {
		// An unwritable state dir: show the line anyway.
	}
	const quota = sample ? quotaEntries([sample], at) : [];

	let sessionUsd: number | null = null;
	let lowerBound = false;
	if (payload.transcriptPath) {
		const session = sessionRecords(dir, payload.transcriptPath);
		if (session && session.records.length > 0) {
			const pricer = await loadPricer(env);
			let priced = 0;
			let usd = 0;
			for (const r of session.records) {
				// A resumed session's file repeats the earlier session's messages: burn counts those under their own run.
				if (payload.sessionId !== null && r.runId !== payload.sessionId) continue;
				const c = pricer(r);
				if (c.usd === null) lowerBound = true;
				else {
					usd += c.usd;
					priced++;
				}
			}
			sessionUsd = priced > 0 ? usd : null;
		}
	}

	const digest = readDigest(dir);
	if (values['no-refresh'] !== true && env.BURN_STATUSLINE_REFRESH !== '0' && (!digest || at - digest.at > refreshAfterMs(digest))) startRefresh(dir, argv, at);
	return statuslineText({payload, issuePatterns: patterns, sessionUsd, sessionLowerBound: lowerBound, digest, quota, now: at, tzOffsetMinutes: -new Date(at).getTimezoneOffset(), width});
}

function widthOf(value: unknown, env: NodeJS.ProcessEnv): number {
	const n = Number(typeof value === 'string' ? value : env.COLUMNS);
	return Number.isFinite(n) && n >= 10 ? Math.floor(n) : 120;
}

/** The embedded price table, plus the user's default sheet only when one exists (YAML and zod load only then). */
async function loadPricer(env: NodeJS.ProcessEnv): Promise<Pricer> {
	const [{PriceBook}, {createPricer}, {configDir}] = await Promise.all([import('../core/pricing/lookup.js'), import('../core/pricing/cost.js'), import('./config-dir.js')]);
	const dir = configDir(env);
	if (['prices.yaml', 'prices.yml', 'prices.json'].some((n) => existsSync(join(dir, n)))) {
		try {
			return (await import('./price-sheets.js')).loadPrices({}, env).pricer;
		} catch {
			// A broken sheet: summary reports it; the status line prices with the embedded table.
		}
	}
	return createPricer(new PriceBook());
}

function readDigest(dir: string): StatusDigest | null {
	try {
		const d = JSON.parse(readFileSync(join(dir, DIGEST_FILE), 'utf8')) as StatusDigest;
		return d && d.v === 1 && typeof d.at === 'number' ? d : null;
	} catch {
		return null;
	}
}

/** One detached refresh at a time (an exclusive lock file); it outlives this process. */
function startRefresh(dir: string, argv: string[], at: number): void {
	const lock = join(dir, LOCK_FILE);
	try {
		ensureStateDir(dir);
		try {
			if (at - statSync(lock).mtimeMs > LOCK_STALE_MS) unlinkSync(lock);
		} catch {
			// no lock
		}
		const fd = openSync(lock, 'wx', 0o600);
		writeSync(fd, String(at));
		closeSync(fd);
	} catch {
		return; // another refresh is running, or the state dir is not writable
	}
	const args = argv.filter((a, i) => a !== '--no-refresh' && !a.startsWith('--width') && argv[i - 1] !== '--width');
	const child = spawn(process.execPath, [process.argv[1]!, 'statusline', '--refresh', ...args], {detached: true, stdio: 'ignore'});
	child.on('error', () => {
		try {
			unlinkSync(lock);
		} catch {
			// gone already
		}
	});
	// In the background, behind the user's own work.
	try {
		if (child.pid !== undefined) setPriority(child.pid, 19);
	} catch {
		// not allowed here: normal priority
	}
	child.unref();
}

/** `--refresh`: a full read through the index, then the digest. Prints nothing; exit 0 either way. */
async function refresh(argv: string[], env: NodeJS.ProcessEnv, cwd: string, dir: string, now: () => number): Promise<number> {
	try {
		const {computeDigest} = await import('./statusline-refresh.js');
		const started = now();
		const digest = await computeDigest(argv.filter((a) => a !== '--refresh'), env, cwd, started);
		digest.tookMs = Math.max(0, now() - started);
		ensureStateDir(dir);
		writeAtomically(join(dir, DIGEST_FILE), [JSON.stringify(digest) + '\n']);
	} catch (error) {
		process.stderr.write(`burn statusline --refresh: ${(error as Error).message}\n`);
	} finally {
		try {
			unlinkSync(join(dir, LOCK_FILE));
		} catch {
			// not ours, or gone
		}
	}
	return 0;
}
