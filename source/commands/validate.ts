/**
 * `burn validate <file|dir>…`: the spec's §10.2 reader check as a command. Every violation with
 * file:line, rule and field; schema-version mismatches; a one-line verdict; `--json`; exit 1 when
 * anything violates a MUST (warnings alone exit 0), 2 when the paths are wrong.
 */
import {existsSync, readdirSync, statSync} from 'node:fs';
import {join, relative} from 'node:path';
import {sanitize} from '../core/sanitize.js';
import {checkRecord, newRuleState, problemFinding, type Finding, type RuleState} from '../core/usage-rules.js';
import {compareStreamFiles} from '../ingest/discover.js';
import {readLineFile} from '../ingest/line-reader.js';
import {forEachCompleteLine, isBlank, parseJsonLine} from '../sources/lines.js';
import {parseSymphonyChunk, SYMPHONY_FILE, type SymphonyState} from '../sources/symphony.js';
import type {LineSource} from '../sources/types.js';
import {parseCommand} from './cli-kit.js';
import {EXIT, UsageError} from './errors.js';

export const validateHelp = `
  Usage
    $ burn validate <file|dir>… [--json]

  Checks Symphony usage.jsonl files against the spec: the §5 schema, strictly increasing turns per
  runID, UTC timestamps, breakdown sums (warnings), no prompt or response text, and schemaVersion
  mismatches. A directory means its usage*.jsonl[.gz] files, read as one stream in name order.
  Exits 1 when anything violates the spec (warnings alone do not), 2 on a bad path.

  Options
    --json                 The burn.validate/1 document on stdout

  Examples
    $ burn validate .symphony/telemetry
    $ burn validate usage.jsonl --json | jq .counts
`;

export const VALIDATE_SCHEMA = 'burn.validate/1';

export interface ValidateJson {
	schema: typeof VALIDATE_SCHEMA;
	ok: boolean;
	files: string[];
	records: number;
	lines: number;
	counts: {errors: number; warnings: number; byRule: Record<string, number>};
	schemaVersions: Record<string, number>;
	findings: Finding[];
}

export interface ValidateArgs {
	argv: string[];
	env?: NodeJS.ProcessEnv;
	cwd?: string;
	stdout?: NodeJS.WritableStream;
}

/** The files a path names: a file as is; a directory's usage*.jsonl[.gz] (or its .symphony/telemetry's). */
export function validationFiles(path: string): string[] {
	if (!existsSync(path)) throw new UsageError(`${path} does not exist`, 'name a usage.jsonl file or a directory holding usage*.jsonl');
	const st = statSync(path);
	if (st.isFile()) return [path];
	// A FIFO or device would block or never end: refuse it by name rather than fail unexpectedly.
	if (!st.isDirectory()) throw new UsageError(`${path} is ${st.isFIFO() ? 'a FIFO' : 'not a regular file or directory'}; validate reads files`, 'name a usage.jsonl file or a directory holding usage*.jsonl');
	const list = (dir: string) =>
		readdirSync(dir, {withFileTypes: true})
			.filter((e) => e.isFile() && SYMPHONY_FILE.test(e.name))
			.map((e) => join(dir, e.name))
			.sort(compareStreamFiles);
	const here = list(path);
	const telemetry = join(path, '.symphony', 'telemetry');
	return here.length > 0 || !existsSync(telemetry) ? here : list(telemetry);
}

export async function validateFiles(files: readonly string[]): Promise<ValidateJson> {
	const rules: RuleState = newRuleState();
	const findings: Finding[] = [];
	let records = 0;
	let lines = 0;
	for (const file of files) {
		const source: LineSource<SymphonyState> = {
			kind: 'symphony',
			parserVersion: 1,
			initialState: () => ({reportedVersions: []}),
			parse(chunk, state, pos) {
				const result = parseSymphonyChunk(chunk, state, pos);
				records += result.records.length;
				for (const p of result.problems) findings.push(problemFinding(p));
				forEachCompleteLine(chunk, (start, end, index) => {
					lines++;
					if (isBlank(chunk, start, end)) return;
					const parsed = parseJsonLine(chunk, start, end);
					if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) return;
					findings.push(...checkRecord(parsed.value as Record<string, unknown>, pos.path, pos.line + index, rules));
				});
				return result;
			},
		};
		try {
			const read = await readLineFile(file, source, source.initialState(file), (r) => {
				for (const p of r.problems) if (p.kind === 'line-too-long') findings.push(problemFinding(p));
			});
			if (read.tailBytes > 0) {
				findings.push(
					problemFinding({kind: 'incomplete-line', path: file, line: read.consumedLines + 1, reason: `last line has no newline (${read.tailBytes} bytes): an incomplete record, which readers skip`}),
				);
			}
		} catch (error) {
			findings.push({path: file, line: null, severity: 'error', rule: 'read-error', field: null, reason: (error as Error).message});
		}
	}
	const order = new Map(files.map((f, i) => [f, i]));
	findings.sort((a, b) => (order.get(a.path) ?? 0) - (order.get(b.path) ?? 0) || (a.line ?? 0) - (b.line ?? 0));
	const byRule: Record<string, number> = {};
	let errors = 0;
	for (const f of findings) {
		byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
		if (f.severity === 'error') errors++;
	}
	return {
		schema: VALIDATE_SCHEMA,
		ok: errors === 0,
		files: [...files],
		records,
		lines,
		counts: {errors, warnings: findings.length - errors, byRule},
		schemaVersions: Object.fromEntries(rules.versions),
		findings,
	};
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

export function validateLines(result: ValidateJson, cwd: string): string[] {
	const show = (p: string) => {
		const rel = relative(cwd, p);
		return sanitize(rel && !rel.startsWith('..') ? rel : p);
	};
	const out = result.findings.map(
		(f) => `${show(f.path)}${f.line !== null ? `:${f.line}` : ''}  ${f.severity === 'error' ? 'error  ' : 'warning'}  ${f.rule}  ${sanitize(f.field ?? '-')}  ${sanitize(f.reason)}`,
	);
	const where = `${plural(result.records, 'record')} in ${plural(result.files.length, 'file')}`;
	const versions = Object.keys(result.schemaVersions).sort().join(', ');
	const warn = result.counts.warnings > 0 ? `, ${plural(result.counts.warnings, 'warning')}` : '';
	out.push(
		result.ok
			? `✓ valid: ${where}, no violations${warn} (schemaVersion ${versions || '—'})`
			: `✗ invalid: ${plural(result.counts.errors, 'violation')}${warn}; ${where} read (schemaVersion ${versions || '—'})`,
	);
	return out;
}

export async function runValidate({argv, env = process.env, cwd = process.cwd(), stdout = process.stdout}: ValidateArgs): Promise<number> {
	const cli = parseCommand({name: 'validate', help: validateHelp, importMeta: import.meta, flags: {json: {type: 'boolean', default: false}}}, argv, env, cwd);
	const paths = cli.input.length > 0 ? cli.input : [];
	if (paths.length === 0) throw new UsageError('name a file or directory to validate', 'burn validate .symphony/telemetry');
	const files = paths.flatMap((p) => validationFiles(cli.path(p)));
	if (files.length === 0) throw new UsageError(`no usage*.jsonl files in ${paths.join(', ')}`, 'name the file itself if it has another name');
	const result = await validateFiles(files);
	stdout.write(cli.flags.json ? JSON.stringify(result, null, 2) + '\n' : validateLines(result, cwd).join('\n') + '\n');
	return result.ok ? EXIT.ok : EXIT.failure;
}
