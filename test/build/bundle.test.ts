import {spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {CLI, REPO, tempDir} from '../helpers/temp.js';
import {usageLine} from '../helpers/records.js';

/**
 * dist/burn.js is what users run (`bin`, scripts/bundle.mjs) and what every CLI test spawns.
 * These check what only the bundle can get wrong: where it finds the package's own files, the
 * build id that keys a kept summary, and that React's code stays out of the modules evaluated
 * before production-mode.ts sets NODE_ENV.
 */
describe('the bundled CLI', () => {
	it('is the package bin, and prints the package version', () => {
		const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {version: string; bin: Record<string, string>};
		expect(join(REPO, pkg.bin.burn)).toBe(CLI);
		const r = spawnSync(process.execPath, [CLI, '--version'], {encoding: 'utf8'});
		expect(r.status, r.stderr).toBe(0);
		expect(r.stdout).toBe(`${pkg.version}\n`);
	});

	it('loads no React code before its entry has run (React picks its build from NODE_ENV when first evaluated)', () => {
		// The chunks that ESM evaluates before burn.js's own body: its static imports, transitively.
		const reached = new Set<string>();
		const visit = (file: string) => {
			if (reached.has(file)) return;
			reached.add(file);
			const text = readFileSync(file, 'utf8');
			for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*)"(\.{1,2}\/[^"]+\.js)"/g)) visit(join(dirname(file), m[1]!));
		};
		visit(CLI);
		const react = /Symbol\.for\("react\./;
		expect(reached.size).toBeGreaterThan(1);
		for (const file of reached) expect(react.test(readFileSync(file, 'utf8')), file).toBe(false);
		// ...and React is in the bundle, in a chunk loaded later (else the check above proves nothing).
		const chunks = join(REPO, 'dist', 'chunks');
		const withReact = readdirSync(chunks).filter((f) => f.endsWith('.js') && react.test(readFileSync(join(chunks, f), 'utf8')));
		expect(withReact.length).toBeGreaterThan(0);
	});

	describe('keys a kept summary by its own build', () => {
		const {dir, cleanup} = tempDir('burn-bundle-');
		afterAll(cleanup);
		const work = join(dir, 'work');
		const cache = join(dir, 'cache');
		const kept = join(cache, 'summary.v8');
		mkdirSync(join(work, '.symphony', 'telemetry'), {recursive: true});
		writeFileSync(join(work, '.symphony', 'telemetry', 'usage.jsonl'), usageLine(1, 1, 1000, 100) + usageLine(1, 2, 2000, 200));
		const env = {...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state'), BURN_DEBUG: ''};
		const run = (cli: string) => {
			const before = existsSync(kept) ? statSync(kept) : null;
			const r = spawnSync(process.execPath, [cli, 'summary', '--once', '--json', '--cache-dir', cache], {cwd: work, env, encoding: 'utf8'});
			expect(r.status, r.stderr).toBe(0);
			const after = statSync(kept);
			const doc = JSON.parse(r.stdout) as {generatedAt: string; totals: {records: number}};
			expect(doc.totals.records).toBe(2);
			return {hit: before !== null && before.ino === after.ino && before.mtimeMs === after.mtimeMs, doc: {...doc, generatedAt: ''}};
		};
		const modules = join(REPO, 'dist', 'cli.js');

		it('a second bundled run answers from it; tsc’s build, another build, does not, and both answer the same', () => {
			const first = run(CLI);
			expect(first.hit).toBe(false);
			const again = run(CLI);
			expect(again.hit).toBe(true);
			const other = run(modules);
			expect(other.hit).toBe(false);
			expect(other.doc).toEqual(first.doc);
			expect(run(CLI).hit).toBe(false);
		});
	});
});
