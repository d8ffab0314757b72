/**
 * The one way a line file is read: plain files from a byte offset with positioned reads into one
 * growing buffer, `.gz` streamed through gunzip (never inflated into memory whole). Either way the
 * bytes go through one `LineFeed`, which hands the source complete lines only (the source walks
 * them with sources/lines.ts's cursor) and keeps the unfinished last line for the next read. A line
 * longer than `maxLineBytes` is skipped with a problem instead of being buffered: one giant line
 * must not eat memory or stall the reader.
 */
import {closeSync, createReadStream, openSync, readSync} from 'node:fs';
import {createGunzip} from 'node:zlib';
import type {Problem} from '../core/problems.js';
import {LF} from '../sources/lines.js';
import type {DocumentResult, LineSource, ParseResult, WholeLineSource} from '../sources/types.js';

export const MAX_LINE_BYTES = 64 * 1024 * 1024;
/**
 * Bytes asked of the file per read, and the buffer's size (grown only while a longer line is in
 * it). Small on purpose: a buffer this size stays in the CPU's cache between the kernel's copy and
 * the source's parse. Reading x1's 900 MB into a 4 MiB buffer took 0.47-0.64 s of kernel copy here,
 * into a 128 KiB one 0.10-0.16 s (bench/read-buffer.js).
 */
const CHUNK = 128 * 1024;
/** Yield to the event loop this often during a long read, so watchers and the UI stay alive. */
const YIELD_EVERY = 32 * 1024 * 1024;
/**
 * Read buffers of CHUNK bytes whose file is done, for the next file: a fresh buffer per file costs
 * a page fault per 4 KiB of it (4 MiB ones: ~200k faults, ~1 s of a cold read of 600 files).
 * Sources copy what they keep (sources/types.ts), so a buffer is free once its file's read ends.
 */
const spareBuffers: Buffer[] = [];
const MAX_SPARE = 2;

export interface LineReadResult<S> {
	state: S;
	/** Bytes of complete lines consumed from `start` (decompressed bytes for `.gz`). */
	consumedBytes: number;
	consumedLines: number;
	/** Bytes after the last LF: an incomplete final record, skipped until it is finished. */
	tailBytes: number;
	/** Bytes read from disk (compressed bytes for `.gz`). */
	bytesRead: number;
}

export interface LineReadOptions {
	/** Start reading at this byte offset (plain files only). */
	start?: number;
	/** Line number of the first line at `start` (1-based). */
	line?: number;
	maxLineBytes?: number;
	/** An open descriptor of `path` (plain files): read through it instead of opening the path. */
	fd?: number;
}

export function isGzip(path: string): boolean {
	return path.endsWith('.gz');
}

export async function readLineFile<S>(
	path: string,
	source: LineSource<S>,
	state: S,
	onResult: (result: ParseResult<S>) => void,
	options: LineReadOptions = {},
): Promise<LineReadResult<S>> {
	const gz = isGzip(path);
	const start = gz ? 0 : (options.start ?? 0);
	const feed = new LineFeed(path, source, state, onResult, start, options.line ?? 1, options.maxLineBytes ?? MAX_LINE_BYTES);
	let bytesRead = 0;
	if (gz) {
		const raw = createReadStream(path, {highWaterMark: 1024 * 1024});
		raw.on('data', (b) => (bytesRead += b.length));
		const stream = raw.pipe(createGunzip());
		raw.on('error', (error) => stream.destroy(error));
		for await (const data of stream as AsyncIterable<Buffer>) feed.push(data);
		feed.drain();
	} else {
		const fd = options.fd ?? openSync(path, 'r');
		try {
			let pos = start;
			let sinceYield = 0;
			for (;;) {
				const buf = feed.room();
				const n = readSync(fd, buf, feed.filled, buf.length - feed.filled, pos);
				if (n === 0) break;
				pos += n;
				bytesRead += n;
				feed.wrote(n);
				feed.drain();
				sinceYield += n;
				if (sinceYield >= YIELD_EVERY) {
					sinceYield = 0;
					await new Promise<void>((resolve) => setImmediate(resolve));
				}
			}
		} finally {
			if (options.fd === undefined) closeSync(fd);
		}
	}
	feed.release();
	return {state: feed.state, consumedBytes: feed.offset - start, consumedLines: feed.line - (options.line ?? 1), tailBytes: feed.tailBytes, bytesRead};
}

/** Reads a whole-line source's file (bosun's stream and alerts): every line, then its `finish`. */
export async function readWholeLines<S>(path: string, source: WholeLineSource<S>): Promise<DocumentResult> {
	const records: DocumentResult['records'] = [];
	const events: DocumentResult['events'] = [];
	const problems: DocumentResult['problems'] = [];
	const read = await readLineFile(path, source, source.initialState(path), (r) => {
		records.push(...r.records);
		events.push(...r.events);
		problems.push(...r.problems);
	});
	const end = source.finish(read.state, {path, line: read.consumedLines + 1, tailBytes: read.tailBytes});
	return {...end, records: [...records, ...end.records], events: [...events, ...end.events], problems: [...problems, ...end.problems]};
}

