/**
 * The prologue every command shares: argv checked against the command's flags (unknown flags with
 * a did-you-mean, flags that need a value and got none), `--help`/`-h`, then the parse; and the
 * command's context (env, cwd, home, and paths as the user typed them: `~` expanded, relative to
 * the working directory). A command starts with `parseCommand(...)` and nothing else.
 */
import {existsSync, mkdirSync} from 'node:fs';
import {homedir} from 'node:os';
import {dirname} from 'node:path';
import {closestMatch} from 'leven';
import type {AnyFlags, Result} from 'meow';
import {resolvePath} from '../sources/paths.js';
import {HelpRequested, UsageError} from './errors.js';

export interface CommandSpec<F extends AnyFlags> {
	/** The subcommand, for messages (`burn summary --help`). */
	name: string;
	help: string;
	flags: F;
}

export interface CommandContext {
	env: NodeJS.ProcessEnv;
	cwd: string;
	home: string;
	/** A path the user typed, absolute: `~` and `~/x` from home, relative ones from cwd. */
	path(p: string): string;
}

export interface ParsedCommand<F extends AnyFlags> extends CommandContext {
	flags: Result<F>['flags'];
	input: string[];
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export function commandContext(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): CommandContext {
	const home = env.HOME || homedir();
	return {env, cwd, home, path: (p) => resolvePath(p, {cwd, home})};
}

interface FlagInfo {
	name: string;
	type: 'string' | 'number' | 'boolean';
}

/** Every spelling the command accepts, `--name` and, for booleans, `--no-name`. */
function known(flags: AnyFlags): Map<string, FlagInfo> {
	const out = new Map<string, FlagInfo>();
	for (const [key, spec] of Object.entries(flags)) {
		const type = (spec.type ?? 'string') as FlagInfo['type'];
		const name = kebab(key);
		out.set(name, {name, type});
		if (type === 'boolean') out.set(`no-${name}`, {name, type});
	}
	return out;
}

/**
 * Checks argv before meow sees it (meow would exit the process itself on an unknown flag, and
 * silently take the next flag, or nothing, as a missing value). Returns whether help was asked for.
 */
export function checkArgv(argv: readonly string[], flags: AnyFlags, command: string): boolean {
	const spellings = known(flags);
	let help = false;
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i]!;
		if (arg === '--') break;
		if (arg === '-h' || arg === '--help') {
			help = true;
			continue;
		}
		if (!arg.startsWith('-') || arg === '-' || /^-\d/.test(arg)) continue;
		if (!arg.startsWith('--')) throw unknownFlag(arg, spellings, command);
		const eq = arg.indexOf('=');
		const name = arg.slice(2, eq === -1 ? undefined : eq);
		const info = spellings.get(name);
		if (!info) throw unknownFlag(`--${name}`, spellings, command);
		if (info.type === 'boolean') {
			if (eq !== -1 && !['true', 'false'].includes(arg.slice(eq + 1))) throw new UsageError(`--${name} takes no value`, `write --${name} or --no-${info.name}`);
			continue;
		}
		const value = eq === -1 ? argv[i + 1] : arg.slice(eq + 1);
		const isFlag = value !== undefined && value.startsWith('--') && value !== '--';
		if (value === undefined || value === '' || isFlag) {
			const what = info.type === 'number' ? 'a number' : 'a value';
			throw new UsageError(`--${name} needs ${what}${isFlag ? ` (got the flag ${value.split('=')[0]})` : ''}`, `burn ${command} --help lists what --${name} takes`);
		}
		if (eq === -1) i++;
	}
	return help;
}

