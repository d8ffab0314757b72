import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {collectSummary, type Collected} from '../../source/ingest/read-once.js';

export const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures');

export function tempDir(): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), 'burn-'));
}

/** A one-shot summary over a home directory, with no source flags unless given. */
export async function collect(home: string, flags: Record<string, string[]> = {}, env: NodeJS.ProcessEnv = {}, issuePatterns?: RegExp[]): Promise<Collected> {
	const cwd = tempDir();
	return collectSummary({discovery: {cwd, home, env, flags}, issuePatterns, now: new Date('2026-11-01T00:00:00Z')});
}

export function writeLines(file: string, rows: Array<object | string>): void {
	fs.mkdirSync(path.dirname(file), {recursive: true});
	fs.writeFileSync(file, rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r)) + '\n').join(''));
}

/** Token values of a summary bucket. */
export function tok(bucket: {records: number; tokens: Record<string, {value: number | null}>} | undefined) {
	if (!bucket) return undefined;
	const t = bucket.tokens;
	return {
		records: bucket.records,
		input: t.input!.value,
		cacheRead: t.cacheRead!.value,
		cacheWrite: t.cacheWrite!.value,
		output: t.output!.value,
		reasoning: t.reasoning!.value,
		total: t.total!.value,
	};
}
