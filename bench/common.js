/** What every bench script shares: where it runs from, its --name value options, directory sizes, timing a process. */
import {spawn} from 'node:child_process';
import {mkdtempSync, readdirSync, statSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

/** bench/ and the repository root above it. */
export const here = dirname(fileURLToPath(import.meta.url));
export const root = dirname(here);

const argv = process.argv.slice(2);
/** The value after `--name` on the command line, else `dflt`. */
export function opt(name, dflt) {
	const i = argv.indexOf(name);
	return i === -1 ? dflt : argv[i + 1];
}

/** Bytes in the regular files below `dir`. */
export function duBytes(dir) {
	let n = 0;
	for (const e of readdirSync(dir, {withFileTypes: true, recursive: true})) {
		if (e.isFile()) n += statSync(join(e.parentPath ?? e.path, e.name)).size;
	}
	return n;
}

/** The index's files in a cache dir: its manifest (index.json) and segments (index-<sha1>.seg). */
export function indexFiles(dir) {
	return readdirSync(dir).filter((n) => n === 'index.json' || /^index-[0-9a-f]+\.seg$/.test(n));
}

/** Bytes the index takes in a cache dir. */
export function indexBytes(dir) {
	return indexFiles(dir).reduce((n, name) => n + statSync(join(dir, name)).size, 0);
}

/**
 * A fresh cache dir for one bench, beside the corpus it reads (as a user's ~/.cache is on the disk
 * of their ~/.claude), or under --cache-parent. Not os.tmpdir(): on the bench VM creating a file
 * costs ~0.6 ms in some directories against 0.02-0.1 ms elsewhere on the same disk (session 7 saw
 * it in /tmp, session 8 in a new directory under /work/corpus), which is the VM, not burn.
 */
export function benchCacheDir(near, label) {
	return mkdtempSync(join(opt('--cache-parent', near), `.burn-bench-${label}-`));
}

/**
 * One process under GNU time: wall ms to its exit, ms to the last byte of its answer on stdout (a
 * full read keeps its state for the next run after answering), peak RSS MB, stdout. Exit 0 and 3
 * (`--fail-on` raised) are answers; anything else rejects with the end of stderr.
 */
export function measure(cmd, args, {cwd, env}) {
	return new Promise((resolve, reject) => {
		const t0 = performance.now();
		const p = spawn('/usr/bin/time', ['-f', '%M', cmd, ...args], {cwd, env});
		const out = [];
		let err = '';
		let answerMs = 0;
		p.stdout.on('data', (d) => {
			out.push(d);
			answerMs = performance.now() - t0;
		});
		p.stderr.on('data', (d) => (err += d));
		p.on('error', reject);
		p.on('close', (status) => {
			const ms = performance.now() - t0;
			if (status !== 0 && status !== 3) return reject(new Error(`${cmd} ${args.join(' ')} failed (${status}): ${err.slice(-2000)}`));
			const rssKb = Number(err.trim().split('\n').pop());
			resolve({ms, answerMs, rssMb: rssKb / 1024, stdout: Buffer.concat(out).toString('utf8')});
		});
	});
}
