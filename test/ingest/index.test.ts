import {execFileSync, spawn} from 'node:child_process';
import {createHash} from 'node:crypto';
import {appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {TrackerSnapshot} from '../../source/ingest/file-tracker.js';
import {encodeBody} from '../../source/ingest/index-segment.js';
import {INDEX_FILE, INDEX_VERSION, loadIndex} from '../../source/ingest/index-store.js';
import {symphonySource} from '../../source/sources/symphony.js';
import {symphonyDefinition} from '../../source/sources/symphony-definition.js';
import type {SourceDefinition} from '../../source/sources/types.js';
import {removeDir, symphonyEngine, tempDir, usageLine} from './helpers.js';

let dir: string;
let cache: string;
let data: string;
beforeEach(() => {
	dir = tempDir();
	cache = join(dir, 'cache');
	data = join(dir, 'data');
});
afterEach(() => removeDir(dir));

async function readAll(usage: string[], cacheDir: string | null, extra = {}) {
	const notices: string[] = [];
	const engine = symphonyEngine(usage, {cacheDir, watch: false, onNotice: (m: string) => notices.push(m), ...extra});
	await engine.start();
	await engine.stop();
	const doc = engine.store.getSnapshot().doc;
	return {engine, notices, doc: {...doc, generatedAt: ''}};
}

function seed(): string {
	mkdirSync(data, {recursive: true});
	const file = join(data, 'usage.jsonl');
	// A repeated line (counted once) and a conflicting one (reported), which the index folds or keeps.
	writeFileSync(
		file,
		usageLine(1, 1, 100, 10) + usageLine(1, 2, 200, 20) + usageLine(1, 1, 100, 10) + usageLine(1, 2, 999, 20) + 'garbage\n' + usageLine(2, 1, 5, 5).slice(0, 30),
	);
	writeFileSync(join(data, 'usage-2.jsonl'), usageLine(3, 1, 1, 1));
	return file;
}

/**
 * An index of an older version on disk: a warm read restores both files from it without reading a
 * byte and gives the cold answer; then a line is appended to `file` and read with the same cache.
 */
async function restoresThenGrows(file: string, cold: Awaited<ReturnType<typeof readAll>>) {
	const warm = await readAll([data], cache);
	expect(warm.notices).toEqual([]);
	expect(warm.engine.stats.restoredFiles).toBe(2);
	expect(warm.engine.stats.bytesRead).toBe(0);
	expect(warm.doc).toEqual(cold.doc);
	appendFileSync(file, usageLine(2, 1, 5, 5).slice(30));
	const grown = await readAll([data], cache);
	expect(grown.notices).toEqual([]);
	return grown;
}

describe('persistent index', () => {
	it('a restart over the index after appends matches a cold read exactly', async () => {
		const file = seed();
		const first = await readAll([data], cache);
		expect(existsSync(join(cache, INDEX_FILE))).toBe(true);
		expect(statSync(join(cache, INDEX_FILE)).mode & 0o777).toBe(0o600);
		expect(first.engine.stats.restoredFiles).toBe(0);
		// Finish the partial line, add more.
		appendFileSync(file, usageLine(2, 1, 5, 5).slice(30) + usageLine(2, 2, 7, 7));
		const warm = await readAll([data], cache);
		expect(warm.engine.stats.restoredFiles).toBe(2);
		// Only the new bytes were read.
		expect(warm.engine.stats.bytesRead).toBeLessThan(usageLine(2, 1, 5, 5).length * 3);
		const cold = await readAll([data], null);
		expect(cold.doc.problems.byKind['duplicate-conflict']).toBe(1);
		expect(warm.doc).toEqual(cold.doc);
		expect(warm.notices).toEqual([]);
		// And once more with nothing changed: nothing read at all.
		const idle = await readAll([data], cache);
		expect(idle.engine.stats.bytesRead).toBe(0);
		expect(idle.doc).toEqual(cold.doc);
	});

	for (const [name, damage] of [
		['corrupt', (b: Buffer) => Buffer.concat([b.subarray(0, 200), Buffer.from('}}}}'), b.subarray(204)])],
		['truncated', (b: Buffer) => b.subarray(0, Math.floor(b.length / 2))],
		['old-version', (b: Buffer) => Buffer.from(b.toString('latin1').replace(`"version":${INDEX_VERSION}`, '"version":0'), 'latin1')],
		['not an index', () => Buffer.from('hello')],
		['empty', () => Buffer.alloc(0)],
	] as const) {
		it(`a ${name} index is discarded with one notice and rebuilt`, async () => {
			seed();
			const cold = await readAll([data], null);
			await readAll([data], cache);
			const path = join(cache, INDEX_FILE);
			writeFileSync(path, damage(readFileSync(path)));
			const again = await readAll([data], cache);
			expect(again.notices).toHaveLength(1);
			expect(again.notices[0]).toMatch(/rebuilding it/);
			expect(again.doc).toEqual(cold.doc);
			expect(loadIndex(cache).notice).toBeNull();
		});
	}

	/** The index's segment files (name → inode), beside its manifest. */
	const segments = () => new Map(readdirSync(cache).filter((n) => n.endsWith('.seg')).map((n) => [n, statSync(join(cache, n)).ino]));
	/** The manifest's refs: `[sha1, bytes, json]` or `[sha1, bytes, json, file, at, fileBytes]`. */
	const manifestRefs = () => {
		const raw = readFileSync(join(cache, INDEX_FILE), 'utf8');
		return (JSON.parse(raw.slice(raw.indexOf('\n') + 1)) as {segments: Array<[string, number, number, string?, number?, number?]>}).segments;
	};
	/** The segment file each ref names. */
	const namedFiles = () => manifestRefs().map(([sha1, , , file]) => `index-${file ?? sha1}.seg`);

	it('a read of many files writes their segments into one segment file, each 8-aligned, and loads them back', async () => {
		seed();
		for (let i = 0; i < 5; i++) writeFileSync(join(data, `usage-x${i}.jsonl`), usageLine(10 + i, 1, 3 + i, 1));
		const cold = await readAll([data], cache);
		expect([...segments().keys()]).toEqual([...new Set(namedFiles())]);
		expect(segments().size).toBe(1);
		const refs = manifestRefs();
		expect(refs).toHaveLength(7);
		const file = join(cache, namedFiles()[0]!);
		for (const [sha1, bytes, , , at, fileBytes] of refs) {
			expect(at! % 8).toBe(0);
			expect(fileBytes).toBe(statSync(file).size);
			expect(createHash('sha1').update(readFileSync(file).subarray(at!, at! + bytes)).digest('hex')).toBe(sha1);
		}
		const warm = await readAll([data], cache);
		expect(warm.engine.stats.restoredFiles).toBe(7);
		expect(warm.engine.stats.bytesRead).toBe(0);
		expect(warm.doc).toEqual(cold.doc);
		expect(warm.notices).toEqual([]);
	});

	it('after the first read only the entries to encode again keep their records (a shared segment file is not held by the rest)', async () => {
		seed();
		await readAll([data], cache);
		const index = loadIndex(cache).index!;
		const [a, b] = [...index.files()];
		expect(index.entry(a!.path, a!.parser)).not.toBeNull();
		index.release(new Set([a!.path]));
		expect(index.entry(a!.path, a!.parser)).not.toBeNull();
		expect(index.entry(b!.path, b!.parser)).toBeNull();
		// Its segment is still named as it is.
		expect(index.segment(b!.path, b!.parser, false)).not.toBeNull();
	});

	it('an append writes only the grown file\'s segment; the others are kept where they are', async () => {
		const file = seed();
		// The other file's segment is most of the shared file, so it stays there (see the next test).
		appendFileSync(join(data, 'usage-2.jsonl'), Array.from({length: 40}, (_, i) => usageLine(20 + i, 1, 100 + i, 10)).join(''));
		await readAll([data], cache);
		const before = segments();
		expect(before.size).toBe(1);
		const shared = [...before.keys()][0]!;
		appendFileSync(file, usageLine(2, 1, 5, 5).slice(30) + usageLine(2, 2, 7, 7));
		const warm = await readAll([data], cache);
		// The other file's segment is named where it was (the same file, untouched), the grown file's
		// in a new file of its own (the old place stays a minute for readers of the previous manifest).
		const raw = readFileSync(join(cache, INDEX_FILE), 'utf8');
		const named = namedFiles();
		const after = segments();
		expect(named).toHaveLength(2);
		expect(named.filter((n) => n === shared && before.get(n) === after.get(n))).toHaveLength(1);
		const fresh = named.filter((n) => !before.has(n));
		expect(fresh).toHaveLength(1);
		// Written: the new segment and the manifest, nothing else.
		expect(warm.engine.stats.indexBytes).toBe(statSync(join(cache, fresh[0]!)).size + raw.length);
		const cold = await readAll([data], null);
		expect(warm.doc).toEqual(cold.doc);
		const again = await readAll([data], cache);
		expect(again.engine.stats.bytesRead).toBe(0);
		expect(again.doc).toEqual(cold.doc);
		expect(again.notices).toEqual([]);
	});

	it('segments left in a file that is mostly superseded move, bytes as they are, into the next write\'s file', async () => {
		const file = seed();
		// The grown file's segment is most of the shared file: once superseded, the other's is under half.
		appendFileSync(file, Array.from({length: 40}, (_, i) => usageLine(20 + i, 1, 100 + i, 10)).join(''));
		await readAll([data], cache);
		const [shared] = [...segments().keys()];
		const other = [...manifestRefs()].sort((a, b) => a[1] - b[1])[0]!;
		expect(other[1] * 2).toBeLessThan(other[5]!);
		appendFileSync(file, usageLine(2, 1, 5, 5).slice(30));
		const warm = await readAll([data], cache);
		const refs = manifestRefs();
		// Both segments in the new file; the small one has the same SHA-1 (the same bytes).
		expect(new Set(namedFiles()).size).toBe(1);
		expect(namedFiles()[0]).not.toBe(shared);
		expect(refs.some((r) => r[0] === other[0])).toBe(true);
		const cold = await readAll([data], null);
		expect(warm.doc).toEqual(cold.doc);
		const again = await readAll([data], cache);
		expect(again.engine.stats.restoredFiles).toBe(2);
		expect(again.engine.stats.bytesRead).toBe(0);
		expect(again.doc).toEqual(cold.doc);
		expect(again.notices).toEqual([]);
	});

	/**
	 * The index now on disk rewritten as an older version's: one segment file per file (each body
	 * as `body` makes it from the file's entry) under a manifest of `[sha1, bytes, json]` refs.
	 */
	function writeOneFilePerSegment(version: number, body: (entry: TrackerSnapshot) => {whole: Buffer; json: number; sha1: string}) {
		const loaded = loadIndex(cache).index!;
		const refs: Array<[string, number, number]> = [];
		for (const n of segments().keys()) unlinkSync(join(cache, n));
		for (const f of loaded.files()) {
			const b = body(loaded.entry(f.path, f.parser)!);
			writeFileSync(join(cache, `index-${b.sha1}.seg`), b.whole);
			refs.push([b.sha1, b.whole.length, b.json]);
		}
		const manifest = Buffer.from(JSON.stringify({segments: refs}));
		const head = JSON.stringify({magic: 'burn-index', version, bytes: manifest.length, sha1: createHash('sha1').update(manifest).digest('hex')});
		writeFileSync(join(cache, INDEX_FILE), Buffer.concat([Buffer.from(head + '\n'), manifest]));
		return refs;
	}

	it('a version-5 index (one file per segment) loads, and its segments are kept as they are', async () => {
		const file = seed();
		const cold = await readAll([data], null);
		await readAll([data], cache);
		const refs = writeOneFilePerSegment(5, (entry) => {
			const body = encodeBody([entry]);
			return {whole: Buffer.concat(body.parts), json: body.json, sha1: body.sha1};
		});
		await restoresThenGrows(file, cold);
		// The unchanged file's version-5 segment is named as it was.
		const other = refs.find(([sha1]) => !manifestRefs().every((r) => r[0] !== sha1));
		expect(other).toBeDefined();
		expect(manifestRefs().find((r) => r[0] === other![0])).toEqual(other);
		expect((await readAll([data], cache)).engine.stats.restoredFiles).toBe(2);
	});

	for (const [name, damage] of [
		['missing', (p: string) => unlinkSync(p)],
		['damaged', (p: string) => writeFileSync(p, Buffer.concat([readFileSync(p).subarray(0, 10), Buffer.from('}}}}'), readFileSync(p).subarray(14)]))],
		['truncated', (p: string) => writeFileSync(p, readFileSync(p).subarray(0, 20))],
		// Neither may hang the read or fill memory.
		['/dev/zero link', (p: string) => (unlinkSync(p), symlinkSync('/dev/zero', p))],
		['FIFO', (p: string) => (unlinkSync(p), execFileSync('mkfifo', [p]))],
	] as const) {
		it(`a ${name} segment discards the whole index with one notice, and it is rebuilt`, async () => {
			seed();
			const cold = await readAll([data], null);
			await readAll([data], cache);
			damage(join(cache, [...segments().keys()][0]!));
			const again = await readAll([data], cache);
			expect(again.notices).toHaveLength(1);
			expect(again.notices[0]).toMatch(/rebuilding it/);
			expect(again.engine.stats.restoredFiles).toBe(0);
			expect(again.doc).toEqual(cold.doc);
			expect(loadIndex(cache).notice).toBeNull();
			expect((await readAll([data], cache)).engine.stats.restoredFiles).toBe(2);
		});
	}

	/**
	 * Version 3 and 4's body (every number column Float64, every id column Int32, whole keys),
	 * rebuilt from version 5's by expanding each column to full width.
	 */
	function legacyBody(entries: Parameters<typeof encodeBody>[0]) {
		const v5 = encodeBody(entries);
		const whole = Buffer.concat(v5.parts);
		const body = JSON.parse(whole.toString('utf8', 0, v5.json)) as {strings: unknown; values: unknown; keys: string[]; columns: Array<[string, number | null, number?]>; files: unknown};
		const bin = whole.subarray(Math.ceil(v5.json / 8) * 8);
		const n = body.keys.length;
		const full = body.columns.map(([kind, at, base], c) => {
			const number = c < 14;
			const out: number[] = [];
			const view = (T: typeof Float64Array | typeof Int32Array | typeof Uint16Array | typeof Uint8Array) => new T(bin.buffer.slice(bin.byteOffset + at!, bin.byteOffset + at! + n * T.BYTES_PER_ELEMENT));
			for (let j = 0; j < n; j++) {
				if (kind === 'c') out.push(at === null ? NaN : at);
				else if (kind === 'f') out.push(view(Float64Array)[j]!);
				else if (kind === 'd') out.push((j === 0 ? base! : out[j - 1]!) + view(Int32Array)[j]!);
				else if (kind === 'i') out.push(number && view(Int32Array)[j] === -2147483648 ? NaN : view(Int32Array)[j]!);
				else out.push(view(kind === 'b' ? Uint8Array : Uint16Array)[j]! - 2);
			}
			return out;
		});
		const keys: string[] = [];
		for (let j = 0; j < n; j++) keys.push((j === 0 ? '' : keys[j - 1]!.slice(0, full[26]![j])) + body.keys[j]);
		const json = Buffer.from(JSON.stringify({strings: body.strings, values: body.values, keys, files: body.files}));
		const binary = Buffer.alloc(n * (14 * 8 + 12 * 4));
		full.slice(0, 14).forEach((col, c) => new Float64Array(binary.buffer, binary.byteOffset + c * n * 8, n).set(col));
		full.slice(14, 26).forEach((col, c) => new Int32Array(binary.buffer, binary.byteOffset + n * 14 * 8 + c * n * 4, n).set(col));
		const parts = [json, Buffer.alloc(Math.ceil(json.length / 8) * 8 - json.length, 0x20), binary];
		const whole3 = Buffer.concat(parts);
		return {whole: whole3, json: json.length, sha1: createHash('sha1').update(whole3).digest('hex')};
	}

	it('a version-3 index (one file) still loads, and the next write stores it as segments', async () => {
		const file = seed();
		const cold = await readAll([data], null);
		await readAll([data], cache);
		const loaded = loadIndex(cache).index!;
		const entries = [...loaded.files()].map((f) => loaded.entry(f.path, f.parser)!);
		// Version 3's layout: the header, padded to 8 bytes, then one body of every file.
		const body = legacyBody(entries);
		let head = JSON.stringify({magic: 'burn-index', version: 3, bytes: body.whole.length, sha1: body.sha1, json: body.json});
		head = head.padEnd(Math.ceil((head.length + 1) / 8) * 8 - 1, ' ');
		for (const n of segments().keys()) unlinkSync(join(cache, n));
		writeFileSync(join(cache, INDEX_FILE), Buffer.concat([Buffer.from(head + '\n'), body.whole]));
		// The first change writes it again, as a manifest and segments (the gone files' history with it).
		const grown = await restoresThenGrows(file, cold);
		expect(manifestRefs()).toHaveLength(2);
		expect(segments().size).toBe(1);
		expect(grown.doc).toEqual((await readAll([data], null)).doc);
		expect((await readAll([data], cache)).engine.stats.restoredFiles).toBe(2);
	});

	it('a version-4 index (full-width columns) still loads, and the next change writes its files as version 5', async () => {
		const file = seed();
		const cold = await readAll([data], null);
		await readAll([data], cache);
		const refs = writeOneFilePerSegment(4, (entry) => legacyBody([entry]));
		const grown = await restoresThenGrows(file, cold);
		const raw = readFileSync(join(cache, INDEX_FILE), 'utf8');
		expect(raw).toContain(`"version":${INDEX_VERSION}`);
		// Both files written again (a version-4 segment is never named by a version-5 manifest).
		const named = (JSON.parse(raw.slice(raw.indexOf('\n') + 1)) as {segments: string[][]}).segments.map(([h]) => h);
		expect(named.filter((h) => refs.some(([old]) => old === h))).toEqual([]);
		expect(grown.doc).toEqual((await readAll([data], null)).doc);
		expect((await readAll([data], cache)).engine.stats.restoredFiles).toBe(2);
	});

	it('says when the records counted are the loaded index\'s plus records with new keys no counting rule can touch', async () => {
		const file = seed();
		const cold = await readAll([data], cache);
		// Nothing loaded yet; the index written holds exactly what was counted.
		const first = cold.engine.appendLineage();
		expect(first.from).toBeNull();
		expect(first.written).toBe(loadIndex(cache).index!.digest);
		// Unchanged: the same index, restored whole.
		const idle = (await readAll([data], cache)).engine.appendLineage();
		expect(idle).toEqual({from: first.written, written: first.written});
		// The partial line finished and a new turn that names no workspace: inert, new keys.
		appendFileSync(file, usageLine(2, 1, 5, 5).slice(30) + usageLine(4, 1, 7, 7));
		const grown = (await readAll([data], cache)).engine.appendLineage();
		expect(grown.from).toBe(first.written);
		expect(grown.written).toBe(loadIndex(cache).index!.digest);
		expect(grown.written).not.toBe(first.written);
		// A line whose key is counted already (a repeat) is no append of new records.
		appendFileSync(file, usageLine(4, 1, 7, 7));
		expect((await readAll([data], cache)).engine.appendLineage().from).toBeNull();
		// A turn with a workspace: the usage rule could cover it (not inert).
		appendFileSync(file, usageLine(5, 1, 7, 7, {workspacePath: '/srv/symphony_workspaces/MT-5'}));
		expect((await readAll([data], cache)).engine.appendLineage().from).toBeNull();
		// A file rewritten (re-read from zero, its records retracted).
		writeFileSync(join(data, 'usage-2.jsonl'), usageLine(6, 1, 1, 1));
		expect((await readAll([data], cache)).engine.appendLineage().from).toBeNull();
		// Back to appends only.
		appendFileSync(file, usageLine(7, 1, 7, 7));
		const before = loadIndex(cache).index!.digest;
		expect((await readAll([data], cache)).engine.appendLineage().from).toBe(before);
	});

	it('a parser upgrade re-reads only the files it affects', async () => {
		seed();
		const other = join(dir, 'other');
		mkdirSync(other);
		writeFileSync(join(other, 'usage.jsonl'), usageLine(7, 1, 70, 7));
		// A second source kind over the same format, so each root has its own parser version.
		const second = (version: number): SourceDefinition => ({
			...symphonyDefinition,
			kind: 'instrumentation',
			flagNames: ['other'],
			roots: (ctx) => (ctx.flags.other ?? []).map((p) => ({kind: 'instrumentation', path: p, explicit: true, via: 'test'})),
			readerFor: () => ({type: 'lines', source: {...symphonySource, kind: 'instrumentation', parserVersion: version}}),
		});
		const run = (version: number) =>
			readAll([data], cache, {
				discovery: {cwd: '/', home: '/nonexistent', env: {}, flags: {usage: [data], other: [other]}},
				sources: [symphonyDefinition, second(version)],
			});
		await run(1);
		expect((await run(1)).engine.stats.restoredFiles).toBe(3);
		const upgraded = await run(2);
		expect(upgraded.engine.stats.restoredFiles).toBe(2);
		expect(upgraded.notices).toEqual([]);
	});

	it('two processes writing the index at once never leave a broken one', async () => {
		seed();
		await readAll([data], cache);
		const dist = resolve('dist/ingest/index-store.js');
		if (!existsSync(dist)) return; // the test command builds dist/ first
		const writer = (n: number) => `
			const {loadIndex, saveIndex} = await import(${JSON.stringify(dist)});
			const base = loadIndex(${JSON.stringify(cache)}).index;
			const snap = base.entry(${JSON.stringify(join(data, 'usage.jsonl'))}, 'symphony:lines:1');
			for (let i = 0; i < 40; i++) saveIndex(${JSON.stringify(cache)}, [{...snap, offset: snap.offset + ${n}}]);
		`;
		const run = (n: number) =>
			new Promise<number>((done) => spawn(process.execPath, ['--input-type=module', '-e', writer(n)], {stdio: 'inherit'}).on('exit', (c) => done(c ?? 1)));
		const children = Promise.all([run(1), run(2)]);
		let loads = 0;
		let ok = true;
		const poll = async () => {
			for (;;) {
				const r = loadIndex(cache);
				loads++;
				if (r.notice !== null || r.index === null) ok = false;
				if (await Promise.race([children.then(() => true), new Promise((res) => setImmediate(() => res(false)))])) return;
			}
		};
		await poll();
		expect(await children).toEqual([0, 0]);
		expect(ok).toBe(true);
		expect(loads).toBeGreaterThan(0);
		expect(loadIndex(cache).index?.size).toBe(1);
	});
});
