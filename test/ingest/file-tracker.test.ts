import {appendFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {attributeIssue, DEFAULT_ISSUE_PATTERNS} from '../../source/core/attribution.js';
import {Ledger} from '../../source/core/ledger.js';
import {FileTracker} from '../../source/ingest/file-tracker.js';
import {symphonySource} from '../../source/sources/symphony.js';
import {removeDir, tempDir, usageLine} from './helpers.js';
import {mulberry32} from '../../source/core/prng.js';

let dir: string;
beforeEach(() => {
	dir = tempDir();
});
afterEach(() => removeDir(dir));

function trackerFor(path: string) {
	const ledger = new Ledger();
	const tracker = new FileTracker(path, {type: 'lines', source: symphonySource}, {
		add: (r) => ledger.addOne(attributeIssue(r, DEFAULT_ISSUE_PATTERNS)),
		retract: (p) => ledger.retractFile(p),
	});
	return {ledger, tracker};
}

const rng = mulberry32;

const summaryOf = (ledger: Ledger) => ({
	records: ledger.totals.records,
	total: ledger.totals.tokens.total.sum,
	input: ledger.totals.tokens.input.sum,
	issues: [...ledger.by.issue.keys()].sort(),
	workspaces: [...ledger.records()].map((r) => r.workspace).sort(),
});

describe('file tracker', () => {
	it('neighbouring records with equal meta share one meta object; a different one keeps its own', async () => {
		const path = join(dir, 'usage.jsonl');
		writeFileSync(path, [usageLine(1, 1, 10, 1, {mode: 'fresh'}), usageLine(1, 2, 10, 1, {mode: 'fresh'}), usageLine(1, 3, 10, 1, {mode: 'resume'}), usageLine(1, 4, 10, 1, {mode: 'resume'})].join(''));
		const {ledger, tracker} = trackerFor(path);
		await tracker.sync();
		const metas = [...ledger.records()].sort((a, b) => a.turn! - b.turn!).map((r) => r.meta);
		expect(metas.map((m) => m?.mode)).toEqual(['fresh', 'fresh', 'resume', 'resume']);
		expect(metas[1]).toBe(metas[0]);
		expect(metas[2]).not.toBe(metas[1]);
		expect(metas[3]).toBe(metas[2]);
	});

	it('appends split at random byte positions (inside UTF-8 characters too) reach the one-read totals', async () => {
		// Workspaces with 2-, 3- and 4-byte characters, so cuts land inside them.
		const lines: string[] = [];
		for (let i = 1; i <= 60; i++) {
			const ws = `/srv/.symphony/workspaces/MT-${i % 7}/päth-€-😀-${i}`;
			lines.push(usageLine(i % 5, i, 1000 + i, i, {workspacePath: ws}));
			if (i % 9 === 0) lines.push('{"broken": \n');
		}
		const bytes = Buffer.from(lines.join(''));
		const full = join(dir, 'usage-full.jsonl');
		writeFileSync(full, bytes);
		const reference = trackerFor(full);
		await reference.tracker.sync();
		const expected = summaryOf(reference.ledger);
		expect(expected.records).toBe(60);

		for (const seed of [1, 2, 3, 42, 2026]) {
			const random = rng(seed);
			const path = join(dir, `usage-${seed}.jsonl`);
			writeFileSync(path, '');
			const {ledger, tracker} = trackerFor(path);
			let pos = 0;
			while (pos < bytes.length) {
				const n = 1 + Math.floor(random() * 300);
				appendFileSync(path, bytes.subarray(pos, pos + n));
				pos += n;
				if (random() < 0.7) await tracker.sync();
			}
			await tracker.sync();
			expect(summaryOf(ledger), `seed ${seed}`).toEqual(expected);
			expect(tracker.problems.count, `seed ${seed}`).toBe(reference.tracker.problems.count);
			expect(tracker.offset).toBe(bytes.length);
			expect(tracker.tailBytes).toBe(0);
		}
	});

	it('reads only the appended bytes', async () => {
		const path = join(dir, 'usage.jsonl');
		writeFileSync(path, usageLine(1, 1, 10, 1));
		const {tracker, ledger} = trackerFor(path);
		expect(await tracker.sync()).toBe('read');
		const first = tracker.bytesRead;
		const more = usageLine(1, 2, 20, 2);
		appendFileSync(path, more);
		expect(await tracker.sync()).toBe('read');
		expect(tracker.bytesRead - first).toBe(Buffer.byteLength(more));
		expect(await tracker.sync()).toBe('unchanged');
		expect(ledger.totals.records).toBe(2);
	});
});
