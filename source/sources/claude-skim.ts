/**
 * Fast paths for Claude Code transcript lines, on raw bytes.
 *
 * `claudeLineType` reads the top-level `"type"` when it comes before `"message"`, so a bulky user
 * line (tool results) is classified without being scanned.
 *
 * `skimAssistant` builds the row `readAssistant` needs from an assistant line without parsing its
 * `message.content` (thinking, text, tool inputs: nearly all of the bytes): the keys before
 * `content` are walked forwards from the line start, those after it backwards from the line end,
 * and only the values read are decoded (by `JSON.parse` unless a plain string). It declines
 * (returns null) whenever the layout is not the one it knows, a key repeats, a used value does not
 * decode, or the content span holds a `"usage"` or `"message"` key (a line glued to a truncated
 * one, or a key order it misread); the caller then parses the whole line. The content is parsed
 * only when something is read from it (a `tool_use` block, the text of a `<synthetic>` message).
 */
import type {Json} from './json-fields.js';
import {
	AnchoredNeedle,
	bytesEqual,
	COLON,
	COMMA,
	decodeValue,
	LBRACE,
	LBRACKET,
	QUOTE,
	RBRACE,
	RBRACKET,
	skipStringBack,
	skipValue,
	skipValueBack,
	skipWs,
	skipWsBack,
} from './json-skim.js';

const ascii = (s: string) => Buffer.from(s, 'latin1');

// Top-level keys read by the Claude source; their value spans are kept per line.
const TOP_KEYS = ['type', 'timestamp', 'sessionId', 'cwd', 'isSidechain', 'agentId', 'requestId', 'uuid', 'costUSD', 'isApiErrorMessage'] as const;
const TOP = TOP_KEYS.map(ascii);
const T_TYPE = 0;
const T_TIMESTAMP = 1;
const T_SESSION = 2;
const T_CWD = 3;
const T_SIDECHAIN = 4;
const T_AGENT = 5;
const T_REQUEST = 6;
const T_UUID = 7;
const T_COST = 8;
const T_API_ERROR = 9;
const MESSAGE = ascii('message');
// message.* keys read.
const MSG_KEYS = ['id', 'model', 'usage'] as const;
const MSG = MSG_KEYS.map(ascii);
const M_ID = 0;
const M_MODEL = 1;
const M_USAGE = 2;
const CONTENT = ascii('content');

const MESSAGE_KEY = ascii('"message"');
const TOOL_USE = new AnchoredNeedle('"tool_use"', 5, 5); // anchored on `_use"`
const SYNTHETIC = '<synthetic>';

/** Values of a small object are skipped backwards up to this many bytes; longer ones decline. */
const BACK_BUDGET = 16 * 1024;

export const LINE_ASSISTANT = 0;
export const LINE_USER = 1;
export const LINE_OTHER = 2;
/** `"type"` not found before `"message"` (or the line does not look like an object). */
export const LINE_UNKNOWN = 3;
/** A `progress` line: Claude Code 2.1.x embeds sub-agents' messages in them (`agent_progress`). */
export const LINE_PROGRESS = 4;
export type ClaudeLineType = typeof LINE_ASSISTANT | typeof LINE_USER | typeof LINE_OTHER | typeof LINE_UNKNOWN | typeof LINE_PROGRESS;

const ASSISTANT = ascii('assistant');
const QUOTED_ASSISTANT = ascii('"assistant"');
const USER = ascii('user');
const PROGRESS = ascii('progress');

// Value spans, reused across lines (the parser is synchronous): [start, end) per key, -1 = absent.
const topSpans = new Int32Array(TOP.length * 2);
const msgSpans = new Int32Array(MSG.length * 2);

function keyIndex(table: Buffer[], b: Buffer, start: number, end: number): number {
	const n = end - start;
	const first = b[start];
	for (let k = 0; k < table.length; k++) {
		const t = table[k]!;
		if (t.length === n && t[0] === first && bytesEqual(b, start, end, t)) return k;
	}
	return -1;
}

/** A key at `i` (an opening quote) with no escapes: the index just past it, or -1. */
function keyEnd(b: Buffer, i: number, end: number): number {
	if (b[i] !== QUOTE) return -1;
	for (let k = i + 1; k < end; k++) {
		const c = b[k];
		if (c === QUOTE) return k + 1;
		if (c === 0x5c) return -1; // an escaped key: the full parse decides
	}
	return -1;
}

