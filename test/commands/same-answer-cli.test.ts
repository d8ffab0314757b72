import {appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {mulberry32} from '../../source/core/prng.js';
import {runCli} from '../helpers/cli.js';
import {copyFixture, tempDir} from '../helpers/temp.js';

const T0 = Date.parse('2026-10-02T10:00:00Z');

/**
 * Claude sessions whose responses are streamed as 1–4 lines sharing a message id (later lines
 * later and larger, the first line of a session often a partial copy), some sessions resumed
 * into a second file that repeats earlier lines verbatim, and costs with many decimals.
 */
function sessions(seed: number): Array<{session: string; lines: string[]}> {
	const rand = mulberry32(seed);
	const out: Array<{session: string; lines: string[]}> = [];
	let msg = 0;
	for (let s = 0; s < 8; s++) {
		const session = `3c1e0f7a-0000-4000-8000-${String(s).padStart(12, '0')}`;
		const cwd = `/srv/symphony_workspaces/MT-${10 + (s % 3)}`;
		const lines: string[] = [];
		let at = T0 + Math.floor(rand() * 3_600_000);
		for (let m = 0; m < 12; m++) {
			const id = `msg_${seed}_${++msg}`;
			const copies = 1 + Math.floor(rand() * 4);
			const model = ['claude-sonnet-4-6', 'claude-opus-4-6'][Math.floor(rand() * 2)];
			const usage = {input: 1 + Math.floor(rand() * 50), cw: Math.floor(rand() * 8000), cr: Math.floor(rand() * 180_000)};
			for (let c = 0; c < copies; c++) {
				at += 1 + Math.floor(rand() * 4000);
				const last = c === copies - 1;
				const output = last ? 50 + Math.floor(rand() * 4000) : 1 + c;
				lines.push(JSON.stringify({type: 'assistant', uuid: `u-${id}-${c}`, isSidechain: false, sessionId: session, cwd, timestamp: new Date(at).toISOString(), requestId: `req_${id}`, message: {id, type: 'message', role: 'assistant', model, content: [{type: 'text', text: 'ok'}], stop_reason: last ? 'end_turn' : null, usage: {input_tokens: usage.input, cache_creation_input_tokens: usage.cw, cache_read_input_tokens: usage.cr, output_tokens: output}}}));
			}
		}
		out.push({session, lines});
	}
	return out;
}

/** Writes the sessions under `home`, file names from `name` (so discovery reads them in another order). */
function write(home: string, list: ReturnType<typeof sessions>, name: (i: number) => string): void {
	const dir = join(home, '.claude', 'projects', '-srv-symphony-workspaces');
	rmSync(dir, {recursive: true, force: true});
	mkdirSync(dir, {recursive: true});
	list.forEach(({lines}, i) => {
		writeFileSync(join(dir, `${name(i)}.jsonl`), lines.join('\n') + '\n');
		// Every third session was resumed: the new file starts with the old one's first lines, verbatim.
		if (i % 3 === 0) writeFileSync(join(dir, `${name(i)}-resumed.jsonl`), lines.slice(0, 5).join('\n') + '\n');
	});
}

describe('summary --json is the same document cold, warm and in any file order', () => {
	const {dir, cleanup} = tempDir('burn-same-');
	afterAll(cleanup);
	const home = join(dir, 'home');
	const work = join(home, 'work');
	mkdirSync(join(work, '.symphony', 'telemetry'), {recursive: true});
	copyFixture('symphony/valid.jsonl', join(work, '.symphony', 'telemetry'), 'usage.jsonl');
	copyFixture('codex/home/.codex', home, '.codex');
	const env = {HOME: home, XDG_CACHE_HOME: join(dir, 'xdg')};
	// No filter: with one, summary counts through a second ledger built from kept copies only,
	// which would hide what the raw ledger does with streamed copies.
	const args = ['summary', '--once', '--json'];
	// The liveness rules (stall, silent source) are judged at the wall clock: their values move with it.
	const atNow = new Set(['stall', 'data_quality']);
	const run = (extra: string[]) => {
		const r = runCli([...args, ...extra], {cwd: work, env});
		expect(r.code, r.stderr).toBe(0);
		const doc = JSON.parse(r.stdout);
		doc.generatedAt = '';
		doc.flags = doc.flags.filter((f: {kind: string}) => !atNow.has(f.kind));
		return JSON.stringify(doc, null, 1);
	};

	it('no index, writing the index, reading it back, and the files in two other orders', () => {
		const list = sessions(5);
		write(home, list, (i) => list[i]!.session);
		const cold = run(['--no-cache']);
		const doc = JSON.parse(cold);
		// Not vacuous: all three sources counted, streamed copies collapsed, money and times present.
		expect([...new Set(doc.sources.map((s: {kind: string}) => s.kind))].sort()).toEqual(['claude', 'codex', 'symphony']);
		expect(doc.bySource.claude.records).toBe(8 * 12);
		expect(doc.totals.cost.usd).toBeGreaterThan(0);
		const cacheDir = join(dir, 'cache');
		expect(run(['--cache-dir', cacheDir])).toBe(cold);
		// The second run resumes the flag fold kept beside the index (docs/flag-state.md).
		expect(existsSync(join(cacheDir, 'flags.v8'))).toBe(true);
		expect(run(['--cache-dir', cacheDir])).toBe(cold);
		// A new line changes the records: the kept fold is not reused, and the answer is the uncached one.
		const usage = join(work, '.symphony', 'telemetry', 'usage.jsonl');
		const grown = readFileSync(usage, 'utf8').split('\n')[0]!.replace(/"runID":"[^"]*"/, '"runID":"0b5b7a40-0000-4000-8000-00000000ffff"');
		appendFileSync(usage, grown + '\n');
		const uncached = run(['--no-cache']);
		expect(uncached).not.toBe(cold);
		expect(run(['--cache-dir', cacheDir])).toBe(uncached);
		expect(run(['--cache-dir', cacheDir])).toBe(uncached);
		writeFileSync(usage, readFileSync(usage, 'utf8').replace(grown + '\n', ''));
		expect(run(['--cache-dir', cacheDir])).toBe(cold);
		const rand = mulberry32(9);
		for (let n = 0; n < 2; n++) {
			const perm = list.map((_, i) => ({i, k: rand()})).sort((a, b) => a.k - b.k).map((x) => x.i);
			write(home, list, (i) => `${String.fromCharCode(97 + perm[i]!)}-${list[i]!.session}`);
			expect(run(['--no-cache'])).toBe(cold);
		}
	});
});
