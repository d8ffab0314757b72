/**
 * Hot-path line splitting on raw bytes: find LFs with `indexOf(0x0a)`, never decode the chunk
 * into one string. Only complete (LF-terminated) lines are visited. Files are read into chunks by
 * ingest/line-reader.ts; sources only ever see the bytes they are handed.
 */
import {sanitize} from '../core/sanitize.js';

export const LF = 0x0a;
export const CR = 0x0d;

/**
 * The one line cursor: every line source walks its chunk with it (hot path: no callback, no
 * allocation per line). `next()` moves to the next complete line and returns false when only an
 * unfinished line (or nothing) is left; `consumedBytes` / `consumedLines` are then what a
 * resumable source reports.
 *
 *     for (const c = new LineCursor(chunk, at); c.next(); ) parse(chunk, c.start, c.end, c.line);
 */
export class LineCursor {
	/** Start of the current line's content (after a UTF-8 BOM at the very start of a file). */
	start = 0;
	/** End of the content (exclusive), without the LF or a trailing CR. */
	end = 0;
	/** 1-based line number of the current line in its file. */
	line = 0;
	/** Bytes of complete lines passed so far: where the next line starts. */
	consumedBytes = 0;
	consumedLines = 0;
	private readonly offset: number;
	private readonly firstLine: number;

	/**
	 * `at`: where the chunk sits in its file (default: the file's start). `skipBom` (default true):
	 * a BOM on a file's first line is not part of the line.
	 */
	constructor(
		readonly chunk: Buffer,
		at: {offset: number; line: number} = {offset: 0, line: 1},
		private readonly skipBom = true,
	) {
		this.offset = at.offset;
		this.firstLine = at.line;
	}

	next(): boolean {
		const chunk = this.chunk;
		const from = this.consumedBytes;
		const lf = chunk.indexOf(LF, from);
		if (lf === -1) return false;
		this.end = lf > from && chunk[lf - 1] === CR ? lf - 1 : lf;
		this.start = this.skipBom && this.offset + from === 0 && hasBom(chunk, from) ? from + 3 : from;
		this.line = this.firstLine + this.consumedLines++;
		this.consumedBytes = lf + 1;
		return true;
	}
}

/**
 * The cursor with a callback, for the cold paths (validation, bosun, the output reader): calls
 * `visit(start, end, index)` for every complete line (`index` 0-based; no BOM skipping) and
 * returns how many bytes and lines were consumed (a trailing partial line waits for the next chunk).
 */
export function forEachCompleteLine(
	chunk: Buffer,
	visit: (start: number, end: number, index: number) => void,
): {consumedBytes: number; consumedLines: number} {
	const c = new LineCursor(chunk, undefined, false);
	while (c.next()) visit(c.start, c.end, c.consumedLines - 1);
	return {consumedBytes: c.consumedBytes, consumedLines: c.consumedLines};
}

/** True when the line is only spaces/tabs. */
export function isBlank(chunk: Buffer, start: number, end: number): boolean {
	for (let i = start; i < end; i++) {
		const c = chunk[i];
		if (c !== 0x20 && c !== 0x09) return false;
	}
	return true;
}

/** A UTF-8 BOM at `start`? */
export function hasBom(chunk: Buffer, start: number): boolean {
	return chunk[start] === 0xef && chunk[start + 1] === 0xbb && chunk[start + 2] === 0xbf;
}

/** Raw-byte pre-filter: does the line contain `needle` at all? Cheap compared to JSON.parse. */
export function lineContains(chunk: Buffer, start: number, end: number, needle: Buffer): boolean {
	return chunk.subarray(start, end).indexOf(needle) !== -1;
}

/** Parse a line as JSON without throwing. */
export function parseJsonLine(chunk: Buffer, start: number, end: number): {ok: true; value: unknown} | {ok: false; error: string} {
	try {
		return {ok: true, value: JSON.parse(chunk.toString('utf8', start, end))};
	} catch (error) {
		return {ok: false, error: shortReason((error as Error).message)};
	}
}

/**
 * A parser's message quotes the bytes it choked on (`Unexpected token 'r', "root:x:0:0"... is not
 * valid JSON`): keep a problem's reason short and sanitized, so a file's bytes never reach the
 * terminal or the JSON document raw.
 */
export function shortReason(message: string, max = 80): string {
	const clean = sanitize(message);
	return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
