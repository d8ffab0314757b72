import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {gzipSync} from 'node:zlib';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {readLineFile} from '../../source/ingest/line-reader.js';
import {LineCursor} from '../../source/sources/lines.js';
import {symphonySource} from '../../source/sources/symphony.js';
import type {ParseResult} from '../../source/sources/types.js';
import {removeDir, tempDir, usageLine} from './helpers.js';

let dir: string;
beforeEach(() => (dir = tempDir()));
afterEach(() => removeDir(dir));

/** What a read handed on: records (by line and key), problems (kind@line). */
function collector() {
	const records: string[] = [];
	const problems: string[] = [];
	return {
		records,
		problems,
		take: (r: ParseResult<unknown>) => {
			for (const x of r.records) records.push(`${x.origin.line}:${x.key}`);
			for (const p of r.problems) problems.push(`${p.kind}@${p.line}`);
		},
	};
}

const LONG = 4096;

/** BOM, CRLF, a blank line, a line over the cap, good lines, and a last line without its LF. */
function content(): string {
	const long = usageLine(2, 1, 5, 5).replace('"schemaVersion"', `"padding":"${'x'.repeat(LONG)}","schemaVersion"`);
	return '\ufeff' + usageLine(1, 1, 10, 1).replace('\n', '\r\n') + '\n' + long + usageLine(1, 2, 20, 2) + usageLine(1, 3, 30, 3) + usageLine(1, 4, 40, 4).slice(0, 50);
}

