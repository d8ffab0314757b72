/**
 * The files burn keeps for itself (the index and its segment files, the kept summary and text
 * report, the flag fold and its delta, the statusline's state): written under a unique temp name
 * beside the target, mode 0600, and renamed over it once whole, so a reader sees the old file or
 * the new one, never part of one. A failed write removes its temp file; one left by a process that died mid-write is
 * swept by a later writer once it is an hour old (a live writer's is younger).
 */
import {closeSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync} from 'node:fs';
import {basename, dirname, join} from 'node:path';

/** A temp file older than this belongs to a writer that died. */
const STALE_TEMP_MS = 3_600_000;

/** A temp file being written, to be kept under its final name (`keep`) or dropped (`drop`). */
export class AtomicFile {
	private fd: number | null;
	/** Bytes written so far. */
	length = 0;

	private constructor(readonly tmp: string) {
		this.fd = openSync(tmp, 'w', 0o600);
	}

	/** A new temp file beside `path`, named after it (`<name>.<pid>.<random>.tmp`, which `removeStaleTemps` knows). */
	static beside(path: string): AtomicFile {
		return new AtomicFile(join(dirname(path), `${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`));
	}

	write(b: Uint8Array): void {
		for (let off = 0; off < b.length; ) off += writeSync(this.fd!, b, off, b.length - off);
		this.length += b.length;
	}

	/** Closes the file and renames it to `path` (over any file there). */
	keep(path: string): void {
		this.close();
		renameSync(this.tmp, path);
	}

	/** Closes and removes the temp file (after a failure; never throws). */
	drop(): void {
		try {
			this.close();
		} catch {}
		try {
			unlinkSync(this.tmp);
		} catch {}
	}

	private close(): void {
		if (this.fd === null) return;
		const fd = this.fd;
		this.fd = null;
		closeSync(fd);
	}
}

/** Writes `parts` as the whole of `path`, atomically (0600); throws when it cannot, leaving no temp file. */
export function writeAtomically(path: string, parts: ReadonlyArray<Uint8Array | string>): void {
	const file = AtomicFile.beside(path);
	try {
		for (const p of parts) file.write(typeof p === 'string' ? Buffer.from(p) : p);
		file.keep(path);
	} catch (error) {
		file.drop();
		throw error;
	}
}

/** Removes the temp files of writers of `names` (in `dir`) that died mid-write: those an hour old. */
export function removeStaleTemps(dir: string, names: readonly string[], entries?: readonly string[]): void {
	let list: readonly string[];
	try {
		list = entries ?? readdirSync(dir);
	} catch {
		return;
	}
	const old = Date.now() - STALE_TEMP_MS;
	for (const name of list) {
		if (!name.endsWith('.tmp') || !names.some((n) => name.startsWith(`${n}.`))) continue;
		try {
			const p = join(dir, name);
			if (statSync(p).mtimeMs < old) unlinkSync(p);
		} catch {}
	}
}
