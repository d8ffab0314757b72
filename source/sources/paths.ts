import {isAbsolute, join, resolve} from 'node:path';

/** `~` and relative paths, as a user types them, to absolute paths. */
export function resolvePath(p: string, ctx: {cwd: string; home: string}): string {
	const t = p.trim();
	const expanded = t === '~' ? ctx.home : t.startsWith('~/') ? join(ctx.home, t.slice(2)) : t;
	return isAbsolute(expanded) ? expanded : resolve(ctx.cwd, expanded);
}

/** Split an env var list (comma- or delimiter-separated) into trimmed, non-empty entries. */
export function splitList(value: string | undefined, separators: RegExp = /[,]/): string[] {
	return (value ?? '')
		.split(separators)
		.map((s) => s.trim())
		.filter((s) => s !== '');
}
