/**
 * Reads a whole line-based file (plain or `.gz`, streamed, never inflated into memory whole) and
 * feeds complete lines to a resumable source. A line longer than `maxLineBytes` is skipped with a
 * problem instead of being buffered: one giant line must not eat memory or stall the reader.
 */
import {createReadStream} from 'node:fs';
import {createGunzip} from 'node:zlib';
import {LF} from '../sources/lines.js';
import type {LineSource, ParseResult} from '../sources/types.js';

export const MAX_LINE_BYTES = 64 * 1024 * 1024;

export interface StreamReadResult<S> {
	state: S;
	/** Bytes of complete lines consumed (decompressed bytes for `.gz`). */
	consumedBytes: number;
	consumedLines: number;
	/** Bytes after the last LF: an incomplete final record, skipped (spec §4.2). */
	tailBytes: number;
}

export interface ReadOptions {
	/** Start reading at this byte offset (plain files only). */
	start?: number;
	/** Line number of the first line at `start` (1-based). */
	line?: number;
	maxLineBytes?: number;
}

export function isGzip(path: string): boolean {
	return path.endsWith('.gz');
}

export async function readLineFile<S>(
	path: string,
	source: LineSource<S>,
	state: S,
	onResult: (result: ParseResult<S>) => void,
	options: ReadOptions = {},
): Promise<StreamReadResult<S>> {
	const maxLine = options.maxLineBytes ?? MAX_LINE_BYTES;
	const gz = isGzip(path);
	const start = gz ? 0 : (options.start ?? 0);
	const raw = createReadStream(path, {start, highWaterMark: 1024 * 1024});
	const stream = gz ? raw.pipe(createGunzip()) : raw;
	if (gz) raw.on('error', (error) => stream.destroy(error));

	/** Bytes after the last LF seen so far, kept as chunks until a chunk with an LF arrives. */
	let pending: Buffer[] = [];
	let pendingBytes = 0;
	let offset = start; // file offset of the first pending byte (or of the next chunk)
	let line = options.line ?? 1;
	let consumedBytes = 0;
	let consumedLines = 0;
	/** Skipping the rest of an over-long line until its LF. */
	let skipping = false;

	const skipLongLine = () => {
		onResult({
			records: [],
			events: [],
			problems: [{kind: 'line-too-long', path, line, reason: `line is longer than ${maxLine} bytes; skipped`}],
			consumedBytes: 0,
			consumedLines: 0,
			state,
		});
		skipping = true;
		offset += pendingBytes;
		consumedBytes += pendingBytes;
		pending = [];
		pendingBytes = 0;
	};

	for await (const data of stream as AsyncIterable<Buffer>) {
		let chunk: Buffer = data;
		if (skipping) {
			const lf = chunk.indexOf(LF);
			if (lf === -1) {
				offset += chunk.length;
				consumedBytes += chunk.length;
				continue;
			}
			offset += lf + 1;
			consumedBytes += lf + 1;
			consumedLines++;
			line++;
			skipping = false;
			chunk = chunk.subarray(lf + 1);
		}
		if (chunk.indexOf(LF) === -1) {
			pending.push(chunk);
			pendingBytes += chunk.length;
			if (pendingBytes > maxLine) skipLongLine();
			continue;
		}
		const buf = pending.length > 0 ? Buffer.concat([...pending, chunk]) : chunk;
		const result = source.parse(buf, state, {path, offset, line});
		state = result.state;
		onResult(result);
		consumedBytes += result.consumedBytes;
		consumedLines += result.consumedLines;
		offset += result.consumedBytes;
		line += result.consumedLines;
		const rest = buf.subarray(result.consumedBytes);
		pending = rest.length > 0 ? [Buffer.from(rest)] : [];
		pendingBytes = rest.length;
		if (pendingBytes > maxLine) skipLongLine();
	}
	return {state, consumedBytes, consumedLines, tailBytes: pendingBytes};
}
