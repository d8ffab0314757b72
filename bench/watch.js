#!/usr/bin/env node
/**
 * `burn watch` in a real terminal (tmux, 160×48) on a bench corpus (bench/cli.js makes them):
 *   first frame     time from spawn until the pane shows anything, and what it said
 *   every record    time until the pane shows the records line the cold run showed when live
 *                   (`… · 598 files · 185,029 records read, …`): cold (no index) and warm (what the
 *                   cold run left on quit: the index, the flag fold flags.v8 and the kept summary
 *                   summary.v8, from which a warm watch draws that frame while it still reads)
 *   live frame      time until the header says "● live" (the engine read every record)
 *   new issue       append a usage.jsonl line for an issue never seen (stamped after the whole
 *                   corpus); time until its row is on screen, a name filter typed first so the
 *                   row is shown whatever the sort (median of --samples)
 * Polls the pane every 10 ms, so times are ±10 ms plus tmux's own redraw.
 *
 *   node bench/watch.js [--corpus bench/corpus/x1] [--samples 10]
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {appendFileSync, readFileSync, rmSync, statSync, truncateSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {here, root, opt, benchCacheDir} from './common.js';

const corpus = resolve(opt('--corpus', join(here, 'corpus', 'x1')));
const samples = Number(opt('--samples', 10));
const meta = JSON.parse(readFileSync(join(corpus, 'meta.json'), 'utf8'));
const SOCKET = `burn-bench-${process.pid}`;
const tmux = (...args) => execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], {encoding: 'utf8'});
const pane = (s) => tmux('capture-pane', '-p', '-t', s);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(session, predicate, timeoutMs = 180_000) {
	const t0 = performance.now();
	for (;;) {
		const p = pane(session);
		if (predicate(p)) return {ms: performance.now() - t0, pane: p};
		if (performance.now() - t0 > timeoutMs) throw new Error(`timed out; pane:\n${p}`);
		await sleep(10);
	}
}

/** The header's records line (`kinds · N files · N records …`) of a pane. */
const recordsLine = (p) => p.split('\n').map((l) => l.trim().replace(/\s+/g, ' ')).find((l) => / files? · /.test(l) && /record/.test(l)) ?? null;

async function watch(name, cacheDir, every = null) {
	const cmd = `cd ${meta.work} && HOME=${meta.home} CI=false exec ${process.execPath} ${join(root, 'dist', 'burn.js')} watch --cache-dir ${cacheDir}`;
	const t0 = performance.now();
	tmux('new-session', '-d', '-s', name, '-x', '160', '-y', '48', cmd);
	const first = await until(name, (p) => p.trim().length > 0);
	const firstMs = performance.now() - t0;
	const said = (p) => {
		const lines = p.split('\n').map((l) => l.trim().replace(/\s+/g, ' '));
		return (lines.find((l) => /reading… \d+ of \d+ files/.test(l)) ?? lines.find((l) => l.startsWith('reading')) ?? lines.find((l) => l.includes('reading')) ?? '(nothing about reading)').slice(0, 60);
	};
	// A progress frame mid-read, when there is one.
	const mid = await until(name, (p) => /of \d+ files/.test(p) || p.includes('● live') || (every !== null && recordsLine(p) === every));
	// Every record on screen: the records line the cold run ended with (cold: that is its live frame).
	const shown = every === null ? null : await until(name, (p) => recordsLine(p) === every);
	const everyMs = shown === null ? null : performance.now() - t0;
	const live = await until(name, (p) => p.includes('● live'));
	const liveMs = performance.now() - t0;
	return {firstMs, firstSaid: said(first.pane), midSaid: said(mid.pane), everyMs: everyMs ?? liveMs, everySaid: recordsLine(shown?.pane ?? live.pane), liveMs, pane: live.pane};
}

const cacheDir = benchCacheDir(corpus, 'watch');
const usageFile = join(meta.work, '.symphony', 'telemetry', 'usage.jsonl');
// The appended lines are cut off again at the end, so the corpus stays what bench/cli.js measures.
const usageSize = statSync(usageFile).size;
try {
	const cold = await watch('cold', cacheDir);
	tmux('send-keys', '-t', 'cold', 'q');
	// The index and the flag state are written on quit: wait for the process to be gone.
	await until('cold', () => spawnSync('tmux', ['-L', SOCKET, 'has-session', '-t', 'cold']).status !== 0, 60_000).catch(() => {});
	// The cold run left the index, its flag fold (flags.v8) and its count (summary.v8) in the cache dir when it quit.
	const warm = await watch('warm', cacheDir, recordsLine(cold.pane));
	// The corpus' timestamps run past today, so new lines are stamped after all of them (a line
	// older than what was folded would make the flag monitor re-fold the whole history), and a
	// filter on their names keeps the new rows on screen whatever the sort says.
	tmux('send-keys', '-t', 'warm', '/');
	tmux('send-keys', '-t', 'warm', '-l', 'NEW-');
	await until('warm', (p) => p.includes('NEW-'));
	const latencies = [];
	const nonce = (Date.now() % 0xffffff).toString(16).padStart(6, '0');
	for (let i = 0; i < samples; i++) {
		const issue = `NEW-${nonce}-${i}`;
		const at = new Date(Date.UTC(2028, 0, 1) + i * 1000).toISOString();
		const line = `{"schemaVersion":1,"recordedAt":"${at}","runID":"00000000-0000-4000-8000-${nonce}${String(i).padStart(6, '0')}","turn":1,"issueIdentifier":"${issue}","provider":"claude","model":"claude-sonnet-4-6","botRole":"developer","inputTokens":900000,"outputTokens":90000,"totalTokens":990000,"usageSource":"provider_reported","startedAt":"${at}","endedAt":"${at}"}\n`;
		const t0 = performance.now();
		appendFileSync(usageFile, line);
		await until('warm', (p) => p.includes(issue), 30_000);
		latencies.push(performance.now() - t0);
		await sleep(300);
	}
	tmux('send-keys', '-t', 'warm', 'q');
	latencies.sort((a, b) => a - b);
	const med = latencies[Math.floor((latencies.length - 1) / 2)];
	const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
	process.stdout.write(`\nburn watch — ${new Date().toISOString()} — ${corpus} (${meta.sizeMb} MB), load ${load}\n`);
	for (const [name, r] of [['cold', cold], ['warm (index + flag state + kept summary)', warm]]) {
		process.stdout.write(`  ${name}: first frame ${r.firstMs.toFixed(0)} ms ("${r.firstSaid}"; then "${r.midSaid}"), every record on screen ${(r.everyMs / 1000).toFixed(2)} s, ● live ${(r.liveMs / 1000).toFixed(2)} s\n`);
	}
	process.stdout.write(`  records line: "${warm.everySaid}"\n`);
	process.stdout.write(`  new issue on screen: median ${med.toFixed(0)} ms, max ${latencies[latencies.length - 1].toFixed(0)} ms (${samples} appends)\n\n`);
} finally {
	spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
	rmSync(cacheDir, {recursive: true, force: true});
	truncateSync(usageFile, usageSize);
}
