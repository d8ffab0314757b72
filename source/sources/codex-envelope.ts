/**
 * Which Codex rollout lines are worth a `JSON.parse`, decided from the envelope at the start of
 * the line: `{"timestamp":"…","type":"event_msg","payload":{"type":"token_count",…`. Bulky
 * lines (`function_call_output`, messages, reasoning) are then skipped without scanning them.
 * When the first bytes do not decide (another key order, escapes, a long leading value), the
 * caller falls back to searching the whole line for needles.
 */
import {BACKSLASH, bytesEqual, COLON, COMMA, decodeValue, LBRACE, QUOTE, skipString, skipValue, skipWs} from './json-skim.js';

export const ENVELOPE_SKIP = 0;
export const ENVELOPE_PARSE = 1;
export const ENVELOPE_UNSURE = 2;
export type EnvelopeVerdict = typeof ENVELOPE_SKIP | typeof ENVELOPE_PARSE | typeof ENVELOPE_UNSURE;

const ascii = (s: string) => Buffer.from(s, 'latin1');
const TYPE = ascii('type');
const PAYLOAD = ascii('payload');
const SESSION_META = ascii('session_meta');
const TURN_CONTEXT = ascii('turn_context');
const TOKEN_USAGE_RECORD = ascii('token_usage_record');
const EVENT_MSG = ascii('event_msg');
const RESPONSE_ITEM = ascii('response_item');
const TOKEN_COUNT = ascii('token_count');
const THREAD_SETTINGS_APPLIED = ascii('thread_settings_applied');
const EXEC_COMMAND_END = ascii('exec_command_end');
const FUNCTION_CALL = ascii('function_call');

/** How far into a line the envelope must be found (past it, the whole-line search decides). */
const ENVELOPE_WINDOW = 512;

/** Is a line of this envelope read at all? The same rule the parser applies after `JSON.parse`. */
export function codexLineMatters(type: unknown, payloadType: unknown): boolean {
	switch (type) {
		case 'session_meta':
		case 'turn_context':
		case 'token_usage_record':
			return true;
		case 'event_msg':
			return payloadType === 'token_count' || payloadType === 'thread_settings_applied' || payloadType === 'exec_command_end';
		case 'response_item':
			return payloadType === 'function_call';
		default:
			return false;
	}
}

// Names that decide a line, as codes (no string is built for the common, escape-free case).
const NAMES = [SESSION_META, TURN_CONTEXT, TOKEN_USAGE_RECORD, EVENT_MSG, RESPONSE_ITEM, TOKEN_COUNT, THREAD_SETTINGS_APPLIED, EXEC_COMMAND_END, FUNCTION_CALL];
const NAME_STRINGS = NAMES.map((n) => n.toString('latin1'));
const N_EVENT_MSG = 3;
const N_RESPONSE_ITEM = 4;
const N_FUNCTION_CALL = 8;
const N_OTHER = -1;
const N_FAIL = -2;

/** An escape-free key at `i`: the index of its closing quote, or -1. */
function plainKey(b: Buffer, i: number, end: number): number {
	if (b[i] !== QUOTE) return -1;
	const close = skipString(b, i, end);
	if (close === -1) return -1;
	for (let k = i + 1; k < close - 1; k++) if (b[k] === BACKSLASH) return -1;
	return close - 1;
}

/** The string value at `i` as a name code; `next` is set past it. */
let next = 0;
function nameAt(b: Buffer, i: number, end: number): number {
	if (b[i] !== QUOTE) return N_FAIL;
	const close = skipString(b, i, end);
	if (close === -1) return N_FAIL;
	next = close;
	let escaped = false;
	for (let k = i + 1; k < close - 1; k++) {
		if (b[k] === BACKSLASH) {
			escaped = true;
			break;
		}
	}
	if (escaped) {
		// Rare: decode it the way JSON.parse would.
		const v = decodeValue(b, i, close);
		if (typeof v !== 'string') return N_FAIL;
		const k = NAME_STRINGS.indexOf(v);
		return k === -1 ? N_OTHER : k;
	}
	for (let k = 0; k < NAMES.length; k++) if (bytesEqual(b, i + 1, close - 1, NAMES[k]!)) return k;
	return N_OTHER;
}

/** The verdict for the line `[start, end)`. */
export function codexEnvelope(b: Buffer, start: number, end: number): EnvelopeVerdict {
	const limit = Math.min(end, start + ENVELOPE_WINDOW);
	let i = skipWs(b, start, limit);
	if (b[i] !== LBRACE) return ENVELOPE_UNSURE;
	i++;
	let type = N_FAIL;
	for (;;) {
		i = skipWs(b, i, limit);
		const keyEnd = plainKey(b, i, limit);
		if (keyEnd === -1) return ENVELOPE_UNSURE;
		const keyStart = i + 1;
		i = skipWs(b, keyEnd + 1, limit);
		if (b[i] !== COLON) return ENVELOPE_UNSURE;
		i = skipWs(b, i + 1, limit);
		if (bytesEqual(b, keyStart, keyEnd, TYPE)) {
			if (type !== N_FAIL) return ENVELOPE_UNSURE;
			type = nameAt(b, i, limit);
			if (type === N_FAIL) return ENVELOPE_UNSURE;
			if (type !== N_EVENT_MSG && type !== N_RESPONSE_ITEM) return type >= 0 && type <= 2 ? ENVELOPE_PARSE : ENVELOPE_SKIP;
			i = next;
		} else if (bytesEqual(b, keyStart, keyEnd, PAYLOAD)) {
			// The payload's type must come first in it, after the envelope's type.
			if (type === N_FAIL || b[i] !== LBRACE) return ENVELOPE_UNSURE;
			i = skipWs(b, i + 1, limit);
			const innerEnd = plainKey(b, i, limit);
			if (innerEnd === -1 || !bytesEqual(b, i + 1, innerEnd, TYPE)) return ENVELOPE_UNSURE;
			i = skipWs(b, innerEnd + 1, limit);
			if (b[i] !== COLON) return ENVELOPE_UNSURE;
			const p = nameAt(b, skipWs(b, i + 1, limit), limit);
			if (p === N_FAIL) return ENVELOPE_UNSURE;
			if (type === N_EVENT_MSG) return p >= 5 && p <= 7 ? ENVELOPE_PARSE : ENVELOPE_SKIP;
			return p === N_FUNCTION_CALL ? ENVELOPE_PARSE : ENVELOPE_SKIP;
		} else {
			i = skipValue(b, i, limit);
			if (i === -1) return ENVELOPE_UNSURE;
		}
		i = skipWs(b, i, limit);
		if (b[i] !== COMMA) return ENVELOPE_UNSURE;
		i++;
	}
}
