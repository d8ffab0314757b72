/** What every bench script shares: where it runs from, its --name value options, directory sizes. */
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
 * of their ~/.claude), or under --cache-parent. Not os.tmpdir(): on the bench VM a file created in
 * /tmp costs ~0.6 ms against 0.02-0.1 ms elsewhere on the same disk, and a cold run creates a
 * segment per file read (x1: ~600 files, 0.35-0.5 s of /tmp alone), which is the VM, not burn.
 */
export function benchCacheDir(near, label) {
	return mkdtempSync(join(opt('--cache-parent', near), `.burn-bench-${label}-`));
}
