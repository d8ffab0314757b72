import {mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, beforeEach, expect, it} from 'vitest';
import {wrapText, shortenPath} from '../../source/core/format.js';
import {runCli} from '../helpers/cli.js';
import {copyFixture, tempDir} from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({dir, cleanup} = tempDir()));
afterEach(() => cleanup());

it('wrapText never cuts a word or loses text; shortenPath keeps the file name', () => {
	const text = 'last line has no newline (365 bytes): an incomplete record, skipped until it is finished';
	for (const width of [10, 24, 40]) {
		const lines = wrapText(text, width);
		for (const l of lines) expect(Array.from(l).length).toBeLessThanOrEqual(width);
		expect(lines.join(' ')).toBe(text);
	}
	expect(wrapText('a-very-long-token', 5)).toEqual(['a-ver', 'y-lon', 'g-tok', 'en']);
	expect(shortenPath('/a/b/c/telemetry/usage.jsonl', 18)).toBe('…metry/usage.jsonl');
});

it('text summaries wrap Problems lines at the width: file:line and the whole reason survive', () => {
	const deep = join(dir, 'a-rather-long-directory-name', 'and-another-one-below-it', '.symphony', 'telemetry');
	mkdirSync(deep, {recursive: true});
	copyFixture('symphony/problems.jsonl', deep, 'usage.jsonl');
	const r = runCli(['summary', '--once', '--usage', deep, '--no-cache', '--width', '60'], {cwd: dir, env: {HOME: dir}});
	expect(r.code).toBe(0);
	const lines = r.stdout.split('\n');
	for (const l of lines) expect(Array.from(l).length).toBeLessThanOrEqual(60);
	const problems = lines.slice(lines.findIndex((l) => l.startsWith('Problems')) + 1).join(' ').replace(/\s+/g, ' ');
	expect(problems).toContain('usage.jsonl:11 last line has no newline (365 bytes): an incomplete record, skipped until it is finished');
	expect(problems).toContain('usage.jsonl:6 a record must be a JSON object, got an array');
});
