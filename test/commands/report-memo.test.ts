/**
 * The text report kept beside the summary (commands/report-memo.ts): a warm run prints it when the
 * report would be the same bytes, and renders afresh whenever anything it depends on differs.
 */
import {appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {Writable} from 'node:stream';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {REPORT_MEMO_FILE} from '../../source/commands/report-memo.js';
import {runSummary} from '../../source/commands/summary.js';
import {usageLine} from '../helpers/records.js';
import {tempDir} from '../helpers/temp.js';

function stream() {
	const chunks: string[] = [];
	const s = new Writable({
		write(chunk, _enc, done) {
			chunks.push(String(chunk));
			done();
		},
	});
	return {s, text: () => chunks.join('')};
}

describe('the kept text report', () => {
	let dir: string;
	let cleanup: () => void;
	let usage: string;
	let cache: string;
	beforeEach(() => {
		({dir, cleanup} = tempDir());
		usage = join(dir, 'usage');
		cache = join(dir, 'cache');
		mkdirSync(usage);
		writeFileSync(join(usage, 'usage.jsonl'), Array.from({length: 12}, (_, i) => usageLine(1 + (i % 3), 1 + Math.floor(i / 3), 100, 10)).join(''));
	});
	afterEach(() => cleanup());

	const now = new Date();
	const run = async (extra: string[] = [], env: NodeJS.ProcessEnv = {HOME: join(dir, 'home')}) => {
		const out = stream();
		const err = stream();
		expect(await runSummary({argv: ['--once', '--usage', usage, '--cache-dir', cache, ...extra], env, cwd: dir, stdout: out.s, stderr: err.s, now})).toBe(0);
		return out.text();
	};

	it('is printed by a warm run that would render the same bytes, and never when an input differs', async () => {
		const cold = await run();
		expect(cold).toMatch(/Issue/);
		const file = join(cache, REPORT_MEMO_FILE);
		expect(existsSync(file)).toBe(true);
		// The same bytes rendered and kept.
		expect(readFileSync(file, 'utf8').slice(41)).toBe(cold);
		// Marked, so the test tells a kept report from a rendered one: a warm run prints the kept one.
		const [key] = readFileSync(file, 'utf8').split('\n');
		writeFileSync(file, `${key}\n${cold}kept\n`);
		expect(await run()).toBe(`${cold}kept\n`);
		// Another width, --by, environment or format renders afresh (and keeps that one).
		expect(await run(['--width', '120'])).not.toMatch(/kept\n$/);
		writeFileSync(file, `${key}\n${cold}kept\n`);
		expect(await run(['--by', 'model'])).not.toMatch(/kept/);
		writeFileSync(file, `${key}\n${cold}kept\n`);
		expect(await run([], {HOME: join(dir, 'home'), NO_COLOR: '1'})).not.toMatch(/kept/);
		writeFileSync(file, `${key}\n${cold}kept\n`);
		expect(await run(['--markdown'])).not.toMatch(/kept/);
		// New data: the next run reads, and its report shows it.
		writeFileSync(file, `${key}\n${cold}kept\n`);
		appendFileSync(join(usage, 'usage.jsonl'), usageLine(9, 1, 5000, 10));
		const grown = await run();
		expect(grown).not.toMatch(/kept/);
		expect(grown).not.toBe(cold);
		// And a damaged file is a miss.
		writeFileSync(file, 'garbage');
		expect(await run()).toBe(grown);
	});
});
