/**
 * `burn forget --gone`: drop from the index the files that are gone from disk. Their records
 * are kept and counted on purpose (agents delete old transcripts; the money was spent), so this
 * is the one way to stop counting them. Takes the same source and cache flags as the other
 * commands: only gone files under the roots those flags name are dropped. (No JSX, so `.ts`.)
 */
import {formatCount} from '../core/format.js';
import {sanitize} from '../core/sanitize.js';
import {Engine} from '../ingest/engine.js';
import {cacheDirFrom, cacheFlags, cacheFlagsHelp, noticeToStderr, usableCacheDir} from './cache-flags.js';
import {parseCommand} from './cli-kit.js';
import {EXIT, UsageError} from './errors.js';
import {discoveryOptions, issuePatterns, sourceFlags, sourceFlagsHelp} from './source-flags.js';

export const forgetHelp = `
  Usage
    $ burn forget --gone [options]

  Files an agent deleted (Claude Code removes transcripts after 30 days by default) stay in
  burn's index, and what was read from them still counts: \`burn sources\` lists them as gone
  from disk. This drops them from the index, so they no longer count. Files still on disk are
  not touched.

  What to forget
    --gone                 Every indexed file under the sources below that is gone from disk

  Output
    --json                 {"forgotten":{"files":N,"records":N},"paths":[…]} on stdout
${sourceFlagsHelp}
${cacheFlagsHelp}

  Examples
    $ burn sources                      # see what is gone from disk
    $ burn forget --gone
    $ burn forget --gone --claude-dir ~/.claude --cache-dir ~/.cache/burn
`;

export interface ForgetArgs {
	argv: string[];
	env?: NodeJS.ProcessEnv;
	cwd?: string;
	stdout?: NodeJS.WritableStream;
}

export interface ForgetResult {
	files: string[];
	records: number;
	cacheDir: string;
}

/** Reads the sources through the engine (as `summary` does), drops the gone files, saves the index. */
export async function forgetGone(options: {discovery: ReturnType<typeof discoveryOptions>; cacheDir: string; issuePatterns?: RegExp[]; onNotice?: (m: string) => void}): Promise<ForgetResult> {
	const engine = new Engine({
		discovery: options.discovery,
		cacheDir: options.cacheDir,
		issuePatterns: options.issuePatterns,
		onNotice: options.onNotice ?? (() => {}),
		watch: false,
	});
	await engine.start();
	const {files, records} = engine.forgetGone();
	await engine.stop();
	return {files, records, cacheDir: options.cacheDir};
}

export async function runForget({argv, env = process.env, cwd = process.cwd(), stdout = process.stdout}: ForgetArgs): Promise<number> {
	const cli = parseCommand(
		{name: 'forget', help: forgetHelp, importMeta: import.meta, flags: {gone: {type: 'boolean', default: false}, json: {type: 'boolean', default: false}, ...sourceFlags, ...cacheFlags}},
		argv,
		env,
		cwd,
	);
	const flags = cli.flags;
	if (cli.input.length > 0) throw new UsageError(`unexpected argument "${cli.input[0]}"`, 'burn forget takes flags only: burn forget --gone');
	if (!flags.gone) throw new UsageError('say what to forget', 'burn forget --gone drops the indexed files that are gone from disk');
	if (cacheDirFrom(flags, env, cwd) === null) throw new UsageError('--no-cache leaves nothing to forget', 'gone files live in the index: drop --no-cache');
	const cacheDir = usableCacheDir(cacheDirFrom(flags, env, cwd), noticeToStderr);
	// An unusable cache dir was just reported: without an index there is nothing to forget.
	if (cacheDir === null) return EXIT.failure;
	const result = await forgetGone({discovery: discoveryOptions(flags, env, cwd), cacheDir, issuePatterns: issuePatterns(flags), onNotice: noticeToStderr});
	if (flags.json) {
		stdout.write(JSON.stringify({forgotten: {files: result.files.length, records: result.records}, paths: result.files}, null, 2) + '\n');
		return EXIT.ok;
	}
	if (result.files.length === 0) {
		stdout.write('Nothing to forget: no indexed file under these sources is gone from disk.\n');
		return EXIT.ok;
	}
	const n = result.files.length;
	stdout.write(`Forgot ${formatCount(n, false)} file${n === 1 ? '' : 's'} gone from disk (${formatCount(result.records, false)} record${result.records === 1 ? '' : 's'}) from the index in ${sanitize(cacheDir)}.\n`);
	for (const p of result.files.slice(0, 20)) stdout.write(`  ${sanitize(p)}\n`);
	if (n > 20) stdout.write(`  +${formatCount(n - 20, false)} more\n`);
	return EXIT.ok;
}
