#!/usr/bin/env node
/**
 * A warm `burn summary --once --json` after a one-line append, on a bench corpus:
 *   cold            no cache dir (reads everything, keeps the index, flags.v8, summary.v8)
 *   warm hit        nothing changed (answered from summary.v8)
 *   + usage line    one new usage.jsonl turn (new run, new issue), then the next summary
 *   + claude line   one new assistant message at the end of a Claude transcript, then the next summary
 * Each append run is timed N times (each after a warm hit, so every one starts from the index the
 * previous run left), and every answer is checked against a cold read of the same bytes (the same
 * `--json` apart from generatedAt and the flags judged at the wall clock). The appended lines are cut off again at the end, so the
 * corpus stays what bench/cli.js measures.
 *
 *   node bench/append.js [--corpus /work/corpus/x1b] [--runs 3] [--cli other/dist/cli.js]
 */
import {spawnSync} from 'node:child_process';
import {appendFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {here, root, opt, benchCacheDir} from './common.js';

const corpus = resolve(opt('--corpus', join(here, 'corpus', 'x1')));
const runs = Number(opt('--runs', 3));
const meta = JSON.parse(readFileSync(join(corpus, 'meta.json'), 'utf8'));
// --cli: another build's CLI, e.g. its dist/burn.js or an older dist/cli.js (to compare a before and an after on the same corpus).
const cli = resolve(opt('--cli', join(root, 'dist', 'burn.js')));
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

// CPU seconds (user + system) of each run too: on this shared 2-core machine wall time moves with
// the load, CPU time much less. GNU time writes them to a file when it is there.
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const cpuFile = join(tmpdir(), `burn-bench-append-cpu-${process.pid}`);

function summary(cacheDir) {
	const args = [cli, 'summary', '--once', '--json', '--cache-dir', cacheDir];
	const t0 = performance.now();
	const r = spawnSync(timeBin ?? process.execPath, timeBin ? ['-f', '%U %S', '-o', cpuFile, process.execPath, ...args] : args, {
		cwd: meta.work,
		env: {...process.env, HOME: meta.home},
		encoding: 'utf8',
		maxBuffer: 1 << 30,
	});
	const ms = performance.now() - t0;
	if (r.status !== 0) throw new Error(`summary failed (${r.status}): ${r.stderr}`);
	const cpuMs = timeBin ? readFileSync(cpuFile, 'utf8').trim().split(/\s+/).slice(-2).reduce((n, v) => n + Number(v) * 1000, 0) : NaN;
	// Judged at the wall clock (as test/commands/warm-summary.test.ts drops them): they move between two runs of the same files.
	const doc = JSON.parse(r.stdout);
	doc.generatedAt = '';
	doc.flags = doc.flags.filter((f) => f.kind !== 'stall' && f.kind !== 'data_quality');
	return {ms, cpuMs, json: JSON.stringify(doc)};
}

/** The first Claude transcript (sorted paths), so every run appends to the same file. */
function claudeTranscript() {
	const dir = join(meta.home, '.claude', 'projects');
	const project = readdirSync(dir).sort()[0];
	const file = readdirSync(join(dir, project)).filter((n) => n.endsWith('.jsonl')).sort()[0];
	return join(dir, project, file);
}

const usageFile = join(meta.work, '.symphony', 'telemetry', 'usage.jsonl');
const transcript = claudeTranscript();
const sizes = new Map([usageFile, transcript].map((f) => [f, statSync(f).size]));
const nonce = (Date.now() % 0xffffff).toString(16).padStart(6, '0');
// Stamped after the whole corpus (its timestamps run past today) and after each other, as new work
// is (a line stamped before what the kept fold folded makes the monitor re-fold everything).
const at = (i) => new Date(Date.UTC(2028, 0, 1) + i * 1000).toISOString();
const usageLine = (i) =>
	`{"schemaVersion":1,"recordedAt":"${at(i)}","runID":"00000000-0000-4000-8000-${nonce}${String(i).padStart(6, '0')}","turn":1,"issueIdentifier":"NEW-${nonce}-${i}","provider":"claude","model":"claude-sonnet-4-6","botRole":"developer","inputTokens":900000,"outputTokens":90000,"totalTokens":990000,"usageSource":"provider_reported","startedAt":"${at(i)}","endedAt":"${at(i)}"}\n`;
function claudeLine(i) {
	const last = JSON.parse(readFileSync(transcript, 'utf8').trimEnd().split('\n').at(-1));
	const id = `${nonce}-${i}`;
	return (
		JSON.stringify({
			type: 'assistant',
			uuid: `00000000-0000-4000-8000-${nonce}${String(i).padStart(6, '0')}`,
			parentUuid: last.uuid ?? null,
			isSidechain: false,
			sessionId: last.sessionId,
			cwd: last.cwd,
			version: last.version,
			timestamp: at(i),
			requestId: `req_bench_${id}`,
			message: {id: `msg_bench_${id}`, type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', content: [{type: 'text', text: 'ok'}], stop_reason: 'end_turn', usage: {input_tokens: 10, cache_read_input_tokens: 1000, cache_creation_input_tokens: 0, output_tokens: 200}},
		}) + '\n'
	);
}

const load0 = load();
const cacheDir = benchCacheDir(corpus, 'append');
const coldDir = benchCacheDir(corpus, 'append-cold');
const rows = [];
let mismatches = 0;
try {
	const cold = summary(cacheDir);
	rows.push(['cold', [cold]]);
	const hits = [];
	const cases = [
		['+ usage.jsonl line', usageFile, usageLine],
		['+ claude transcript line', transcript, claudeLine],
	];
	const timed = new Map(cases.map(([name]) => [name, []]));
	let n = 0;
	for (let r = 0; r < runs; r++) {
		for (const [name, file, line] of cases) {
			hits.push(summary(cacheDir));
			appendFileSync(file, line(n++));
			const warm = summary(cacheDir);
			timed.get(name).push(warm);
			// The same bytes read cold must give the same answer (checked on the first run of each).
			if (r === 0) {
				rmSync(coldDir, {recursive: true, force: true});
				if (summary(coldDir).json !== warm.json) {
					mismatches++;
					process.stderr.write(`MISMATCH after ${name}: warm and cold answers differ\n`);
				}
			}
		}
	}
	rows.push(['warm hit (nothing changed)', hits]);
	for (const [name, measured] of timed) rows.push([`warm after ${name}`, measured]);
} finally {
	for (const [f, size] of sizes) truncateSync(f, size);
	rmSync(cacheDir, {recursive: true, force: true});
	rmSync(coldDir, {recursive: true, force: true});
	rmSync(cpuFile, {force: true});
}

const s = (ms) => (ms / 1000).toFixed(2);
process.stdout.write(`\nburn summary --once --json after an append — ${new Date().toISOString()} — ${cli} — ${corpus} (${meta.sizeMb} MB), ${runs} runs, load before ${load0}, after ${load()}\n`);
process.stdout.write(`  ${'case'.padEnd(40)} ${'median s'.padStart(9)} ${'min s'.padStart(7)} ${'max s'.padStart(7)} ${'CPU s median'.padStart(13)}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
for (const [name, measured] of rows) {
	const ms = measured.map((m) => m.ms);
	process.stdout.write(`  ${name.padEnd(40)} ${s(median(ms)).padStart(9)} ${s(Math.min(...ms)).padStart(7)} ${s(Math.max(...ms)).padStart(7)} ${s(median(measured.map((m) => m.cpuMs))).padStart(13)}\n`);
}
process.stdout.write(mismatches === 0 ? '  warm-after-append answers = cold answers (same --json apart from generatedAt and the flags judged at now)\n\n' : `  ${mismatches} MISMATCHES\n\n`);
process.exitCode = mismatches === 0 ? 0 : 1;