describe('the one line reader', () => {
	it('reads the next file into the buffer the last file used, and sees only the new file\'s bytes', async () => {
		const big = join(dir, 'big.jsonl');
		const small = join(dir, 'small.jsonl');
		writeFileSync(big, Array.from({length: 2000}, (_, i) => usageLine(1, 1 + i, 10 + i, 1)).join(''));
		writeFileSync(small, usageLine(7, 1, 5, 1) + usageLine(7, 2, 6, 1).slice(0, 40));
		const buffers: ArrayBufferLike[] = [];
		const source = {...symphonySource, parse: (chunk: Buffer, state: never, at: Parameters<typeof symphonySource.parse>[2]) => (buffers.push(chunk.buffer), symphonySource.parse(chunk, state, at))};
		await readLineFile(big, source, symphonySource.initialState(big) as never, () => {});
		const c = collector();
		const read = await readLineFile(small, source, symphonySource.initialState(small) as never, c.take);
		expect(buffers[buffers.length - 1]).toBe(buffers[0]);
		expect(c.records).toEqual([`1:symphony:00000000-0000-4000-8000-${String(7).padStart(12, '0')}:1`]);
		expect(read.tailBytes).toBe(40);
	});

	it('reads a file of many chunks into one buffer, the unfinished line moved to its front', async () => {
		// ~10 MiB of short lines: many reads of the reader's chunk, lines cut at every chunk boundary.
		const lines = Array.from({length: 30_000}, (_, i) => usageLine(1 + (i % 50), 1 + Math.floor(i / 50), 10 + i, 1));
		const path = join(dir, 'usage.jsonl');
		writeFileSync(path, lines.join(''));
		const buffers = new Set<ArrayBufferLike>();
		const c = collector();
		const source = {...symphonySource, parse: (chunk: Buffer, state: never, at: Parameters<typeof symphonySource.parse>[2]) => (buffers.add(chunk.buffer), symphonySource.parse(chunk, state, at))};
		const read = await readLineFile(path, source, symphonySource.initialState(path) as never, c.take);
		expect(c.records).toHaveLength(30_000);
		expect(c.records[29_999]).toBe(`30000:symphony:00000000-0000-4000-8000-${String(50).padStart(12, '0')}:600`);
		expect(read.consumedLines).toBe(30_000);
		expect(buffers.size).toBe(1);
	});

	it('grows the buffer for a line longer than it, and goes back to the small one once that line is handed on', async () => {
		const long = (run: number, turn: number) => usageLine(run, turn, 10, 1).replace('"schemaVersion"', `"padding":"${'x'.repeat(600 * 1024)}","schemaVersion"`);
		const lines = [
			...Array.from({length: 200}, (_, i) => usageLine(1, 1 + i, 10 + i, 1)),
			long(2, 1),
			...Array.from({length: 4000}, (_, i) => usageLine(3, 1 + i, 10 + i, 1)),
			long(2, 2),
			...Array.from({length: 4000}, (_, i) => usageLine(4, 1 + i, 10 + i, 1)),
		];
		const path = join(dir, 'usage.jsonl');
		writeFileSync(path, lines.join(''));
		const chunks: Buffer[] = [];
		const c = collector();
		const source = {...symphonySource, parse: (chunk: Buffer, state: never, at: Parameters<typeof symphonySource.parse>[2]) => (chunks.push(chunk), symphonySource.parse(chunk, state, at))};
		const read = await readLineFile(path, source, symphonySource.initialState(path) as never, c.take);
		expect(c.records).toHaveLength(8202);
		expect(c.problems).toEqual([]);
		expect(read.consumedLines).toBe(8202);
		expect(read.consumedBytes).toBe(Buffer.byteLength(lines.join('')));
		// The long lines were handed on in a grown buffer; the reads after each went back to the first one.
		const first = chunks[0]!.buffer;
		const grown = chunks.filter((b) => b.buffer !== first);
		expect(grown.length).toBeGreaterThan(0);
		expect(grown.every((b) => b.buffer.byteLength > first.byteLength)).toBe(true);
		expect(chunks[chunks.length - 1]!.buffer).toBe(first);
		const afterFirstLong = chunks.findIndex((b) => b.buffer !== first);
		expect(chunks.slice(afterFirstLong + 1, afterFirstLong + 3).every((b) => b.buffer === first)).toBe(true);
	});

	it('plain, resumed from an offset, and .gz: the same records, problems, lines and unfinished tail', async () => {
		const text = content();
		const plain = join(dir, 'usage.jsonl');
		const gz = join(dir, 'usage-1.jsonl.gz');
		writeFileSync(plain, text);
		writeFileSync(gz, gzipSync(Buffer.from(text)));
		const options = {maxLineBytes: 1024};

		const whole = collector();
		const a = await readLineFile(plain, symphonySource, symphonySource.initialState(plain), whole.take, options);
		expect(whole.records.map((r) => r.split(':')[0])).toEqual(['1', '4', '5']);
		expect(whole.problems).toEqual(['line-too-long@3']);
		expect(a.consumedLines).toBe(5);
		expect(a.tailBytes).toBe(50);
		expect(a.consumedBytes).toBe(Buffer.byteLength(text) - 50);
		expect(a.bytesRead).toBe(Buffer.byteLength(text));

		// Resumed after the first two lines (as the tracker does from its committed offset): the rest reads the same.
		const firstTwo = Buffer.byteLength('\ufeff' + usageLine(1, 1, 10, 1).replace('\n', '\r\n') + '\n');
		const rest = collector();
		const r = await readLineFile(plain, symphonySource, symphonySource.initialState(plain), rest.take, {...options, start: firstTwo, line: 3});
		expect([...whole.records.slice(0, 1), ...rest.records]).toEqual(whole.records);
		expect(rest.problems).toEqual(['line-too-long@3']);
		expect(firstTwo + r.consumedBytes).toBe(a.consumedBytes);
		expect(r.tailBytes).toBe(50);

		const zipped = collector();
		const z = await readLineFile(gz, symphonySource, symphonySource.initialState(gz), zipped.take, options);
		expect(zipped.problems).toEqual(whole.problems);
		expect(zipped.records.map((x) => x.split(':')[0])).toEqual(['1', '4', '5']);
		expect([z.consumedBytes, z.consumedLines, z.tailBytes]).toEqual([a.consumedBytes, a.consumedLines, a.tailBytes]);
	});

	it('a source is handed complete lines only, whatever the read size', async () => {
		const file = join(dir, 'usage.jsonl');
		const lines = Array.from({length: 300}, (_, i) => usageLine(1, i + 1, i, i));
		writeFileSync(file, lines.join(''));
		const chunks: string[] = [];
		const spy = {
			...symphonySource,
			parse: (chunk: Buffer, state: ReturnType<typeof symphonySource.initialState>, at: {path: string; offset: number; line: number}) => {
				chunks.push(chunk.toString('utf8'));
				return symphonySource.parse(chunk, state, at);
			},
		};
		const c = collector();
		// A cap of one line and a bit: the buffer holds a few lines at a time, so there are many reads.
		const read = await readLineFile(file, spy, spy.initialState(file), c.take, {maxLineBytes: lines[0]!.length + 10});
		expect(chunks.length).toBeGreaterThan(100);
		expect(chunks.every((s) => s.endsWith('\n'))).toBe(true);
		expect(chunks.join('')).toBe(lines.join(''));
		expect(c.records).toHaveLength(300);
		expect(c.problems).toEqual([]);
		expect(read.tailBytes).toBe(0);
	});
});

describe('the line cursor', () => {
	it('visits complete lines only: CR and a first-line BOM stripped, line numbers from the chunk position', () => {
		const chunk = Buffer.from('\ufeffa\r\nb\n\nc');
		const seen: string[] = [];
		const c = new LineCursor(chunk, {offset: 0, line: 7});
		while (c.next()) seen.push(`${c.line}:${chunk.toString('utf8', c.start, c.end)}`);
		expect(seen).toEqual(['7:a', '8:b', '9:']);
		expect([c.consumedBytes, c.consumedLines]).toEqual([chunk.length - 1, 3]);
		// Not at the file's start: a BOM is content.
		const mid = new LineCursor(chunk, {offset: 10, line: 1});
		mid.next();
		expect(mid.start).toBe(0);
	});
});
