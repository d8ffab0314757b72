/**
 * The prologue every command shares: argv checked against the command's flags (unknown flags with
 * a did-you-mean, flags that need a value and got none), `--help`/`-h`, then meow's parse; and the
 * command's context (env, cwd, home, and paths as the user typed them: `~` expanded, relative to
 * the working directory). A command starts with `parseCommand(...)` and nothing else.
 */
import {existsSync, mkdirSync} from 'node:fs';
import {homedir} from 'node:os';
import {dirname} from 'node:path';
import {closestMatch} from 'leven';
import meow, {type AnyFlags, type Result} from 'meow';
import {resolvePath} from '../sources/paths.js';
import {HelpRequested, UsageError} from './errors.js';

export interface CommandSpec<F extends AnyFlags> {
	/** The subcommand, for messages (`burn summary --help`). */
	name: string;
	help: string;
	flags: F;
	importMeta: ImportMeta;
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
	const cli = meow(spec.help, {
		importMeta: spec.importMeta,
		description: false,
		argv: [...argv],
		allowUnknownFlags: false,
		autoHelp: false,
		autoVersion: false,
		flags: spec.flags,
	});
	return {...commandContext(env, cwd), flags: cli.flags, input: cli.input};
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