/**
 * Walks the object's pairs forwards from `i` (just past its `{`), recording the spans of `table`'s
 * keys, until the key `stop`: returns the index of `stop`'s value, or -1 (the object ended first,
 * or the layout is not understood).
 */
function forwardUntil(b: Buffer, i: number, end: number, table: Buffer[], spans: Int32Array, stop: Buffer, typeDecides = false): number {
	for (;;) {
		i = skipWs(b, i, end);
		const kEnd = keyEnd(b, i, end);
		if (kEnd === -1) return -1;
		const isStop = bytesEqual(b, i + 1, kEnd - 1, stop);
		const k = isStop ? -1 : keyIndex(table, b, i + 1, kEnd - 1);
		i = skipWs(b, kEnd, end);
		if (b[i] !== COLON) return -1;
		i = skipWs(b, i + 1, end);
		if (isStop) return i;
		const vEnd = skipValue(b, i, end);
		if (vEnd === -1) return -1;
		if (k !== -1) {
			if (spans[2 * k] !== -1) return -1; // a repeated key: JSON.parse keeps the last one
			spans[2 * k] = i;
			spans[2 * k + 1] = vEnd;
			// A user or other line needs nothing more from this walk.
			if (typeDecides && k === T_TYPE && !bytesEqual(b, i, vEnd, QUOTED_ASSISTANT)) return -1;
		}
		i = skipWs(b, vEnd, end);
		if (b[i] !== COMMA) return -1;
		i++;
	}
}

/** Where the top-level `"message"` value starts, from the last `claudeLineType` call (-1: not found). */
let messageAt = -1;

/**
 * The line's top-level type, when `"type"` precedes `"message"`. Also walks (and remembers) the
 * top-level keys before `"message"` for `skimAssistant` on the same line.
 */
export function claudeLineType(b: Buffer, start: number, end: number): ClaudeLineType {
	topSpans.fill(-1);
	messageAt = -1;
	const i = skipWs(b, start, end);
	if (b[i] !== LBRACE) return LINE_UNKNOWN;
	messageAt = forwardUntil(b, i + 1, end, TOP, topSpans, MESSAGE, true);
	const ts = topSpans[2 * T_TYPE]!;
	if (ts === -1) return LINE_UNKNOWN;
	const te = topSpans[2 * T_TYPE + 1]!;
	if (b[ts] !== QUOTE) return LINE_OTHER; // not a string: neither assistant nor user
	if (bytesEqual(b, ts + 1, te - 1, ASSISTANT)) return LINE_ASSISTANT;
	if (bytesEqual(b, ts + 1, te - 1, USER)) return LINE_USER;
	if (bytesEqual(b, ts + 1, te - 1, PROGRESS)) return LINE_PROGRESS;
	// Any escape in the value, and the bytes do not tell: let the full parse decide.
	for (let k = ts + 1; k < te - 1; k++) if (b[k] === 0x5c) return LINE_UNKNOWN;
	return LINE_OTHER;
}

/**
 * Walks pairs backwards from `j` (the last byte of the last value) down to `lo`, recording the
 * spans of `table`'s keys, until a value ends with `until` (`}` or `]`): returns that byte's
 * index, or -1 when the layout is not understood.
 */
function backwardUntil(b: Buffer, j: number, lo: number, table: Buffer[], spans: Int32Array, until: number): number {
	for (;;) {
		j = skipWsBack(b, j, lo);
		if (j < lo) return -1;
		if (b[j] === until) return j;
		const vStart = skipValueBack(b, j, lo, BACK_BUDGET);
		if (vStart < 0) return -1;
		let k = skipWsBack(b, vStart - 1, lo);
		if (b[k] !== COLON) return -1;
		k = skipWsBack(b, k - 1, lo);
		if (b[k] !== QUOTE) return -1;
		const kStart = skipStringBack(b, k, lo);
		if (kStart === -1) return -1;
		for (let x = kStart + 1; x < k; x++) if (b[x] === 0x5c) return -1;
		const id = keyIndex(table, b, kStart + 1, k);
		if (id !== -1) {
			if (spans[2 * id] !== -1) return -1;
			spans[2 * id] = vStart;
			spans[2 * id + 1] = j + 1;
		}
		k = skipWsBack(b, kStart - 1, lo);
		if (b[k] !== COMMA) return -1;
		j = k - 1;
	}
}

/**
 * The row of an assistant line (`type`, the top-level keys read, and `message` with `id`, `model`,
 * `usage`, `content`), equal to what `JSON.parse` of the line gives for those keys; null to decline.
 * `claudeLineType` must have run on the same line just before (it walked the leading top level).
 */
