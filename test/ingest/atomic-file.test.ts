import {chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {AtomicFile, removeStaleTemps, writeAtomically} from '../../source/ingest/atomic-file.js';
import {SUMMARY_CACHE_FILE, saveSummaryCache} from '../../source/ingest/summary-cache.js';

const dirs: string[] = [];
afterEach(() => {
	for (const d of dirs.splice(0)) {
		chmodSync(d, 0o700);
		rmSync(d, {recursive: true, force: true});
	}
});
const temp = () => {
	const d = mkdtempSync(join(tmpdir(), 'burn-atomic-'));
	dirs.push(d);
	return d;
};
const temps = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.tmp'));
const hoursAgo = (path: string, h: number) => utimesSync(path, new Date(Date.now() - h * 3_600_000), new Date(Date.now() - h * 3_600_000));

describe('atomic files', () => {
	it('writes the whole file, 0600, replacing the old one, and leaves no temp file', () => {
		const dir = temp();
		const path = join(dir, 'state.json');
		writeFileSync(path, 'old');
		writeAtomically(path, ['{"a":', Buffer.from('1}')]);
		expect(readFileSync(path, 'utf8')).toBe('{"a":1}');
		expect(statSync(path).mode & 0o777).toBe(0o600);
		expect(temps(dir)).toEqual([]);
	});

	it('a write that fails leaves what was there and no temp file', () => {
		const dir = temp();
		// The target is a directory with something in it: the rename fails once the temp file is written.
		const blocked = join(dir, 'state.json');
		mkdirSync(join(blocked, 'x'), {recursive: true});
		expect(() => writeAtomically(blocked, ['new'])).toThrow();
		expect(temps(dir)).toEqual([]);
		expect(readdirSync(blocked)).toEqual(['x']);
	});

	it('a file written in parts counts its bytes, and a dropped one is gone', () => {
		const dir = temp();
		const f = AtomicFile.beside(join(dir, 'index.json'));
		f.write(Buffer.from('abc'));
		f.write(Buffer.from('de'));
		expect(f.length).toBe(5);
		expect(temps(dir)).toHaveLength(1);
		expect(temps(dir)[0]).toMatch(/^index\.json\.\d+\.[0-9a-z]+\.tmp$/);
		f.drop();
		expect(temps(dir)).toEqual([]);
		const g = AtomicFile.beside(join(dir, 'index.json'));
		g.write(Buffer.from('xyz'));
		g.keep(join(dir, 'index-abc.seg'));
		expect(readFileSync(join(dir, 'index-abc.seg'), 'utf8')).toBe('xyz');
	});

	it('sweeps only the named writers\' temp files, once an hour old', () => {
		const dir = temp();
		const stale = join(dir, 'flags.v8.1.dead.tmp');
		const young = join(dir, 'flags.v8.2.live.tmp');
		const foreign = join(dir, 'notes.txt.3.old.tmp');
		for (const p of [stale, young, foreign]) writeFileSync(p, 'x');
		hoursAgo(stale, 2);
		hoursAgo(foreign, 2);
		removeStaleTemps(dir, ['flags.v8']);
		expect(existsSync(stale)).toBe(false);
		expect(existsSync(young)).toBe(true);
		expect(existsSync(foreign)).toBe(true);
	});

	it('a kept summary left half-written by a process that died is swept by the next save', () => {
		const dir = temp();
		const dead = join(dir, `${SUMMARY_CACHE_FILE}.4242.dead.tmp`);
		writeFileSync(dead, Buffer.alloc(1024));
		hoursAgo(dead, 3);
		saveSummaryCache(dir, 'key', {files: [], alerts: []}, {n: 1}, Buffer.from('{}'));
		expect(existsSync(dead)).toBe(false);
		expect(existsSync(join(dir, SUMMARY_CACHE_FILE))).toBe(true);
		expect(temps(dir)).toEqual([]);
	});
});
