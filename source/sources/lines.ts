/**
 * Hot-path line splitting on raw bytes: find LFs with `indexOf(0x0a)`, never decode the chunk
 * into one string. Only complete (LF-terminated) lines are visited.
 */
import {sanitize} from '../core/sanitize.js';

export const LF = 0x0a;
export const CR = 0x0d;

export interface LineVisit {
	/** Start of the line in the chunk. */
	start: number;
	/** End of the line content (exclusive), without the LF or a trailing CR. */
	end: number;
	/** 0-based index of the line within the chunk. */
	index: number;
}

/**
 * Calls `visit(start, end, index)` for every complete line; returns how many bytes and lines
 * were consumed (the trailing partial line, if any, is left for the next chunk).
 */
export function forEachCompleteLine(
	chunk: Buffer,
	visit: (start: number, end: number, index: number) => void,
): {consumedBytes: number; consumedLines: number} {
	let start = 0;
	let index = 0;
	for (;;) {
		const lf = chunk.indexOf(LF, start);
		if (lf === -1) break;
		let end = lf;
		if (end > start && chunk[end - 1] === CR) end--;
		visit(start, end, index);
		index++;
		start = lf + 1;
	}
	return {consumedBytes: start, consumedLines: index};
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