/**
 * Bytes in, complete lines out: a buffer the reader fills (`room()` then `wrote(n)`, or
 * `push(chunk)`); `drain()` hands the complete lines to the source in one `parse` call.
 */
class LineFeed<S> {
	/** Size of a fresh buffer: a read's worth, never above the line cap (so the cap holds). */
	private readonly chunk: number;
	private buf: Buffer;
	/** The CHUNK-sized buffer `buf` returns to once a line that made it grow has been handed on. */
	private home: Buffer;
	/** Bytes in `buf`: an unfinished line, then what the reader just wrote. */
	filled = 0;
	/** File offset of `buf[0]` (of the next complete line). */
	offset: number;
	/** Line number of the line at `offset`. */
	line: number;
	/** Dropping the rest of an over-long line until its LF. */
	private skipping = false;

	constructor(
		private readonly path: string,
		private readonly source: LineSource<S>,
		public state: S,
		private readonly onResult: (result: ParseResult<S>) => void,
		offset: number,
		line: number,
		private readonly maxLine: number,
	) {
		this.offset = offset;
		this.line = line;
		this.chunk = Math.min(CHUNK, maxLine);
		this.home = (this.chunk === CHUNK && spareBuffers.pop()) || Buffer.allocUnsafe(this.chunk);
		this.buf = this.home;
	}

	/** The read is over: its buffer goes back for the next file's read (a grown one is dropped). */
	release(): void {
		if (this.home.length === CHUNK && spareBuffers.length < MAX_SPARE) spareBuffers.push(this.home);
		this.buf = this.home = Buffer.alloc(0);
	}

	get tailBytes(): number {
		return this.skipping ? 0 : this.filled;
	}

	/** The buffer to write into at `filled`, with room for at least one byte. */
	room(): Buffer {
		if (this.filled < this.buf.length) return this.buf;
		if (this.buf.length < this.maxLine) {
			const bigger = Buffer.allocUnsafe(Math.min(this.buf.length * 2, this.maxLine));
			this.buf.copy(bigger, 0, 0, this.filled);
			this.buf = bigger;
		} else {
			// One line longer than the cap: report it and drop bytes until its LF.
			const problem: Problem = {kind: 'line-too-long', path: this.path, line: this.line, reason: `line is longer than ${this.maxLine} bytes; skipped`};
			this.onResult({records: [], events: [], problems: [problem], consumedBytes: 0, consumedLines: 0, state: this.state});
			this.offset += this.filled;
			this.filled = 0;
			this.skipping = true;
		}
		return this.buf;
	}

	/** Copies a chunk in (streams); lines are handed on when the buffer is full, and by `drain()`. */
	push(chunk: Buffer): void {
		let at = 0;
		while (at < chunk.length) {
			const buf = this.room();
			const n = chunk.copy(buf, this.filled, at);
			at += n;
			this.filled += n;
			if (this.filled === buf.length) this.drain();
		}
	}

	/** `n` bytes were written at `filled` (positioned reads). */
	wrote(n: number): void {
		this.filled += n;
	}

	/** Hands every complete line in the buffer to the source; the unfinished one stays. */
	drain(): void {
		const buf = this.buf;
		if (this.skipping) {
			const lf = buf.indexOf(LF);
			if (lf === -1 || lf >= this.filled) {
				this.offset += this.filled;
				this.filled = 0;
				return;
			}
			this.offset += lf + 1;
			this.line++;
			buf.copy(buf, 0, lf + 1, this.filled);
			this.filled -= lf + 1;
			this.skipping = false;
		}
		if (this.filled === 0) return;
		const last = buf.lastIndexOf(LF, this.filled - 1);
		if (last === -1) return;
		const result = this.source.parse(buf.subarray(0, last + 1), this.state, {path: this.path, offset: this.offset, line: this.line});
		this.state = result.state;
		this.onResult(result);
		this.offset += result.consumedBytes;
		this.line += result.consumedLines;
		// The unfinished line moves to the front and the buffer is read into again: sources copy
		// what they keep (sources/types.ts), and a fresh buffer per read cost a page fault per
		// 4 KiB of every file read. A buffer grown for a long line is dropped as soon as what is
		// left fits the small one again.
		const rest = this.filled - result.consumedBytes;
		const next = buf !== this.home && rest <= this.home.length ? this.home : buf;
		buf.copy(next, 0, result.consumedBytes, this.filled);
		this.buf = next;
		this.filled = rest;
	}
}
