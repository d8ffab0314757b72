import {appendFileSync, mkdirSync, renameSync, truncateSync, unlinkSync, utimesSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {gzipSync} from 'node:zlib';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {Engine} from '../../source/ingest/engine.js';
import {removeDir, symphonyEngine, tempDir, totalsOf, usageLine, waitFor} from './helpers.js';

let dir: string;
let engines: Engine[] = [];

beforeEach(() => {
	dir = tempDir();
});

afterEach(async () => {
	await Promise.all(engines.map((e) => e.stop()));
	engines = [];
	removeDir(dir);
});

async function started(usage: string[] = [dir], extra = {}): Promise<Engine> {
	const engine = symphonyEngine(usage, extra);
	engines.push(engine);
	await engine.start();
	return engine;
}

const until = (engine: Engine, records: number, total: number | null) =>
	waitFor(
		() => {
			const t = totalsOf(engine);
			return t.records === records && t.total === total;
		},
		5000,
		`${records} records / ${total} tokens (have ${JSON.stringify(totalsOf(engine))})`,
	);

describe('live engine on real files', () => {
	it('says how far the first read is (files done of found) before it is ready', async () => {
		for (let f = 0; f < 6; f++) writeFileSync(join(dir, `usage-${f}.jsonl`), usageLine(f, 1, 100, 10) + usageLine(f, 2, 100, 10));
		const engine = symphonyEngine([dir], {progressIntervalMs: 0});
		engines.push(engine);
		const seen: Array<{ready: boolean; progress?: {filesDone: number; filesTotal: number}; records: number}> = [];
		engine.store.subscribe(() => {
			const s = engine.store.getSnapshot();
			seen.push({ready: s.ready, progress: s.progress, records: s.doc.totals.records});
		});
		const first = engine.store.getSnapshot();
		await engine.start();
		expect(first.ready).toBe(false);
		const reading = seen.filter((s) => !s.ready);
		// Frames during the read: progress moving towards the total, nothing counted on screen yet.
		expect(reading.length).toBeGreaterThan(0);
		for (const s of reading) {
			expect(s.progress!.filesTotal).toBe(6);
			expect(s.progress!.filesDone).toBeGreaterThanOrEqual(1);
			expect(s.progress!.filesDone).toBeLessThanOrEqual(6);
			expect(s.records).toBe(0);
		}
		const last = seen[seen.length - 1]!;
		expect(last).toMatchObject({ready: true, records: 12});
		expect(last.progress).toBeUndefined();
	});

	it('reads existing files, then appended lines, and publishes ready', async () => {
		const file = join(dir, 'usage.jsonl');
		writeFileSync(file, usageLine(1, 1, 100, 10) + usageLine(1, 2, 200, 20));
		const engine = await started([dir], {now: () => Date.UTC(2026, 10, 20, 12)});
		expect(engine.store.getSnapshot().ready).toBe(true);
		expect(totalsOf(engine)).toEqual({records: 2, total: 330});
		appendFileSync(file, usageLine(1, 3, 300, 30));
		await until(engine, 3, 660);
		const snap = engine.store.getSnapshot();
		expect(snap.sources).toHaveLength(1);
		expect(snap.sources[0]).toMatchObject({files: 1, records: 3, problems: 0});
		expect(snap.minutes.map((m) => m.records)).toEqual([1, 1, 1]);
		expect(snap.minutes[0]!.minute).toBeLessThan(snap.minutes[2]!.minute);
		expect(snap.flags).toEqual([]);
	});

	it('waits for the newline of a line appended in pieces', async () => {
		const file = join(dir, 'usage.jsonl');
		writeFileSync(file, usageLine(1, 1, 100, 10));
		const engine = await started();
		const line = usageLine(1, 2, 200, 20);
		appendFileSync(file, line.slice(0, 40));
		await waitFor(() => engine.store.getSnapshot().doc.problems.byKind['incomplete-line'] === 1, 5000, 'the partial line seen');
		expect(totalsOf(engine)).toEqual({records: 1, total: 110});
		appendFileSync(file, line.slice(40, 90));
		appendFileSync(file, line.slice(90));
		await until(engine, 2, 330);
		expect(engine.store.getSnapshot().doc.problems.count).toBe(0);
	});

	it('retracts a truncated file and re-reads it', async () => {
		const file = join(dir, 'usage.jsonl');
		writeFileSync(file, usageLine(1, 1, 100, 10) + usageLine(1, 2, 200, 20) + 'not json\n');
		const engine = await started();
		expect(totalsOf(engine)).toEqual({records: 2, total: 330});
		expect(engine.store.getSnapshot().doc.problems.count).toBe(1);
		truncateSync(file, 0);
		appendFileSync(file, usageLine(2, 1, 5, 5) + 'still not json\n');
		await until(engine, 1, 10);
		// The old file's problem went with its records: no doubling.
		expect(engine.store.getSnapshot().doc.problems.count).toBe(1);
	});

	it('a file rewritten in place (same size, other bytes) is re-read', async () => {
		const file = join(dir, 'usage.jsonl');
		writeFileSync(file, usageLine(1, 1, 100, 10));
		const engine = await started();
		writeFileSync(file, usageLine(1, 1, 900, 10));
		await until(engine, 1, 910);
	});

	it('rotation by rename: old records stay once, the new file adds', async () => {
		const file = join(dir, 'usage.jsonl');
		writeFileSync(file, usageLine(1, 1, 100, 10) + usageLine(1, 2, 200, 20));
		const engine = await started();
		renameSync(file, join(dir, 'usage-1.jsonl'));
		writeFileSync(file, usageLine(2, 1, 1000, 1));
		await until(engine, 3, 1331);
		await waitFor(() => engine.store.getSnapshot().sources[0]!.files === 2, 5000, 'two files');
		expect(totalsOf(engine)).toEqual({records: 3, total: 1331});
	});

	it('a deleted file keeps its history; a recreated one adds without double counting', async () => {
		const file = join(dir, 'usage.jsonl');
		writeFileSync(file, usageLine(1, 1, 100, 10));
		const engine = await started();
		unlinkSync(file);
		await waitFor(() => engine.store.getSnapshot().sources[0]!.files === 0, 5000, 'the delete seen');
		expect(totalsOf(engine)).toEqual({records: 1, total: 110});
		// Recreated with the old line again (same key: counted once) and a new one.
		writeFileSync(file, usageLine(1, 1, 100, 10) + usageLine(3, 1, 7, 3));
		await until(engine, 2, 120);
	});

	it('touch without change reads nothing and changes nothing', async () => {
		const file = join(dir, 'usage.jsonl');
		writeFileSync(file, usageLine(1, 1, 100, 10));
		const engine = await started();
		const before = engine.store.getSnapshot();
		const future = new Date(Date.now() + 5000);
		utimesSync(file, future, future);
		// Give the backstop two rounds, then make a real change: the touch must not have counted.
		const bytes = engine.stats.bytesRead;
		appendFileSync(join(dir, 'usage-2.jsonl'), usageLine(9, 1, 1, 1));
		await until(engine, 2, 112);
		expect(engine.store.getSnapshot().revision).toBeGreaterThan(before.revision);
		expect(totalsOf(engine)).toEqual({records: 2, total: 112});
		expect(engine.stats.bytesRead - bytes).toBeLessThan(usageLine(1, 1, 100, 10).length * 2);
	});

	it('re-reads a .gz file when it is rewritten', async () => {
		const file = join(dir, 'usage-old.jsonl.gz');
		writeFileSync(file, gzipSync(usageLine(1, 1, 100, 10)));
		const engine = await started();
		expect(totalsOf(engine)).toEqual({records: 1, total: 110});
		writeFileSync(file, gzipSync(usageLine(1, 1, 100, 10) + usageLine(1, 2, 50, 5)));
		await until(engine, 2, 165);
	});

	it('picks up new files, and a root that appears later', async () => {
		const later = join(dir, 'later');
		const engine = await started([dir, later]);
		expect(totalsOf(engine)).toEqual({records: 0, total: null});
		writeFileSync(join(dir, 'usage-a.jsonl'), usageLine(1, 1, 1, 1));
		await until(engine, 1, 2);
		mkdirSync(later);
		writeFileSync(join(later, 'usage.jsonl'), usageLine(2, 1, 2, 2));
		await until(engine, 2, 6);
		appendFileSync(join(later, 'usage.jsonl'), usageLine(2, 2, 3, 3));
		await until(engine, 3, 12);
	});

	it('coalesces notifications and keeps the snapshot object until something changed', async () => {
		const file = join(dir, 'usage.jsonl');
		writeFileSync(file, '');
		const engine = await started([dir], {notifyIntervalMs: 100});
		let calls = 0;
		const unsubscribe = engine.store.subscribe(() => calls++);
		const a = engine.store.getSnapshot();
		expect(engine.store.getSnapshot()).toBe(a);
		for (let i = 1; i <= 30; i++) appendFileSync(file, usageLine(1, i, 1, 1));
		await until(engine, 30, 60);
		expect(calls).toBeLessThanOrEqual(5);
		unsubscribe();
	});
});
