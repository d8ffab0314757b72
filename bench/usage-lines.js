#!/usr/bin/env node
/**
 * Factory scale: one usage.jsonl of --lines lines (default 1,000,000 ≈ 375 MB; runs of 5–40
 * turns, as bench/generate.js writes them), read by the whole CLI:
 *   cold   `summary --once --json --usage <file>` with an empty cache dir (writes the index)
 *   warm   the same again (index present, nothing changed)
 * Wall time to the exit and to the whole answer on stdout, MB/s and peak RSS (GNU time's %M)
 * against the targets (>= 100 MB/s, RSS <= 0.5x the file). The file is cached under --dir by line count, seed and shape.
 *
 * --shape run (default): a run's turns share its issue and workspace, as Symphony writes them (an
 * orchestrator works one issue per run). --shape line: each line names a random issue and
 * workspace, what this bench wrote up to session 6 — every turn then starts a new (issue, run)
 * pair (1M lines: ~1M, every one of ~1,900 issues a retry-churn flag with ~500 attempts), a load
 * no orchestrator writes.
 *
 *   node bench/usage-lines.js [--lines 1000000] [--seed 3] [--shape run|line] [--dir bench/corpus/usage]
 */
import {spawnSync} from 'node:child_process';
import {closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {mulberry32} from '../dist/core/prng.js';
import {here, root, opt, indexBytes, benchCacheDir, measure} from './common.js';

const lines = Number(opt('--lines', 1_000_000));
const seed = Number(opt('--seed', 3));
const dir = resolve(opt('--dir', join(here, 'corpus', 'usage')));
const shape = opt('--shape', 'run');
if (shape !== 'run' && shape !== 'line') throw new Error(`--shape ${shape}: use run or line`);
// The first shape kept its old name, so a cached file is not generated again.
const file = join(dir, shape === 'line' ? `usage-${lines}-${seed}.jsonl` : `usage-${lines}-${seed}-runs.jsonl`);

if (!existsSync(file)) {
	mkdirSync(dir, {recursive: true});
	const rand = mulberry32(seed);
	const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
	const hex = (n) => Array.from({length: n}, () => '0123456789abcdef'[int(0, 15)]).join('');
	const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;
	const fd = openSync(file + '.part', 'w');
	let t = Date.UTC(2026, 8, 1);
	let run = uuid();
	let turn = 0;
	let runLength = int(5, 40);
	// --shape run: the run's issue (its workspace is named after it); drawn per run only.
	let runIssue = shape === 'run' ? int(100, 2000) : 0;
	let parts = [];
	let size = 0;
	for (let i = 0; i < lines; i++) {
		if (++turn > runLength) {
			run = uuid();
			turn = 1;
			runLength = int(5, 40);
			if (shape === 'run') runIssue = int(100, 2000);
		}
		const input = int(1000, 200_000);
		const output = int(10, 5000);
		const at = new Date((t += int(100, 3000))).toISOString();
		// --shape line draws both where it always did, so its cached file stays the same bytes.
		const issue = shape === 'line' ? int(100, 2000) : runIssue;
		const workspace = shape === 'line' ? int(100, 2000) : runIssue;
		const s = `{"schemaVersion":1,"recordedAt":"${at}","runID":"${run}","turn":${turn},"issueIdentifier":"MT-${issue}","provider":"claude","model":"claude-sonnet-4-6","botRole":"developer","inputTokens":${input},"outputTokens":${output},"totalTokens":${input + output},"usageSource":"provider_reported","startedAt":"${at}","endedAt":"${at}","workspacePath":"/srv/symphony_workspaces/MT-${workspace}","inputCachedReadTokens":${int(0, input)},"mode":"fresh","exitReason":"completed"}\n`;
		parts.push(s);
		size += s.length;
		if (size > 1 << 20) {
			writeSync(fd, parts.join(''));
			parts = [];
			size = 0;
		}
	}
	writeSync(fd, parts.join(''));
	closeSync(fd);
	spawnSync('mv', [file + '.part', file]);
}

const mb = statSync(file).size / 1048576;
const cacheDir = benchCacheDir(dir, 'usage');
const run = async () => {
	const m = await measure(process.execPath, [join(root, 'dist', 'burn.js'), 'summary', '--once', '--json', '--usage', file, '--cache-dir', cacheDir], {cwd: dir, env: {HOME: dir, PATH: process.env.PATH}});
	return {ms: m.ms, answerMs: m.answerMs, rssMb: m.rssMb, records: JSON.parse(m.stdout).totals.records};
};
try {
	const load0 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
	const cold = await run();
	const warm = await run();
	const load1 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
	// The answer is out before the state for the next run is kept: both, as MB/s of the file.
	const rate = (ms) => `${(mb / (ms / 1000)).toFixed(0)} MB/s`;
	const row = (name, m) => `  ${name}: exit ${(m.ms / 1000).toFixed(2)} s = ${rate(m.ms)}, answer ${(m.answerMs / 1000).toFixed(2)} s = ${rate(m.answerMs)}, peak RSS ${m.rssMb.toFixed(0)} MB = ${(m.rssMb / mb).toFixed(2)}x the file, ${m.records} records\n`;
	process.stdout.write(`\nusage.jsonl at factory scale — ${new Date().toISOString()} — ${lines} lines (shape ${shape}), ${mb.toFixed(0)} MB, load before ${load0}, after ${load1}\n`);
	process.stdout.write(row('cold', cold) + row('warm', warm));
	process.stdout.write(`  index ${(indexBytes(cacheDir) / 1048576).toFixed(0)} MB\n\n`);
	writeFileSync(join(dir, 'last.json'), JSON.stringify({lines, shape, mb, cold, warm}));
} finally {
	rmSync(cacheDir, {recursive: true, force: true});
}
