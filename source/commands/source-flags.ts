/**
 * The source flags every reading command takes (summary, watch, sources, backfill), and how they
 * become discovery options. Any explicit source flag turns default discovery off.
 * A source adds its flag here (and to `flagNames` in its definition).
 */
import {closeSync, lstatSync, openSync, readdirSync, realpathSync, statSync, type Stats} from 'node:fs';
import {homedir} from 'node:os';
import {basename, join} from 'node:path';
import {parseIssuePattern} from '../core/attribution.js';
import type {DiscoveryOptions} from '../ingest/discover.js';
import {resolvePath} from '../sources/paths.js';
import {SYMPHONY_FILE} from '../sources/symphony.js';
import {UsageError} from './errors.js';

export const sourceFlags = {
	usage: {type: 'string', isMultiple: true},
	claudeDir: {type: 'string', isMultiple: true},
	codexDir: {type: 'string', isMultiple: true},
	opencodeDir: {type: 'string', isMultiple: true},
	geminiDir: {type: 'string', isMultiple: true},
	bosunDir: {type: 'string', isMultiple: true},
	instrumentationDir: {type: 'string', isMultiple: true},
	issuePattern: {type: 'string', isMultiple: true},
} as const;

export const sourceFlagsHelp = `
  Sources (any of these turns default discovery off)
    --usage <file|dir>     Symphony usage.jsonl file, or a directory of usage*.jsonl[.gz]
                           (repeatable; BURN_USAGE, a path list, replaces the default search)
    --claude-dir <dir>     Claude Code config dir (~/.claude) or its projects/ (repeatable;
                           default ~/.claude/projects and ~/.config/claude/projects;
                           CLAUDE_CONFIG_DIR, a comma list, replaces the defaults)
    --codex-dir <dir>      Codex home (~/.codex) or its sessions/ (repeatable; default
                           $CODEX_HOME or ~/.codex: sessions/ and archived_sessions/)
    --opencode-dir <dir>   OpenCode data dir (~/.local/share/opencode), its storage/, or one
                           opencode*.db (repeatable; OPENCODE_DATA_DIR, a comma list, else
                           $XDG_DATA_HOME/opencode)
    --gemini-dir <dir>     Gemini CLI dir (~/.gemini) or its tmp/ (repeatable; default
                           $GEMINI_CLI_HOME/.gemini or ~/.gemini)
    --bosun-dir <dir>      Repo root bosun runs in (or its .cache/agent-work-logs): the
                           agent-work-stream.jsonl usage events and agent-alerts.jsonl (repeatable;
                           BURN_BOSUN_DIR; default ./.cache/agent-work-logs)
    --instrumentation-dir <dir>  Pipeline output/runs (or the repo, or one run dir):
                           instrumentation_calls.jsonl and instrumentation.json (repeatable;
                           BURN_INSTRUMENTATION_DIR; default ./output/runs)

  Attribution
    --issue-pattern <re>   Regex with one capture group taking the issue id from a transcript's
                           working directory, e.g. "/work/([A-Z]+-[0-9]+)" (repeatable)`;

export type SourceFlagValues = Partial<Record<keyof typeof sourceFlags, string[]>>;

/** Discovery options from the flags; every path named on the command line is checked first (see checkNamedPath). */
export function discoveryOptions(flags: SourceFlagValues, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): DiscoveryOptions {
	const values: Record<string, string[]> = {};
	for (const name of Object.keys(sourceFlags)) values[name] = (flags as Record<string, string[] | undefined>)[name] ?? [];
	const home = env.HOME || homedir();
	for (const [name, list] of Object.entries(values)) {
		if (name === 'issuePattern') continue;
		for (const value of list) checkNamedPath(`--${kebab(name)}`, value, resolvePath(value, {cwd, home}));
	}
	return {cwd, home, env, flags: values};
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** `.jsonl`, `.jsonl.gz`, `.db`: what a named file's kind is by its name. */
const fileKind = (p: string) => /(\.[a-z0-9]+(?:\.gz)?)$/i.exec(basename(p))?.[1]?.toLowerCase() ?? '';

function kindOf(st: Stats): string {
	if (st.isFIFO()) return 'a FIFO';
	if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
	if (st.isSocket()) return 'a socket';
	return 'not a regular file or directory';
}

/**
 * A path the user named is read as named or not at all: one that does not exist, cannot be read,
 * is a FIFO or device, or is a symlink to a file of another kind (`x.jsonl` → /etc/passwd) is a
 * usage error naming it (exit 2), never an empty result; a `--usage` directory holding files but
 * no usage*.jsonl says so.
 */
export function checkNamedPath(flag: string, value: string, path: string): void {
	let link: Stats;
	try {
		link = lstatSync(path);
	} catch {
		throw new UsageError(`${flag} ${value}: no such file or directory`, 'check the path (without source flags burn searches the default locations)');
	}
	let st = link;
	if (link.isSymbolicLink()) {
		let target: string;
		try {
			target = realpathSync(path);
			st = statSync(target);
		} catch {
			throw new UsageError(`${flag} ${value} is a symlink to nothing (its target does not exist)`);
		}
		if (st.isFile() && fileKind(target) !== fileKind(path)) {
			throw new UsageError(`${flag} ${value} is a symlink to ${target}, which is not a ${fileKind(path) || 'file of the same kind'} file; not read`, 'name the target itself if you mean it');
		}
	}
	if (!st.isFile() && !st.isDirectory()) throw new UsageError(`${flag} ${value} is ${kindOf(st)}; not read`, 'name a file or directory');
	if (st.isFile()) {
		try {
			closeSync(openSync(path, 'r'));
		} catch (error) {
			throw new UsageError(`${flag} ${value}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
		}
		return;
	}
	let names: string[];
	try {
		names = readdirSync(path);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new UsageError(`${flag} ${value}: cannot read the directory (${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? (error as Error).message)})`, 'it is unreadable, not empty');
	}
	if (flag === '--usage') {
		const files = names.filter((n) => {
			try {
				return statSync(join(path, n)).isFile();
			} catch {
				return false;
			}
		});
		if (files.length > 0 && !files.some((n) => SYMPHONY_FILE.test(n))) {
			const shown = files.slice(0, 3).join(', ') + (files.length > 3 ? ', …' : '');
			throw new UsageError(
				`${flag} ${value}: no usage*.jsonl or usage*.jsonl.gz files in it (${files.length} other file${files.length === 1 ? '' : 's'}: ${shown})`,
				names.includes('.symphony') ? `try --usage ${join(value, '.symphony', 'telemetry')}` : 'name the file itself if it has another name',
			);
		}
	}
}

/** `--issue-pattern` values as regexes; a bad one is a usage error (exit 2). */
export function issuePatterns(flags: {issuePattern?: string[]}): RegExp[] {
	return (flags.issuePattern ?? []).map((value) => {
		const parsed = parseIssuePattern(value);
		if (!parsed.ok) throw new UsageError(parsed.error);
		return parsed.pattern;
	});
}
