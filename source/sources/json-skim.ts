/**
 * Walking JSON structure on raw bytes without decoding or building values: skip a string by
 * jumping from quote to quote, skip a nested value by counting brackets, forwards or backwards.
 * The fast paths use these to find the few fields a line's record needs (and where its bulky
 * text is, to leave it alone). They check structure, not content: a value that is used is
 * always decoded by `JSON.parse` (or checked byte by byte), never trusted from the skim alone.
 */
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COLON = 0x3a;
export const COMMA = 0x2c;
export const LBRACE = 0x7b;
export const RBRACE = 0x7d;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;

// The typed-array built-ins: the same memchr-like search as Buffer#indexOf without its argument
// juggling, which dominates when a string holds many escaped quotes (one call per quote).
const u8IndexOf = Uint8Array.prototype.indexOf;
const u8LastIndexOf = Uint8Array.prototype.lastIndexOf;

export function isWs(c: number): boolean {
	return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

export function skipWs(b: Uint8Array, i: number, end: number): number {
	while (i < end && isWs(b[i]!)) i++;
	return i;
}

export function skipWsBack(b: Uint8Array, j: number, lo: number): number {
	while (j >= lo && isWs(b[j]!)) j--;
	return j;
}

/** `i` at an opening quote: the index just past its closing quote, or -1 if none before `end`. */
export function skipString(b: Uint8Array, i: number, end: number): number {
	// Keys and ids are short: a plain loop beats a built-in call for them.
	const near = Math.min(end, i + 48);
	for (let k = i + 1; k < near; k++) {
		const c = b[k];
		if (c === QUOTE) return k + 1;
		if (c === BACKSLASH) {
			k++;
			if (k >= near) return skipLongString(b, i, end);
		}
	}
	return skipLongString(b, i, end);
}

function skipLongString(b: Uint8Array, i: number, end: number): number {
	let q = i;
	for (;;) {
		q = u8IndexOf.call(b, QUOTE, q + 1);
		if (q === -1 || q >= end) return -1;
		if (b[q - 1] !== BACKSLASH) return q + 1;
		// Escaped only by an odd run of backslashes (`\\"` ends the string). The run cannot pass
		// the opening quote at `i`.
		let k = q - 2;
		while (b[k] === BACKSLASH) k--;
		if (((q - 1 - k) & 1) === 0) return q + 1;
	}
}

/**
 * `j` at a closing quote: the index of its opening quote, or -1 if none at or after `lo`.
 * Inside a string every quote is escaped (odd backslash run); the opening one never is.
 */
export function skipStringBack(b: Uint8Array, j: number, lo: number): number {
	let q = j;
	for (;;) {
		if (q - 1 < lo) return -1;
		q = u8LastIndexOf.call(b, QUOTE, q - 1);
		if (q < lo) return -1;
		let k = q - 1;
		while (k >= lo && b[k] === BACKSLASH) k--;
		if (((q - 1 - k) & 1) === 0) return q;
	}
}

/** Bytes a number or a literal (`true`, `false`, `null`) can be made of. */
function isScalarByte(c: number): boolean {
	return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x45;
}

/** `i` at the first byte of a value: the index just past it, or -1 when it is not complete before `end`. */
export function skipValue(b: Uint8Array, i: number, end: number): number {
	const c = b[i];
	if (c === QUOTE) return skipString(b, i, end);
	if (c === LBRACE || c === LBRACKET) {
		let depth = 0;
		for (let k = i; k < end; k++) {
			const x = b[k];
			if (x === QUOTE) {
				k = skipString(b, k, end);
				if (k === -1) return -1;
				k--;
			} else if (x === LBRACE || x === LBRACKET) depth++;
			else if (x === RBRACE || x === RBRACKET) {
				if (--depth === 0) return k + 1;
			}
		}
		return -1;
	}
	let k = i;
	while (k < end && isScalarByte(b[k]!)) k++;
	return k > i ? k : -1;
}

/** Returned by `skipValueBack` when the value is longer than the budget. */
export const TOO_LONG = -2;

/**
 * `j` at the last byte of a value: the index of its first byte; -1 when it does not start at or
 * after `lo`, TOO_LONG when a nested value runs on for more than `budget` bytes.
 */
export function skipValueBack(b: Uint8Array, j: number, lo: number, budget: number): number {
	const c = b[j];
	if (c === QUOTE) return skipStringBack(b, j, lo);
	if (c === RBRACE || c === RBRACKET) {
		const stop = Math.max(lo, j - budget);
		let depth = 0;
		for (let k = j; k >= stop; k--) {
			const x = b[k];
			if (x === QUOTE) {
				k = skipStringBack(b, k, stop);
				if (k === -1) break;
			} else if (x === RBRACE || x === RBRACKET) depth++;
			else if (x === LBRACE || x === LBRACKET) {
				if (--depth === 0) return k;
			}
		}
		return stop > lo ? TOO_LONG : -1;
	}
	let k = j;
	while (k >= lo && isScalarByte(b[k]!)) k--;
	return k < j ? k + 1 : -1;
}

/** Do the bytes `[start, end)` spell `word` (ASCII)? */
export function bytesEqual(b: Uint8Array, start: number, end: number, word: Uint8Array): boolean {
	if (end - start !== word.length) return false;
	for (let k = 0; k < word.length; k++) if (b[start + k] !== word[k]) return false;
	return true;
}

/** Is there a backslash or a control byte in `[start, end)`? (Then JSON.parse decides.) */
export function needsJsonDecode(b: Uint8Array, start: number, end: number): boolean {
	for (let k = start; k < end; k++) {
		const c = b[k]!;
		if (c === BACKSLASH || c < 0x20) return true;
	}
	return false;
}

/**
 * The JSON value at `[start, end)`, exactly as `JSON.parse` of the whole line would give it, or
 * `undefined` when it does not parse. A plain string is decoded without `JSON.parse`.
 */
export function decodeValue(buf: Buffer, start: number, end: number): unknown {
	if (buf[start] === QUOTE && end - start >= 2 && buf[end - 1] === QUOTE && !needsJsonDecode(buf, start + 1, end - 1)) {
		return buf.toString('utf8', start + 1, end - 1);
	}
	try {
		return JSON.parse(buf.toString('utf8', start, end));
	} catch {
		return undefined;
	}
}

/**
 * A needle search bounded to `[start, end)`, anchored on a rare byte: `Buffer#indexOf` runs a
 * memchr-speed scan for needles under 7 bytes whose first byte is rare (`_`), but a much slower
 * Boyer-Moore-Horspool for longer ones. So search the short `anchor` (found at `at` in `needle`)
 * and confirm the whole needle around each hit.
 */
export class AnchoredNeedle {
	private readonly needle: Buffer;
	private readonly anchor: Buffer;
	constructor(
		needle: string,
		private readonly at: number,
		anchorLength: number,
	) {
		this.needle = Buffer.from(needle, 'latin1');
		this.anchor = this.needle.subarray(at, at + anchorLength);
	}

	get length(): number {
		return this.needle.length;
	}

	/** Does `[start, end)` contain the needle? */
	in(b: Buffer, start: number, end: number): boolean {
		return this.find(b, start, end) !== -1;
	}

	/** Where the needle first starts in `[from, end)`, or -1. */
	find(b: Buffer, from: number, end: number): number {
		const span = b.subarray(from, end);
		const n = this.needle;
		let at = this.at;
		for (;;) {
			const hit = span.indexOf(this.anchor, at);
			if (hit === -1) return -1;
			const s = hit - this.at;
			if (s >= 0 && s + n.length <= span.length && bytesEqual(span, s, s + n.length, n)) return from + s;
			at = hit + 1;
		}
	}
}

/** Is there a `"key":true` (any whitespace around the colon) in `[start, end)`? */
export function hasTrueKey(b: Buffer, start: number, end: number, key: AnchoredNeedle): boolean {
	let from = start;
	for (;;) {
		const k = key.find(b, from, end);
		if (k === -1) return false;
		let i = skipWs(b, k + key.length, end);
		if (b[i] === COLON) {
			i = skipWs(b, i + 1, end);
			if (i + 4 <= end && b[i] === 0x74 && b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65) return true;
		}
		from = k + 1;
	}
}
