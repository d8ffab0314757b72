#!/usr/bin/env node
/**
 * `npm run bench`: builds a synthetic corpus (bench/generate.js, cached by size + seed), then
 * measures, each in a fresh process where it matters:
 *   cold   one full read without an index (the engine, and the CLI `summary --once --json`)
 *   warm   the same with the index present and nothing changed
 *   live   an engine watching the corpus: append a line, time until the store shows it (p50/p95)
 *   idle   CPU used by that engine while nothing changes
 * and prints a table. Uses whatever sources are registered in the build.
 *
 *   node bench/run.js [--size-mb 1024] [--seed 1] [--idle-seconds 30] [--samples 40]
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {cpus, freemem, tmpdir, totalmem} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {generate, parseArgs} from './generate.js';
import {duBytes, indexBytes as indexSize, indexFiles} from './common.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const argv = process.argv.slice(2);
const args = parseArgs(argv);
const opt = (name, dflt) => {
	const i = argv.indexOf(name);
	return i === -1 ? dflt : Number(argv[i + 1]);
};
const idleSeconds = opt('--idle-seconds', 30);
const samples = opt('--samples', 40);

// 1. Corpus (regenerated only when size or seed changed).
const metaPath = join(args.out, 'meta.json');
let meta = existsSync(metaPath) ? JSON.parse(readFileSync(metaPath, 'utf8')) : null;
if (!meta || meta.sizeMb !== args.sizeMb || meta.seed !== args.seed || meta.version !== args.version) {
	process.stderr.write(`generating a ${args.sizeMb} MB corpus (seed ${args.seed})…\n`);
	const s = generate(args);
	meta = {version: args.version, sizeMb: args.sizeMb, seed: args.seed, bytes: s.bytes, home: s.home, work: s.work};
	writeFileSync(metaPath, JSON.stringify(meta));
}
const {home, work} = meta;
const corpusBytes = duBytes(join(args.out, 'home'));

// Drop the page cache when allowed (root), so "cold" includes reading from disk at least once.
try {
	execFileSync('sh', ['-c', 'sync; echo 1 > /proc/sys/vm/drop_caches'], {stdio: 'ignore'});
} catch {}

const child = (cache) => {
	const r = spawnSync(process.execPath, [join(here, 'child.js'), cache ?? '-', work, home], {encoding: 'utf8'});
	if (r.status !== 0) throw new Error(`bench child failed: ${r.stderr}`);
	return JSON.parse(r.stdout.trim().split('\n').pop());
};
const cliTimeoutMs = opt('--cli-timeout-s', 180) * 1000;
/** Wall time of the whole CLI, or null when it ran past the timeout. */
const cli = (extra) => {
	const t0 = performance.now();
	const r = spawnSync(process.execPath, [join(root, 'dist', 'burn.js'), 'summary', '--once', '--json', ...extra], {
		cwd: work,
		env: {HOME: home, PATH: process.env.PATH},
		encoding: 'utf8',
		maxBuffer: 1 << 30,
		timeout: cliTimeoutMs,
	});
	const ms = performance.now() - t0;
	if (r.error?.code === 'ETIMEDOUT' || r.signal) return null;
	if (r.status !== 0 && r.status !== 3) throw new Error(`cli failed: ${r.stderr}`);
	return ms;
};
const progress = (what, value) => process.stderr.write(`  ${what}: ${JSON.stringify(value)}\n`);

// 2. Cold and warm reads.
const cold = child(null);
progress('cold', cold);
const cacheDir = mkdtempSync(join(tmpdir(), 'burn-bench-cache-'));
child(cacheDir); // writes the index
const warm = child(cacheDir);
progress('warm', warm);
const skipCli = argv.includes('--no-cli');
const cliCold = skipCli ? null : cli(['--no-cache']);
const cliCacheDir = mkdtempSync(join(tmpdir(), 'burn-bench-cache-'));
if (!skipCli) {
	// The CLI warm run reuses the engine's index (same files), so only one slow CLI pass is needed.
	for (const name of indexFiles(cacheDir)) cpSync(join(cacheDir, name), join(cliCacheDir, name));
}
const cliWarm = skipCli ? null : cli(['--cache-dir', cliCacheDir]);
progress('cli', {cliCold, cliWarm});
const indexBytes = indexSize(cacheDir);
if (warm.records !== cold.records || warm.totalTokens !== cold.totalTokens) {
	throw new Error(`warm read disagrees with cold: ${JSON.stringify({cold, warm})}`);
}

