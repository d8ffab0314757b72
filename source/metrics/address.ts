/** `--metrics HOST:PORT` values: `127.0.0.1:9464`, `:9464`, `9464`, `[::1]:9464`, `localhost:0`. */
export const DEFAULT_METRICS_ADDRESS = '127.0.0.1:9464';

export interface ListenAddress {
	host: string;
	port: number;
}

export function parseListenAddress(value: string): ListenAddress | string {
	const v = value.trim();
	let host = '127.0.0.1';
	let port: string;
	const bracket = /^\[([^\]]+)\]:(\d+)$/.exec(v);
	if (bracket) {
		host = bracket[1]!;
		port = bracket[2]!;
	} else if (/^\d+$/.test(v)) {
		port = v;
	} else {
		const i = v.lastIndexOf(':');
		if (i < 0 || v.indexOf(':') !== i) return `--metrics ${value}: give HOST:PORT, e.g. 127.0.0.1:9464 (IPv6 in brackets: [::1]:9464)`;
		if (i > 0) host = v.slice(0, i);
		port = v.slice(i + 1);
	}
	const n = Number(port);
	if (!/^\d+$/.test(port) || n > 65535) return `--metrics ${value}: the port must be a number from 0 to 65535`;
	return {host, port: n};
}

/** `--otlp-interval`: milliseconds, or a number with ms, s or m. */
export function parseInterval(value: string): number | string {
	const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
	if (!m) return `--otlp-interval ${value}: give a duration such as 500ms, 10s or 1m`;
	const n = Number(m[1]);
	const ms = m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n;
	if (ms < 100) return `--otlp-interval ${value}: at least 100ms`;
	return Math.round(ms);
}
