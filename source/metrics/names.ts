/**
 * OpenTelemetry metric names → Prometheus names, the way the OTel Prometheus compatibility spec
 * does it: dots (and anything else not allowed) become `_`, the unit is appended unless the name
 * already ends with it (annotations in braces such as `{record}` are dropped, `1` on a gauge is
 * `ratio`, `X/Y` is `X_per_Y`), and counters end in `_total`. So `burn.token.usage` (unit
 * `tokens`, counter) is `burn_token_usage_tokens_total`, `burn.cost.usage` (USD) is
 * `burn_cost_usage_USD_total`.
 */
export type MetricKind = 'counter' | 'gauge';

const UNIT_WORDS: Record<string, string> = {
	d: 'days',
	h: 'hours',
	min: 'minutes',
	s: 'seconds',
	ms: 'milliseconds',
	By: 'bytes',
	'%': 'percent',
};

const PER_WORDS: Record<string, string> = {d: 'day', h: 'hour', min: 'minute', s: 'second', ms: 'millisecond'};

function sanitize(s: string): string {
	return s.replace(/[^a-zA-Z0-9_:]+/g, '_').replace(/_+/g, '_').replace(/^_|_$/g, '');
}

/** The Prometheus unit word for an OTel unit (UCUM-ish); empty when it adds nothing. */
export function prometheusUnit(unit: string, kind: MetricKind): string {
	const bare = unit.replace(/\{[^}]*\}/g, '').trim();
	if (bare === '') return '';
	if (bare === '1') return kind === 'gauge' ? 'ratio' : '';
	const slash = bare.indexOf('/');
	if (slash > 0) {
		const top = bare.slice(0, slash);
		const per = bare.slice(slash + 1);
		const left = UNIT_WORDS[top] ?? top;
		const right = PER_WORDS[per] ?? per;
		return sanitize(`${left}_per_${right}`);
	}
	return sanitize(UNIT_WORDS[bare] ?? bare);
}

export function prometheusName(name: string, unit: string, kind: MetricKind): string {
	let out = sanitize(name);
	const u = prometheusUnit(unit, kind);
	if (u !== '' && !out.endsWith(`_${u}`)) out += `_${u}`;
	if (kind === 'counter' && !out.endsWith('_total')) out += '_total';
	return out;
}
