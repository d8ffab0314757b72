/**
 * `--since` / `--until` values: an ISO date or date-time, or a duration back from now
 * (`30m`, `24h`, `7d`, `2w`). Returns epoch ms, or an error message saying what was wrong.
 */
const UNITS: Record<string, number> = {m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000};

export function parseTimeValue(value: string, now: number): {ok: true; ms: number} | {ok: false; error: string} {
	const v = value.trim();
	const rel = /^(\d+(?:\.\d+)?)\s*([mhdw])$/i.exec(v);
	if (rel) return {ok: true, ms: now - Number(rel[1]) * UNITS[rel[2]!.toLowerCase()]!};
	if (/^\d{4}-\d{2}-\d{2}/.test(v)) {
		const ms = Date.parse(v);
		if (!Number.isNaN(ms)) return {ok: true, ms};
	}
	return {ok: false, error: `"${value}" is not a time: use an ISO date (2026-11-01), a date-time (2026-11-01T09:00:00Z) or a duration back from now (30m, 24h, 7d, 2w)`};
}
