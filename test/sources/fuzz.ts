/**
 * Seeded generators for the fast-path differential tests: JSON written with chosen key orders,
 * optional spacing, and strings built to trip byte-level scanning (escaped quotes, trailing
 * backslashes, keys spelled inside strings, multi-byte and escaped unicode).
 */
import fs from 'node:fs';
import path from 'node:path';
import {mulberry32} from '../../source/core/prng.js';

export type Rand = () => number;

export const rng: (seed: number) => Rand = mulberry32;

export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
export const chance = (r: Rand, p: number) => r() < p;
export const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

/** Strings that a careless scanner misreads. */
export const TRICKY = [
	'plain text',
	'say "hi"',
	'ends with a backslash \\',
	'\\"',
	'\\\\"',
	'"usage":{"input_tokens":1,"output_tokens":2}',
	'},"usage":{"input_tokens":7,"output_tokens":99}},"type":"assistant"}',
	'"message":{"id":"msg_fake","usage":{}}',
	'{"type":"assistant","message":{"usage":',
	'"type":"event_msg","payload":{"type":"token_count"',
	'"type":"function_call"',
	'"is_error":true',
	'unicode 😀 日本語 ünïcødé €',
	'lone \ud800 surrogate',
	'controls \u0001\u001f\n\r\t',
	'line\u2028separator',
	'[{"type":"tool_use","name":"Fake"}]',
	'',
];

export function tricky(r: Rand): string {
	let s = '';
	const n = int(r, 1, 3);
	for (let k = 0; k < n; k++) s += pick(r, TRICKY);
	return s;
}

/** A random permutation (Fisher–Yates). */
export function shuffle<T>(r: Rand, xs: T[]): T[] {
	const a = [...xs];
	for (let i = a.length - 1; i > 0; i--) {
		const j = Math.floor(r() * (i + 1));
		[a[i], a[j]] = [a[j]!, a[i]!];
	}
	return a;
}

/** An object with its keys in the given order (JSON.stringify keeps insertion order). */
export function ordered(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const k of keys) if (k in o) out[k] = o[k];
	for (const k of Object.keys(o)) if (!(k in out)) out[k] = o[k];
	return out;
}

/** JSON with a space around every structural token (still one line). */
export function spaced(v: unknown): string {
	if (Array.isArray(v)) return `[ ${v.map(spaced).join(' , ')} ]`;
	if (v !== null && typeof v === 'object') {
		return `{ ${Object.entries(v as object)
			.filter(([, x]) => x !== undefined)
			.map(([k, x]) => `${JSON.stringify(k)} : ${spaced(x)}`)
			.join(' , ')} }`;
	}
	return JSON.stringify(v);
}

export function serialize(r: Rand, v: unknown): string {
	return chance(r, 0.1) ? spaced(v) : JSON.stringify(v);
}

/** Damaged lines: a prefix alone, or a prefix glued to a whole line (a crash, then an append). */
export function damaged(r: Rand, a: string, b: string): string {
	const cut = int(r, 1, Math.max(1, a.length - 1));
	return chance(r, 0.5) ? a.slice(0, cut) : a.slice(0, cut) + b;
}

/** Every `.jsonl` file under a directory. */
export function jsonlFiles(dir: string): string[] {
	const out: string[] = [];
	for (const e of fs.readdirSync(dir, {withFileTypes: true})) {
		const p = path.join(dir, e.name);
		if (e.isDirectory()) out.push(...jsonlFiles(p));
		else if (e.name.endsWith('.jsonl')) out.push(p);
	}
	return out;
}
