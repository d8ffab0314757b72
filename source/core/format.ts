/**
 * Number formatting with honesty built in: unknown renders `—`, a partial sum `123*`,
 * and an unpriced cost is never `$0`.
 */

export const UNKNOWN = '—';
export const PARTIAL_MARK = '*';

/** 1234 → `1,234`; 1234567 → `1.23M` (compact) */
export function formatCount(n: number, compact = true): string {
	if (!compact || Math.abs(n) < 10_000) return Math.round(n).toLocaleString('en-US');
	const units: Array<[number, string]> = [
		[1e12, 'T'],
		[1e9, 'B'],
		[1e6, 'M'],
		[1e3, 'k'],
	];
	for (const [size, unit] of units) {
		if (Math.abs(n) >= size) {
			const v = n / size;
			return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)}${unit}`;
		}
	}
	return String(n);
}

export function formatUsd(usd: number): string {
	if (usd !== 0 && Math.abs(usd) < 0.01) return `$${usd.toFixed(4)}`;
	if (Math.abs(usd) >= 10_000) return `$${Math.round(usd).toLocaleString('en-US')}`;
	return `$${usd.toFixed(2)}`;
}

/** ISO timestamp without milliseconds, or `—`. */
export function formatTime(ms: number | null): string {
	if (ms === null) return UNKNOWN;
	return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Truncate to `width` display cells with an ellipsis; nothing wraps. */
export function truncate(text: string, width: number): string {
	if (width <= 0) return '';
	const chars = Array.from(text);
	if (chars.length <= width) return text;
	if (width === 1) return '…';
	return chars.slice(0, width - 1).join('') + '…';
}

/** Words to lines of at most `width` characters; a word longer than a line is broken. Nothing is cut. */
export function wrapText(text: string, width: number): string[] {
	const w = Math.max(1, width);
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(/\s+/).filter((x) => x !== '')) {
		let rest = Array.from(word);
		const fits = Array.from(line).length + (line ? 1 : 0) + rest.length <= w;
		if (fits) {
			line = line ? `${line} ${word}` : word;
			continue;
		}
		if (line) lines.push(line);
		line = '';
		while (rest.length > w) {
			lines.push(rest.slice(0, w).join(''));
			rest = rest.slice(w);
		}
		line = rest.join('');
	}
	if (line || lines.length === 0) lines.push(line);
	return lines;
}

/** A long path cut from the left, keeping its end (the file name): `…/telemetry/usage.jsonl`. */
export function shortenPath(path: string, width: number): string {
	const chars = Array.from(path);
	if (chars.length <= width) return path;
	if (width <= 1) return '…';
	return '…' + chars.slice(chars.length - (width - 1)).join('');
}

export function padEnd(text: string, width: number): string {
	const len = Array.from(text).length;
	return len >= width ? truncate(text, width) : text + ' '.repeat(width - len);
}

export function padStart(text: string, width: number): string {
	const len = Array.from(text).length;
	return len >= width ? truncate(text, width) : ' '.repeat(width - len) + text;
}
