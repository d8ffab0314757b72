/**
 * Typed reads from untrusted parsed JSON. A missing key or a wrong type is unknown (`null`);
 * an explicit 0 stays 0 (coverage comes from what the line carried).
 */
export type Json = Record<string, unknown>;

export function obj(v: unknown): Json | null {
	return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null;
}

/** A non-negative finite count, or null. */
export function count(v: unknown): number | null {
	return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}

export function str(v: unknown): string | null {
	return typeof v === 'string' && v !== '' ? v : null;
}

/** ISO timestamp → epoch ms, or null. */
export function isoMs(v: unknown): number | null {
	if (typeof v !== 'string') return null;
	const ms = Date.parse(v);
	return Number.isFinite(ms) ? ms : null;
}

/** Short, single-line detail for activity events (≤ 200 chars). */
export function shortDetail(v: unknown, max = 200): string {
	let s: string;
	if (typeof v === 'string') s = v;
	else {
		try {
			s = JSON.stringify(v) ?? '';
		} catch {
			s = '';
		}
	}
	s = s.replace(/\s+/g, ' ').trim();
	return s.length > max ? s.slice(0, max - 1) + '…' : s;
}