export function skimAssistant(b: Buffer, start: number, end: number): Json | null {
	// Forwards: the top level up to "message" (walked by claudeLineType), then message's keys
	// up to "content".
	const m = messageAt;
	if (m === -1 || b[m] !== LBRACE) return null;
	msgSpans.fill(-1);
	const contentStart = forwardUntil(b, m + 1, end, MSG, msgSpans, CONTENT);
	if (contentStart === -1 || b[contentStart] !== LBRACKET) return null;
	// Backwards: the top level after "message", then message's keys after "content".
	const i = skipWsBack(b, end - 1, start);
	if (b[i] !== RBRACE) return null;
	const messageEnd = backwardUntil(b, i - 1, contentStart, TOP, topSpans, RBRACE);
	if (messageEnd === -1) return null;
	const contentEnd = backwardUntil(b, messageEnd - 1, contentStart, MSG, msgSpans, RBRACKET);
	if (contentEnd === -1) return null;
	// The span between must be one array. A "message" key inside means a line glued to a truncated
	// one: the full parse decides (and reports it). A misread key order (an array-valued key after
	// content) can only hide keys before it, never the last copy of a key JSON.parse would keep.
	const content = b.subarray(contentStart, contentEnd + 1);
	if (content.indexOf(MESSAGE_KEY) !== -1) return null;
	// A needed key missing might sit between the real content and a later array value: decline.
	if (msgSpans[2 * M_USAGE] === -1 || msgSpans[2 * M_ID] === -1 || msgSpans[2 * M_MODEL] === -1) return null;

	failed = false;
	const model = msgValue(b, M_MODEL);
	const id = msgValue(b, M_ID);
	const requestId = topValue(b, T_REQUEST);
	const message: Json = {id, model, usage: decodeAt(b, msgSpans, M_USAGE)};
	const row: Json = {
		type: topValue(b, T_TYPE),
		timestamp: decodeAt(b, topSpans, T_TIMESTAMP),
		sessionId: topValue(b, T_SESSION),
		cwd: topValue(b, T_CWD),
		isSidechain: topValue(b, T_SIDECHAIN),
		agentId: topValue(b, T_AGENT),
		requestId,
		// Read only as the key of a message without an id, or to tell copies of a request without a requestId.
		uuid: typeof id === 'string' && id !== '' && typeof requestId === 'string' && requestId !== '' ? undefined : decodeAt(b, topSpans, T_UUID),
		costUSD: decodeAt(b, topSpans, T_COST),
		isApiErrorMessage: topValue(b, T_API_ERROR),
		message,
	};
	if (failed) return null;
	// The content is read only for tool_use blocks and a <synthetic> message's text.
	if (message.model === SYNTHETIC || TOOL_USE.in(b, contentStart, contentEnd + 1)) {
		const v = decodeValue(b, contentStart, contentEnd + 1);
		if (v === undefined) return null;
		message.content = v;
	} else message.content = [];
	return row;
}

/** Set when a value read for the current line does not decode: the skim declines. */
let failed = false;

function decodeAt(b: Buffer, spans: Int32Array, k: number): unknown {
	const s = spans[2 * k]!;
	if (s === -1) return undefined;
	const v = decodeValue(b, s, spans[2 * k + 1]!);
	if (v === undefined) failed = true;
	return v;
}

/**
 * Values that repeat line after line (session, cwd, model, a streamed response's ids): decoded once
 * and shared while the bytes stay the same, which also shares the strings between records.
 */
class Recent {
	private bytes: Buffer | null = null;
	private value: unknown = undefined;

	get(b: Buffer, s: number, e: number): unknown {
		const prev = this.bytes;
		if (prev !== null && bytesEqual(b, s, e, prev)) return this.value;
		const v = decodeValue(b, s, e);
		if (v === undefined) {
			failed = true;
			return v;
		}
		this.bytes = Buffer.from(b.subarray(s, e));
		this.value = v;
		return v;
	}
}

const topRecent = TOP.map(() => new Recent());
const msgRecent = MSG.map(() => new Recent());

function topValue(b: Buffer, k: number): unknown {
	const s = topSpans[2 * k]!;
	return s === -1 ? undefined : topRecent[k]!.get(b, s, topSpans[2 * k + 1]!);
}

function msgValue(b: Buffer, k: number): unknown {
	const s = msgSpans[2 * k]!;
	return s === -1 ? undefined : msgRecent[k]!.get(b, s, msgSpans[2 * k + 1]!);
}
