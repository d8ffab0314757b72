#!/usr/bin/env node
/**
 * The numbers, whole CLI, side by side with ccusage on the same files, on a 1x and a 2x
 * corpus (bench/generate.js, cached under --corpus-dir by size + seed):
 *   cold   `burn summary --once --json` with an empty cache dir (no index yet; writes it), median
 *          of --cold-runs (default --runs), each from an empty cache dir
 *   warm   the same again, index present and nothing changed (median of --runs)
 *   ccusage `ccusage daily --json --offline` (median of --runs), HOME pointed at the corpus
 * Wall time to exit, the cold run's time to its whole answer on stdout (it keeps its state for the
 * next run after answering), peak RSS (GNU time's %M) of each process, and whether cold and warm printed the
 * same document apart from `generatedAt` and what is judged at the wall clock (the liveness flags
 * stall and data_quality, and flags that begin after the cold run: see `comparable`); a difference is named on stderr. ccusage is not a dependency: pass its binary.
 *
 *   node bench/cli.js [--size-mb 900] [--seed 1] [--scales 1,2] [--runs 3] [--cold-runs N]
 *                     [--corpus-dir bench/corpus] [--ccusage /tmp/ccusage/node_modules/.bin/ccusage]
 */
import {existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {cpus, tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {generate} from './generate.js';
import {here, root, opt, duBytes, indexBytes, benchCacheDir, measure} from './common.js';

const sizeMb = Number(opt('--size-mb', 900));
const seed = Number(opt('--seed', 1));
const scales = String(opt('--scales', '1,2')).split(',').map(Number);
const runs = Number(opt('--runs', 3));
// One cold run moves by ±15 % on this VM: the cold figures are medians too.
const coldRuns = Number(opt('--cold-runs', runs));
const corpusDir = resolve(opt('--corpus-dir', join(here, 'corpus')));
const ccusage = opt('--ccusage', '/tmp/ccusage/node_modules/.bin/ccusage');
const cli = join(root, 'dist', 'burn.js');

/** Corpus for one scale, regenerated only when size or seed changed. */
function corpus(scale) {
	const out = join(corpusDir, `x${scale}`);
	const metaPath = join(out, 'meta.json');
	const want = {version: 2, sizeMb: sizeMb * scale, seed};
	let meta = existsSync(metaPath) ? JSON.parse(readFileSync(metaPath, 'utf8')) : null;
	if (!meta || meta.sizeMb !== want.sizeMb || meta.seed !== want.seed || meta.version !== want.version) {
		process.stderr.write(`generating a ${want.sizeMb} MB corpus (seed ${seed}) in ${out}…\n`);
		mkdirSync(corpusDir, {recursive: true});
		const s = generate({...want, out});
		meta = {...want, bytes: s.bytes, home: s.home, work: s.work};
		writeFileSync(metaPath, JSON.stringify(meta));
	}
	return meta;
}

const median = (xs) => {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.floor((s.length - 1) / 2)];
};
/**
 * The document without what moves with the wall clock: generatedAt, the liveness flags judged at
 * now (stall, data_quality), and flags that start after `cutoff` (the cold run's generatedAt): the
 * 2x corpus has records stamped weeks ahead, so a flag can begin between the cold and a warm run.
 */
const comparable = (text, cutoff) => {
	const doc = JSON.parse(text);
	doc.generatedAt = '';
	doc.flags = doc.flags.filter((f) => f.kind !== 'stall' && f.kind !== 'data_quality' && f.firstAt <= cutoff);
	return JSON.stringify(doc);
};
const coldCutoff = (text) => Date.parse(JSON.parse(text).generatedAt);

/** Which top-level fields of two documents differ (and the first differing flag): "NO" alone says too little. */
function reportDifference(label, a, b) {
	const x = JSON.parse(comparable(a, coldCutoff(a)));
	const y = JSON.parse(comparable(b, coldCutoff(a)));
	for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
		if (JSON.stringify(x[k]) === JSON.stringify(y[k])) continue;
		let detail = '';
		if (k === 'flags') {
			const i = x.flags.findIndex((f, j) => JSON.stringify(f) !== JSON.stringify(y.flags[j]));
			detail = ` (${x.flags.length} vs ${y.flags.length}; first at ${i}: ${x.flags[i]?.id ?? '-'} vs ${y.flags[i]?.id ?? '-'})`;
		}
		process.stderr.write(`${label}: differs from cold in ${k}${detail}\n`);
	}
	writeFileSync(join(tmpdir(), `burn-bench-${label.replace(/\W+/g, '-')}.json`), b);
}