function unknownFlag(flag: string, spellings: Map<string, FlagInfo>, command: string): UsageError {
	const bare = flag.replace(/^-+/, '');
	const names = [...spellings.keys(), 'help'];
	// A cut-off name (`--claude` for `--claude-dir`), else the closest plausible typo.
	const guess =
		(bare.length >= 3 ? names.find((n) => n.startsWith(bare)) : undefined) ??
		(bare.length > 0 ? closestMatch(bare, names, {maxDistance: Math.max(2, Math.floor(bare.length / 3))}) : undefined);
	const list = `burn ${command} --help lists every flag`;
	return new UsageError(`unknown flag ${flag}`, guess ? `did you mean --${guess}? (${list})` : list);
}

/** The shared prologue: check argv, answer `--help`, parse, and hand back flags with the context. */
export function parseCommand<F extends AnyFlags>(
	spec: CommandSpec<F>,
	argv: readonly string[],
	env: NodeJS.ProcessEnv = process.env,
	cwd = process.cwd(),
): ParsedCommand<F> {
	if (checkArgv(argv, spec.flags, spec.name)) throw new HelpRequested(spec.help.replace(/^\n/, ''));
	const {flags, input} = parseFlags(argv, spec.flags);
	return {...commandContext(env, cwd), flags: flags as Result<F>['flags'], input};
}

/**
 * argv (already through `checkArgv`) to flags and input, as meow parsed it: every declared flag
 * under its camelCase key (its value, else its default, else false for a boolean, [] for a
 * multiple, else undefined), numbers through `Number`, `--x=v` or `--x v`, `--no-x` and a
 * following literal true/false for booleans, everything after `--` input. Ours rather than
 * meow's: meow loads ~180 KB of package.json normalising at every start, for nothing burn uses.
 */
export function parseFlags(argv: readonly string[], spec: AnyFlags): {flags: Record<string, unknown>; input: string[]} {
	const byName = new Map<string, string>();
	const flags: Record<string, unknown> = {};
	for (const [key, f] of Object.entries(spec)) {
		byName.set(kebab(key), key);
		flags[key] = f.default !== undefined ? f.default : f.isMultiple ? [] : f.type === 'boolean' ? false : undefined;
	}
	const seen = new Set<string>();
	const input: string[] = [];
	const set = (key: string, value: unknown) => {
		const f = spec[key]!;
		if (f.isMultiple) {
			flags[key] = seen.has(key) ? [...(flags[key] as unknown[]), value] : [value];
		} else if (seen.has(key)) {
			throw new UsageError(`--${kebab(key)} can only be set once`);
		} else flags[key] = value;
		seen.add(key);
	};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i]!;
		if (arg === '--') {
			input.push(...argv.slice(i + 1));
			break;
		}
		if (!arg.startsWith('--')) {
			input.push(arg);
			continue;
		}
		const eq = arg.indexOf('=');
		const name = arg.slice(2, eq === -1 ? undefined : eq);
		const inline = eq === -1 ? undefined : arg.slice(eq + 1);
		const key = byName.get(name) ?? (name.startsWith('no-') ? byName.get(name.slice(3)) : undefined);
		if (key === undefined) continue; // checkArgv let nothing unknown through
		const type = spec[key]!.type ?? 'string';
		if (type === 'boolean') {
			const negated = !byName.has(name);
			let value = inline === undefined ? true : inline === 'true';
			const next = argv[i + 1];
			if (inline === undefined && (next === 'true' || next === 'false')) {
				value = next === 'true';
				i++;
			}
			set(key, negated ? !value : value);
			continue;
		}
		const raw = inline ?? argv[++i]!;
		set(key, type === 'number' ? Number(raw) : raw);
	}
	return {flags, input};
}

/**
 * `mkdir -p`, one level at a time. Node's recursive mkdirSync spins forever at 100% CPU where the
 * kernel answers ENOENT for a parent that exists (`/proc/nope`); this throws that error instead.
 */
export function makeDirs(dir: string): void {
	const missing: string[] = [];
	for (let d = dir; !existsSync(d); d = dirname(d)) {
		missing.push(d);
		if (dirname(d) === d) break;
	}
	for (const d of missing.reverse()) mkdirSync(d);
}

