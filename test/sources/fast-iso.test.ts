import {describe, expect, it} from 'vitest';
import {parseUtcIso} from '../../source/sources/json-fields.js';

/** Seeded, so a failure reproduces. */
function rng(seed: number): () => number {
	let s = seed >>> 0;
	return () => {
		s = (s * 1664525 + 1013904223) >>> 0;
		return s / 2 ** 32;
	};
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

describe('parseUtcIso', () => {
	it('is exactly Date.parse on edge cases', () => {
		const cases = [
			'2026-11-21T03:32:23.811Z',
			'2026-11-21T03:32:23Z',
			'2026-02-29T00:00:00.000Z',
			'2025-02-29T00:00:00.000Z',
			'2026-02-30T00:00:00.000Z',
			'2026-04-31T00:00:00.000Z',
			'2026-12-31T23:59:59.999Z',
			'2026-13-01T00:00:00.000Z',
			'2026-00-01T00:00:00.000Z',
			'2026-01-00T00:00:00.000Z',
			'2026-01-01T24:00:00.000Z',
			'2026-01-01T24:00:00.001Z',
			'2026-01-01T23:60:00.000Z',
			'2026-01-01T23:59:60.000Z',
			'0099-01-01T00:00:00.000Z',
			'0000-01-01T00:00:00.000Z',
			'1969-12-31T23:59:59.999Z',
			'2026-01-01T00:00:00.1234Z',
			'2026-01-01T00:00:00.12Z',
			'2026-01-01T00:00:00.000+01:00',
			'2026-01-01T00:00:00.000z',
			'2026-01-01 00:00:00.000Z',
			'2026-01-01T00:00:00,000Z',
			'2026-1-01T00:00:00.000Z0',
			'+02026-01-01T00:00:00.000Z',
			'2026-01-01T0a:00:00.000Z',
			'2026-01-01T00:00:00.00aZ',
			'2026-01-01T00:00:00.-00Z',
			'２026-01-01T00:00:00.000Z',
			'',
			'garbage',
		];
		for (const s of cases) expect([s, parseUtcIso(s)]).toEqual([s, Date.parse(s)]);
	});

	it('is exactly Date.parse on every month end from 1000 to 2500', () => {
		for (let y = 1000; y <= 2500; y++) {
			for (let m = 1; m <= 12; m++) {
				for (let d = 27; d <= 32; d++) {
					const s = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}T23:59:59.999Z`;
					if (parseUtcIso(s) !== Date.parse(s)) expect([s, parseUtcIso(s)]).toEqual([s, Date.parse(s)]);
				}
			}
		}
	});

	it('is exactly Date.parse on random timestamps', () => {
		const r = rng(11);
		const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
		for (let k = 0; k < 20000; k++) {
			const base = `${pad(int(0, 9999), 4)}-${pad(int(0, 13), 2)}-${pad(int(0, 32), 2)}T${pad(int(0, 25), 2)}:${pad(int(0, 61), 2)}:${pad(int(0, 61), 2)}`;
			const s = r() < 0.5 ? `${base}.${pad(int(0, 999), 3)}Z` : `${base}Z`;
			expect([s, parseUtcIso(s)]).toEqual([s, Date.parse(s)]);
		}
	});
});
