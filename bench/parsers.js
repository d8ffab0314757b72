#!/usr/bin/env node
/**
 * Parser-only throughput (no ledger, no index): each source's LineSource.parse over the corpus
 * in 4 MB chunks, the way the engine hands them. Prints per-source MB/s of CPU and a checksum.
 *   node bench/parsers.js [corpusHome] [--only claude|codex|symphony] [--repeat N]
 */
import {closeSync, openSync, readdirSync, readSync} from 'node:fs';
import {join} from 'node:path';
import {claudeSource} from '../dist/sources/claude.js';
import {codexSource} from '../dist/sources/codex.js';
import {symphonySource} from '../dist/sources/symphony.js';

const args = process.argv.slice(2);
const home = args.find((a, i) => !a.startsWith('--') && !(args[i - 1] ?? '').startsWith('--')) ?? 'bench/corpus/home';
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const repeat = args.includes('--repeat') ? Number(args[args.indexOf('--repeat') + 1]) : 1;

function walk(dir, out = []) {
	for (const e of readdirSync(dir, {withFileTypes: true})) {
		const p = join(dir, e.name);
		if (e.isDirectory()) walk(p, out);
		else if (e.name.endsWith('.jsonl')) out.push(p);
	}
	return out;
}

const sets = {
	claude: [claudeSource, walk(join(home, '.claude'))],
	codex: [codexSource, walk(join(home, '.codex'))],
	symphony: [symphonySource, walk(join(home, 'work', '.symphony'))],
};
const CHUNK = 4 << 20;
for (const [name, [source, files]] of Object.entries(sets)) {
	if (only && only !== name) continue;
	for (let r = 0; r < repeat; r++) {
		let bytes = 0, records = 0, events = 0, problems = 0, tokens = 0;
		const cpu0 = process.cpuUsage();
		for (const path of files) {
			const fd = openSync(path, 'r');
			let state = source.initialState(path);
			let buf = Buffer.allocUnsafe(CHUNK), filled = 0, offset = 0, line = 1, pos = 0;
			for (;;) {
				if (filled === buf.length) {
					const b = Buffer.allocUnsafe(buf.length * 2);
					buf.copy(b, 0, 0, filled);
					buf = b;
				}
				const n = readSync(fd, buf, filled, buf.length - filled, pos);
				if (n === 0) break;
				pos += n;
				bytes += n;
				filled += n;
				const last = buf.lastIndexOf(10, filled - 1);
				if (last === -1) continue;
				const res = source.parse(buf.subarray(0, last + 1), state, {path, offset, line});
				state = res.state;
				records += res.records.length;
				events += res.events.length;
				problems += res.problems.length;
				for (const rec of res.records) tokens += rec.tokens.total ?? 0;
				offset += res.consumedBytes;
				line += res.consumedLines;
				const next = Buffer.allocUnsafe(CHUNK);
				buf.copy(next, 0, res.consumedBytes, filled);
				filled -= res.consumedBytes;
				buf = next;
			}
			closeSync(fd);
		}
		const c = process.cpuUsage(cpu0);
		const cpuMs = (c.user + c.system) / 1000;
		process.stdout.write(JSON.stringify({source: name, mb: +(bytes / 1048576).toFixed(1), cpuMs: Math.round(cpuMs), mbPerCpuS: Math.round(bytes / 1048576 / (cpuMs / 1000)), records, events, problems, tokens}) + '\n');
	}
}
