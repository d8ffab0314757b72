#!/usr/bin/env node
/**
 * What the line reader's buffer size costs: every `.jsonl` file below a corpus read whole with
 * positioned `readSync`s into one reused buffer of each size, and the LFs in each read counted
 * (as the reader's `lastIndexOf` and a source's cursor walk the bytes just read). Run twice in a
 * row so the files are in the page cache; the sizes are run in the given order, then once more.
 *
 *   node bench/read-buffer.js [--corpus /work/corpus/x1] [--sizes 4096,1024,256,128,64]   (KiB)
 */
import {closeSync, openSync, readdirSync, readFileSync, readSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {here, opt} from './common.js';

const corpus = resolve(opt('--corpus', join(here, 'corpus', 'x1')));
const sizes = opt('--sizes', '4096,1024,256,128,64').split(',').map((k) => Number(k) * 1024);
const meta = JSON.parse(readFileSync(join(corpus, 'meta.json'), 'utf8'));

const files = readdirSync(meta.home, {withFileTypes: true, recursive: true})
	.filter((e) => e.isFile() && e.name.endsWith('.jsonl'))
	.map((e) => join(e.parentPath ?? e.path, e.name));

function readAll(size) {
	const buf = Buffer.allocUnsafe(size);
	let bytes = 0;
	let lines = 0;
	const t0 = performance.now();
	for (const f of files) {
		const fd = openSync(f, 'r');
		for (let pos = 0; ; ) {
			const n = readSync(fd, buf, 0, size, pos);
			if (n <= 0) break;
			pos += n;
			bytes += n;
			for (let i = buf.indexOf(10); i !== -1 && i < n; i = buf.indexOf(10, i + 1)) lines++;
		}
		closeSync(fd);
	}
	return {ms: performance.now() - t0, bytes, lines};
}

readAll(sizes[0]); // the page cache
process.stdout.write(`read every .jsonl of ${corpus} (${files.length} files) into one buffer — ${new Date().toISOString()}\n`);
for (const size of [...sizes, ...sizes]) {
	const r = readAll(size);
	process.stdout.write(`  ${String(size / 1024).padStart(5)} KiB  ${r.ms.toFixed(0).padStart(5)} ms  ${(r.bytes / 1e6 / (r.ms / 1000)).toFixed(0).padStart(5)} MB/s  (${r.bytes} bytes, ${r.lines} lines)\n`);
}
