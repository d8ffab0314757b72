/**
 * Which Codex rollout lines are worth a `JSON.parse`, decided from the envelope at the start of
 * the line: `{"timestamp":"…","type":"event_msg","payload":{"type":"token_count",…`. Bulky
 * lines (`function_call_output`, messages, reasoning) are then skipped without scanning them.
 * When the first bytes do not decide (another key order, escapes, a long leading value), the
 * caller falls back to searching the whole line for needles.
 */
import {bytesEqual, COLON, COMMA, LBRACE, QUOTE, skipString, skipValue, skipWs} from './json-skim.js';

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

/** A plain (escape-free) string value at `i`: its content span, or null. */
function plainString(b: Buffer, i: number, end: number): [number, number] | null {
	if (b[i] !== QUOTE) return null;
	const close = skipString(b, i, end);
	if (close === -1) return null;
	for (let k = i + 1; k < close - 1; k++) if (b[k] === 0x5c) return null;
	return [i + 1, close - 1];
}

/** The verdict for the line `[start, end)`. */
export function codexEnvelope(b: Buffer, start: number, end: number): EnvelopeVerdict {
	const limit = Math.min(end, start + ENVELOPE_WINDOW);
	let i = skipWs(b, start, limit);
	if (b[i] !== LBRACE) return ENVELOPE_UNSURE;
	i++;
	let typeStart = -1;
	let typeEnd = -1;
	for (;;) {
		i = skipWs(b, i, limit);
		const key = plainString(b, i, limit);
		if (!key) return ENVELOPE_UNSURE;
		i = skipWs(b, key[1] + 1, limit);
		if (b[i] !== COLON) return ENVELOPE_UNSURE;
		i = skipWs(b, i + 1, limit);
		if (bytesEqual(b, key[0], key[1], TYPE)) {
			if (typeStart !== -1) return ENVELOPE_UNSURE;
			const value = plainString(b, i, limit);
			if (!value) return ENVELOPE_UNSURE;
			[typeStart, typeEnd] = value;
			if (bytesEqual(b, typeStart, typeEnd, SESSION_META) || bytesEqual(b, typeStart, typeEnd, TURN_CONTEXT) || bytesEqual(b, typeStart, typeEnd, TOKEN_USAGE_RECORD)) {
				return ENVELOPE_PARSE;
			}
			if (!bytesEqual(b, typeStart, typeEnd, EVENT_MSG) && !bytesEqual(b, typeStart, typeEnd, RESPONSE_ITEM)) return ENVELOPE_SKIP;
			i = value[1] + 1;
		} else if (bytesEqual(b, key[0], key[1], PAYLOAD)) {
			// The payload's type must come first in it, after the envelope's type.
			if (typeStart === -1 || b[i] !== LBRACE) return ENVELOPE_UNSURE;
			i = skipWs(b, i + 1, limit);
			const inner = plainString(b, i, limit);
			if (!inner || !bytesEqual(b, inner[0], inner[1], TYPE)) return ENVELOPE_UNSURE;
			i = skipWs(b, inner[1] + 1, limit);
			if (b[i] !== COLON) return ENVELOPE_UNSURE;
			i = skipWs(b, i + 1, limit);
			const p = plainString(b, i, limit);
			if (!p) return ENVELOPE_UNSURE;
			if (bytesEqual(b, typeStart, typeEnd, EVENT_MSG)) {
				const wanted = bytesEqual(b, p[0], p[1], TOKEN_COUNT) || bytesEqual(b, p[0], p[1], THREAD_SETTINGS_APPLIED) || bytesEqual(b, p[0], p[1], EXEC_COMMAND_END);
				return wanted ? ENVELOPE_PARSE : ENVELOPE_SKIP;
			}
			return bytesEqual(b, p[0], p[1], FUNCTION_CALL) ? ENVELOPE_PARSE : ENVELOPE_SKIP;
		} else {
			i = skipValue(b, i, limit);
			if (i === -1) return ENVELOPE_UNSURE;
		}
		i = skipWs(b, i, limit);
		if (b[i] !== COMMA) return ENVELOPE_UNSURE;
		i++;
	}
}
