/**
 * The last text report `summary --once` printed, kept beside the summary it was made from
 * (`report.v1` in the cache dir), so a warm run whose report would be the same bytes prints it
 * without parsing the kept document, laying it out or loading Ink and React (x1: ~0.1 s of a
 * 0.26 s warm text run). The report is a pure function of the kept document (named by the kept
 * summary's key: build, index, roots, filters, prices), the fields judged at the wall clock, --by,
 * the width, and how colour renders: the whole environment and whether stdout is a terminal. All of
 * them make its key, so a kept report is printed only where the same report would be rendered.
 * A damaged or foreign file is a miss, never an error.
 */
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {removeStaleTemps, writeAtomically} from '../ingest/atomic-file.js';
import type {JudgedFields} from './kept-summary.js';

export const REPORT_MEMO_FILE = 'report.v1';

export interface ReportInputs {
	/** The kept summary's key (`summaryKey`): the document the report shows. */
	summary: string;
	judged: JudgedFields;
	by: string;
	width: number;
	env: NodeJS.ProcessEnv;
	/** Whether the stream written to, and the process's own stdout (what Ink's colours detect), are terminals. */
	tty: [boolean, boolean];
}

/** The report's key: the SHA-1 of everything it depends on. */
export function reportKey(r: ReportInputs): string {
	const env = Object.keys(r.env)
		.sort()
		.map((k) => [k, r.env[k]]);
	return createHash('sha1')
		.update(JSON.stringify([r.summary, r.by, r.width, r.tty, env]))
		.update('\0')
		.update(JSON.stringify(r.judged))
		.digest('hex');
}

/** The report kept under `key`, or null. */
export function loadReport(dir: string, key: string): string | null {
	try {
		const raw = readFileSync(join(dir, REPORT_MEMO_FILE), 'utf8');
		const nl = raw.indexOf('\n');
		return nl === 40 && raw.slice(0, nl) === key ? raw.slice(nl + 1) : null;
	} catch {
		return null;
	}
}

/** Keeps `text` under `key` (atomically; a cache that cannot be written is skipped). */
export function keepReport(dir: string, key: string, text: string): void {
	try {
		removeStaleTemps(dir, [REPORT_MEMO_FILE]);
		writeAtomically(join(dir, REPORT_MEMO_FILE), [`${key}\n`, text]);
	} catch {}
}
