#!/usr/bin/env node
/**
 * The build users run: dist/ (tsc's output) bundled with its dependencies into dist/burn.js and
 * dist/chunks/ (esbuild). A start then reads a few files and resolves no package through
 * node_modules; each command stays a lazy chunk (code splitting), so `summary --json` still loads
 * no Ink, React or exporters. Run after `tsc -b` (npm run build does both).
 *
 * Layout: burn.js sits where dist/cli.js does and every chunk two levels below the package root,
 * as every tsc module under dist/<dir>/ does, so the modules' `new URL('../package.json' or
 * '../../package.json', import.meta.url)` find the package's own file in both builds.
 *
 * Left outside the bundle: better-sqlite3 (a native addon, loaded on first use) and Ink's
 * react-devtools-core (imported only with DEV=true, not a dependency). zod and yaml load through
 * createRequire on first use (core/zod.ts, core/yaml.ts): from node_modules, as before.
 */
import {createHash} from 'node:crypto';
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {build} from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
// Replaced by the digest of the output itself (same length, so source maps stay right).
const PLACEHOLDER = 'burn-build-id-placeholder-00000000000000';

const result = await build({
	entryPoints: {burn: join(dist, 'cli.js')},
	outdir: dist,
	entryNames: '[name]',
	chunkNames: 'chunks/[name]-[hash]',
	bundle: true,
	splitting: true,
	format: 'esm',
	platform: 'node',
	target: 'node20',
	external: ['better-sqlite3', 'react-devtools-core'],
	// CommonJS dependencies bundled into ESM still call require() for node's own modules.
	banner: {js: "import {createRequire as __burnRequire} from 'node:module';\nconst require = __burnRequire(import.meta.url);"},
	define: {BURN_BUILD_ID: JSON.stringify(PLACEHOLDER)},
	minifySyntax: true,
	minifyWhitespace: true,
	// No keepNames: it wraps every closure a hot function makes in a __name() call (~4 % of a cold read); nothing reads function names.
	sourcemap: 'linked',
	legalComments: 'none',
	write: false,
	logLevel: 'warning',
});

// The build id (ingest/summary-cache.ts `buildId`): the bundle's own bytes and the package's
// manifest, so a kept summary is never read by a different build, with no walk of dist/ at start.
const hash = createHash('sha1');
hash.update(readFileSync(join(root, 'package.json')));
const files = [...result.outputFiles].sort((a, b) => (a.path < b.path ? -1 : 1));
for (const f of files) hash.update(`${f.path.slice(dist.length)}\0`).update(f.contents);
const id = hash.digest('hex');
if (id.length !== PLACEHOLDER.length) throw new Error('the build id must fill the placeholder exactly');

rmSync(join(dist, 'chunks'), {recursive: true, force: true});
for (const f of files) {
	mkdirSync(dirname(f.path), {recursive: true});
	const text = f.path.endsWith('.js') ? f.text.replaceAll(PLACEHOLDER, id) : f.text;
	writeFileSync(f.path, text, f.path.endsWith('burn.js') ? {mode: 0o755} : {});
}