// 3. Live latency and idle CPU, in this process, over the warm index.
const {createLiveEngine} = await import('../dist/ingest/engine.js');
const engine = createLiveEngine({
	discovery: {cwd: work, home, env: {HOME: home}, flags: {}},
	cacheDir,
	notifyIntervalMs: 100,
});
await engine.start();
await engine.watchReady();
const usageFile = join(work, '.symphony', 'telemetry', 'usage.jsonl');
const latencies = [];
// Run IDs unique to this bench run: the appends stay in the corpus, and a line seen before counts once (no change to wait for).
const nonce = (Date.now() % 0xffffff).toString(16).padStart(6, '0');
for (let i = 0; i < samples; i++) {
	const before = engine.store.getSnapshot().doc.totals.records;
	const at = new Date(Date.UTC(2026, 11, 1) + i * 1000).toISOString();
	const line = `{"schemaVersion":1,"recordedAt":"${at}","runID":"00000000-0000-4000-8000-${nonce}${String(i).padStart(6, '0')}","turn":1,"issueIdentifier":"MT-1","provider":"claude","model":"claude-sonnet-4-6","botRole":"developer","inputTokens":10,"outputTokens":1,"totalTokens":11,"usageSource":"provider_reported","startedAt":"${at}","endedAt":"${at}"}\n`;
	const t0 = performance.now();
	appendFileSync(usageFile, line);
	await new Promise((resolve) => {
		const check = () => engine.store.getSnapshot().doc.totals.records > before;
		const unsubscribe = engine.store.subscribe(() => {
			if (check()) {
				unsubscribe();
				resolve();
			}
		});
	});
	latencies.push(performance.now() - t0);
	await new Promise((r) => setTimeout(r, 150 + Math.random() * 200));
}
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
const cpu0 = process.cpuUsage();
const idleT0 = performance.now();
await new Promise((r) => setTimeout(r, idleSeconds * 1000));
const idleCpu = process.cpuUsage(cpu0);
const idleWall = performance.now() - idleT0;
await engine.stop();
rmSync(cacheDir, {recursive: true, force: true});
rmSync(cliCacheDir, {recursive: true, force: true});

// 4. The table.
const mb = corpusBytes / 1048576;
const rows = [
	['corpus', `${mb.toFixed(0)} MB (${meta.sizeMb} MB requested, seed ${args.seed}), ${cold.records} records counted`],
	['cold (engine, no index)', `${(cold.ms / 1000).toFixed(2)} s wall = ${(mb / (cold.ms / 1000)).toFixed(0)} MB/s; CPU ${(cold.cpuMs / 1000).toFixed(2)} s = ${(mb / (cold.cpuMs / 1000)).toFixed(0)} MB/s of CPU`],
	['cold (CLI summary --once --json --no-cache)', cliCold === null ? `not measured (skipped or over ${cliTimeoutMs / 1000} s)` : `${(cliCold / 1000).toFixed(2)} s wall = ${(mb / (cliCold / 1000)).toFixed(0)} MB/s`],
	['warm (engine, index, nothing changed)', `${warm.ms.toFixed(0)} ms (${warm.bytesRead} bytes read, ${warm.restoredFiles} files from the index)`],
	['warm (CLI, whole process)', cliWarm === null ? 'not measured' : `${cliWarm.toFixed(0)} ms`],
	['index size', `${(indexBytes / 1048576).toFixed(1)} MB`],
	['peak RSS cold / warm', `${cold.maxRssMb.toFixed(0)} MB / ${warm.maxRssMb.toFixed(0)} MB`],
	['live latency p50 / p95', `${pct(50).toFixed(0)} ms / ${pct(95).toFixed(0)} ms (${samples} appends)`],
	[`idle CPU over ${idleSeconds} s`, `${((idleCpu.user + idleCpu.system) / 1000).toFixed(1)} ms = ${(((idleCpu.user + idleCpu.system) / 1000 / idleWall) * 100).toFixed(3)} %`],
];
const w = Math.max(...rows.map((r) => r[0].length));
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
process.stdout.write(`\nburn bench — ${new Date().toISOString()} — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM (${(freemem() / 2 ** 30).toFixed(0)} free), load ${load}\n\n`);
for (const [k, v] of rows) process.stdout.write(`  ${k.padEnd(w)}  ${v}\n`);
process.stdout.write('\n');