async function benchScale(scale) {
	const meta = corpus(scale);
	const env = {HOME: meta.home, PATH: process.env.PATH, NO_COLOR: '1'};
	const cacheDir = benchCacheDir(dirname(meta.home), 'cli');
	const burnArgs = ['summary', '--once', '--json', '--cache-dir', cacheDir];
	try {
		// Warm the page cache for both tools first: "cold" here means no index, not a cold disk.
		await measure(ccusage, ['daily', '--json', '--offline'], {cwd: meta.work, env});
		const colds = [];
		for (let i = 0; i < coldRuns; i++) {
			rmSync(cacheDir, {recursive: true, force: true});
			colds.push(await measure(process.execPath, [cli, ...burnArgs], {cwd: meta.work, env}));
		}
		// The warm runs start from the last cold run's cache; its answer is the one they must equal.
		const cold = colds.at(-1);
		const warms = [];
		for (let i = 0; i < runs; i++) warms.push(await measure(process.execPath, [cli, ...burnArgs], {cwd: meta.work, env}));
		const ccs = [];
		for (let i = 0; i < runs; i++) ccs.push(await measure(ccusage, ['daily', '--json', '--offline'], {cwd: meta.work, env}));
		const cutoff = coldCutoff(cold.stdout);
		const same = warms.every((w) => comparable(w.stdout, cutoff) === comparable(cold.stdout, cutoff));
		if (!same) warms.forEach((w, i) => reportDifference(`x${scale} warm ${i + 1}`, cold.stdout, w.stdout));
		const doc = JSON.parse(cold.stdout);
		return {
			scale,
			mb: duBytes(meta.home) / 1048576,
			files: doc.sources.reduce((n, s) => n + s.files, 0),
			records: doc.totals.records,
			coldMs: median(colds.map((c) => c.ms)),
			coldAnswerMs: median(colds.map((c) => c.answerMs)),
			coldRss: Math.max(...colds.map((c) => c.rssMb)),
			coldRangeMs: [Math.min(...colds.map((c) => c.ms)), Math.max(...colds.map((c) => c.ms))],
			warmMs: median(warms.map((w) => w.ms)),
			warmRss: Math.max(...warms.map((w) => w.rssMb)),
			ccMs: median(ccs.map((c) => c.ms)),
			ccRss: Math.max(...ccs.map((c) => c.rssMb)),
			indexMb: indexBytes(cacheDir) / 1048576,
			flagStateMb: existsSync(join(cacheDir, 'flags.v8')) ? statSync(join(cacheDir, 'flags.v8')).size / 1048576 : 0,
			same,
		};
	} finally {
		rmSync(cacheDir, {recursive: true, force: true});
	}
}

const load0 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const results = [];
for (const s of scales) {
	const r = await benchScale(s);
	process.stderr.write(`  x${s}: ${JSON.stringify(r)}\n`);
	results.push(r);
}
const load1 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

process.stdout.write(`\nburn vs ccusage — ${new Date().toISOString()} — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load before ${load0}, after ${load1}; median of ${coldRuns} cold, ${runs} warm and ccusage runs\n\n`);
const f = (ms) => `${(ms / 1000).toFixed(2)} s`;
const lines = [['corpus', 'MB', 'files', 'records', 'burn cold', 'cold answer', 'burn warm', 'ccusage', 'cold/cc', 'warm/cc', 'RSS cold/warm/cc MB', 'index + flags MB', 'cold = warm']];
for (const r of results) {
	lines.push([`x${r.scale}`, r.mb.toFixed(0), String(r.files), String(r.records), f(r.coldMs), f(r.coldAnswerMs), f(r.warmMs), f(r.ccMs), (r.coldMs / r.ccMs).toFixed(2), (r.warmMs / r.ccMs).toFixed(2), `${r.coldRss.toFixed(0)}/${r.warmRss.toFixed(0)}/${r.ccRss.toFixed(0)}`, `${r.indexMb.toFixed(1)} + ${r.flagStateMb.toFixed(1)}`, r.same ? 'yes' : 'NO']);
}
if (results.length >= 2) {
	const [a, b] = results;
	lines.push([`x${b.scale}/x${a.scale}`, '', '', '', (b.coldMs / a.coldMs).toFixed(2) + 'x', (b.coldAnswerMs / a.coldAnswerMs).toFixed(2) + 'x', (b.warmMs / a.warmMs).toFixed(2) + 'x', (b.ccMs / a.ccMs).toFixed(2) + 'x', '', '', '', '', '']);
}
const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
for (const l of lines) process.stdout.write('| ' + l.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |\n');
process.stdout.write('\n');
