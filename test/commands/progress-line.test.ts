/**
 * The progress line of long one-shot work: drawn only on a terminal, at most every interval,
 * wiped before the answer. A cold `summary --once` shows it while it reads; a warm one does not.
 */
import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {Writable} from 'node:stream';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {ProgressLine} from '../../source/commands/progress-line.js';
import {runSummary} from '../../source/commands/summary.js';
import {usageLine} from '../helpers/records.js';
import {tempDir} from '../helpers/temp.js';

/** A stream that keeps what it was given; `isTTY` as a terminal's or a pipe's. */
function stream(isTTY: boolean) {
	const chunks: string[] = [];
	const s = new Writable({
		write(chunk, _enc, done) {
			chunks.push(String(chunk));
			done();
		},
	}) as Writable & {isTTY?: boolean};
	s.isTTY = isTTY;
	return {s, text: () => chunks.join('')};
}

describe('ProgressLine', () => {
	it('draws over itself at most every interval, forced draws at once, and wipes itself', () => {
		let t = 0;
		const out = stream(true);
		const line = new ProgressLine(out.s, 100, () => t);
		line.draw(() => 'a', true);
		t = 50;
		line.draw(() => 'b');
		t = 150;
		line.draw(() => 'c');
		line.clear();
		line.clear();
		expect(out.text()).toBe('\r\x1b[2Ka\r\x1b[2Kc\r\x1b[2K');
	});

	it('stays one line on a narrow terminal (a wrapped line would not be wiped)', () => {
		const out = stream(true) as ReturnType<typeof stream> & {s: {columns?: number}};
		out.s.columns = 20;
		const line = new ProgressLine(out.s);
		line.draw(() => 'burn: keeping the index for the next run (/home/someone/.cache/burn)…', true);
		expect(out.text()).toBe('\r\x1b[2Kburn: keeping the …');
		line.draw(() => 'short', true);
		expect(out.text().endsWith('\r\x1b[2Kshort')).toBe(true);
	});

	it('draws nothing into a pipe and never builds the text', () => {
		const out = stream(false);
		const line = new ProgressLine(out.s);
		expect(line.active).toBe(false);
		line.draw(() => {
			throw new Error('built');
		}, true);
		line.clear();
		expect(out.text()).toBe('');
	});
});

describe('summary --once on a terminal', () => {
	let dir: string;
	let cleanup: () => void;
	beforeEach(() => ({dir, cleanup} = tempDir()));
	afterEach(() => cleanup());

	it('shows its read going on stderr when cold, wipes it before the answer, and says nothing when warm', async () => {
		const usage = join(dir, 'usage');
		mkdirSync(usage);
		writeFileSync(join(usage, 'usage.jsonl'), Array.from({length: 30}, (_, i) => usageLine(1 + (i % 3), 1 + Math.floor(i / 3), 100, 10)).join(''));
		const argv = ['--once', '--json', '--usage', usage, '--cache-dir', join(dir, 'cache')];
		const env = {HOME: join(dir, 'home')};
		const now = new Date();
		const cold = {out: stream(false), err: stream(true)};
		expect(await runSummary({argv, env, cwd: dir, stdout: cold.out.s, stderr: cold.err.s, now})).toBe(0);
		expect(JSON.parse(cold.out.text()).totals.records).toBe(30);
		expect(cold.err.text()).toMatch(/^\r\x1b\[2Kburn: reading…/);
		expect(cold.err.text()).toMatch(/judging flags over 30 records…/);
		// After the answer, while the index and the kept summary are written; wiped when they are.
		expect(cold.err.text()).toContain(`burn: keeping the index for the next run (${join(dir, 'cache')})…`);
		expect(cold.err.text().endsWith('\r\x1b[2K')).toBe(true);
		const warm = {out: stream(false), err: stream(true)};
		expect(await runSummary({argv, env, cwd: dir, stdout: warm.out.s, stderr: warm.err.s, now})).toBe(0);
		// Warm: the kept answer, the same bytes, and no progress (nothing was read).
		expect(warm.out.text()).toBe(cold.out.text());
		expect(warm.err.text()).toBe('');
	});
});
