/**
 * The source flags every reading command takes (summary, watch, sources, backfill), and how they
 * become discovery options. Any explicit source flag turns default discovery off.
 * A source adds its flag here (and to `flagNames` in its definition).
 */
import {homedir} from 'node:os';
import {parseIssuePattern} from '../core/attribution.js';
import type {DiscoveryOptions} from '../ingest/discover.js';
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

export function discoveryOptions(flags: SourceFlagValues, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): DiscoveryOptions {
	const values: Record<string, string[]> = {};
	for (const name of Object.keys(sourceFlags)) values[name] = (flags as Record<string, string[] | undefined>)[name] ?? [];
	return {cwd, home: env.HOME || homedir(), env, flags: values};
}

/** `--issue-pattern` values as regexes; a bad one is a usage error (exit 2). */
export function issuePatterns(flags: {issuePattern?: string[]}): RegExp[] {
	return (flags.issuePattern ?? []).map((value) => {
		const parsed = parseIssuePattern(value);
		if (!parsed.ok) throw new UsageError(parsed.error);
		return parsed.pattern;
	});
}
