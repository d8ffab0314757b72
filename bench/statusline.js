#!/usr/bin/env node
/**
 * `burn statusline` against a bare `node -e 0`, with a large history indexed: the target is a
 * median at most 4× the bare start. Each sample is a fresh process, as Claude Code runs it after
 * every message: before each statusline call one assistant message is appended to the session's
 * transcript (not timed), so the call reads what the message added. Bare and statusline runs
 * alternate, so load changes hit both alike. Prints the numbers and `uptime`.
 *
 *   node bench/statusline.js [--size-mb 300] [--samples 40] [--seed 1] [--out /tmp/burn-bench-statusline]
 */
import {spawnSync} from 'node:child_process';
import {appendFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {performance} from 'node:perf_hooks';
import {fileURLToPath} from 'node:url';
import {generate} from './generate.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const CLI = resolve(here, '..', 'dist', 'burn.js');

function args(argv) {
	const a = {sizeMb: 300, samples: 40, seed: 1, out: '/tmp/burn-bench-statusline'};
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--size-mb') a.sizeMb = Number(argv[++i]);
		else if (argv[i] === '--samples') a.samples = Number(argv[++i]);
		else if (argv[i] === '--seed') a.seed = Number(argv[++i]);
		else if (argv[i] === '--out') a.out = resolve(argv[++i]);
	}
	return a;
}

function walk(dir, out = []) {
	for (const e of readdirSync(dir, {withFileTypes: true})) {
		const p = join(dir, e.name);
		if (e.isDirectory()) walk(p, out);
		else if (e.name.endsWith('.jsonl') && !p.includes('/subagents/')) out.push(p);
	}
	return out;
}

const median = (xs) => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

function timed(argv, options) {
	const t0 = performance.now();
	const r = spawnSync(process.execPath, argv, {encoding: 'utf8', ...options});
	const ms = performance.now() - t0;
	if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
	return {ms, stdout: r.stdout};
}

const a = args(process.argv.slice(2));
const corpus = join(a.out, 'corpus');
if (!existsSync(join(corpus, 'home'))) {
	mkdirSync(corpus, {recursive: true});
	console.log(`generating ${a.sizeMb} MB corpus into ${corpus} …`);
	generate({sizeMb: a.sizeMb, seed: a.seed, out: corpus});
}
const home = join(corpus, 'home');
const state = join(a.out, 'state');
const cache = join(a.out, 'cache');
rmSync(state, {recursive: true, force: true});
const env = {...process.env, HOME: home, BURN_CACHE_DIR: cache, BURN_STATE_DIR: state, XDG_CONFIG_HOME: join(a.out, 'config')};
const cwd = join(home, 'work');

// The large history, indexed (the persistent index the refresh reads through).
let t = timed([CLI, 'summary', '--once', '--json'], {env, cwd, maxBuffer: 1 << 30});
console.log(`index built (summary --once --json): ${(t.ms / 1000).toFixed(1)} s`);
t = timed([CLI, 'statusline', '--refresh'], {env, cwd});
console.log(`statusline --refresh (full read through the index, in the background in real use): ${(t.ms / 1000).toFixed(2)} s`);

const transcripts = walk(join(home, '.claude', 'projects')).map((p) => ({p, size: statSync(p).size})).sort((x, y) => y.size - x.size);
const session = transcripts[0];
const sessionId = session.p.split('/').pop().replace(/\.jsonl$/, '');
const bytes = transcripts.reduce((s, x) => s + x.size, 0);
console.log(`history: ${transcripts.length} Claude sessions, ${(bytes / 1e6).toFixed(0)} MB; the session: ${(session.size / 1e6).toFixed(1)} MB`);
const now = Math.floor(Date.now() / 1000);
const payload = JSON.stringify({
	session_id: sessionId,
	transcript_path: session.p,
	cwd,
	model: {id: 'claude-sonnet-4-6', display_name: 'Sonnet 4.6'},
	workspace: {current_dir: cwd, project_dir: cwd},
	cost: {total_cost_usd: 1.23},
	rate_limits: {five_hour: {used_percentage: 42, resets_at: now + 7200}, seven_day: {used_percentage: 12, resets_at: now + 3 * 86400}},
});
// The session cache is built by the first call (reads the whole transcript once).
t = timed([CLI, 'statusline'], {env, cwd, input: payload});
console.log(`first call on the session (whole transcript read): ${t.ms.toFixed(0)} ms → ${t.stdout.trim()}`);

const bare = [];
const line = [];
const empty = [];
let i = 0;
for (let k = 0; k < a.samples; k++) {
	bare.push(timed(['-e', '0'], {}).ms);
	appendFileSync(
		session.p,
		JSON.stringify({type: 'assistant', sessionId, timestamp: new Date().toISOString(), requestId: `req_bench_${k}`, message: {id: `msg_bench_${process.pid}_${k}`, model: 'claude-sonnet-4-6', role: 'assistant', usage: {input_tokens: 1200, output_tokens: 300, cache_read_input_tokens: 40_000, cache_creation_input_tokens: 800}}}) + '\n',
	);
	line.push(timed([CLI, 'statusline'], {env, cwd, input: payload}).ms);
	empty.push(timed([CLI, 'statusline'], {env, cwd, input: ''}).ms);
	i++;
}
const fmt = (xs) => `median ${median(xs).toFixed(1)} ms, p90 ${quantile(xs, 0.9).toFixed(1)} ms`;
console.log(`samples: ${i} of each`);
console.log(`node -e 0:                         ${fmt(bare)}`);
console.log(`burn statusline (payload, +1 msg): ${fmt(line)}  → ${(median(line) / median(bare)).toFixed(2)}× bare (target ≤ 4×)`);
console.log(`burn statusline (empty stdin):     ${fmt(empty)}  → ${(median(empty) / median(bare)).toFixed(2)}× bare`);
console.log(`uptime: ${spawnSync('uptime', {encoding: 'utf8'}).stdout.trim()}`);
