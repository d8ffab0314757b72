import {cpSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const FIXTURES = join(REPO, 'fixtures');
export const CLI = join(REPO, 'dist', 'burn.js');

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(prefix = 'burn-test-'): {dir: string; cleanup: () => void} {
	const dir = mkdtempSync(join(tmpdir(), prefix));
	return {dir, cleanup: () => rmSync(dir, {recursive: true, force: true})};
}

/** Copies a fixture file or directory into `dir` (tests never read fixtures in place when they write). */
export function copyFixture(fixture: string, dir: string, name?: string): string {
	const target = join(dir, name ?? fixture.split('/').pop()!);
	mkdirSync(dir, {recursive: true});
	cpSync(join(FIXTURES, fixture), target, {recursive: true});
	return target;
}
