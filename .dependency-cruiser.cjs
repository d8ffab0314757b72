/**
 * The import walls (see docs/architecture.md). `npm run lint` runs this over source/ with the
 * TypeScript resolver, so `./x.js` imports resolve to `x.ts`/`x.tsx` and cycles are real cycles.
 *
 * Temporary exceptions, if ever needed, go in `temporary` / `temporaryCycles` below with a reason.
 */

/**
 * Known violations tolerated for a while, each with its reason and who removes it, e.g.
 * `{from: '^source/sources/x\\.ts$', to: '^source/ingest/y\\.ts$'}`. None today: the pipeline
 * work removed the last ones (sources/bosun.ts -> ingest/read-stream.ts and two cycles).
 */
const temporary = [];
/** Modules whose cycles are tolerated for a while (regexes). None today. */
const temporaryCycles = [];

const pathNot = (list) => (list.length > 0 ? list : undefined);

module.exports = {
	forbidden: [
		{
			name: 'no-cycles',
			comment: 'No import cycles anywhere: a cycle means two modules are one idea, or a rule lives in the wrong layer.',
			severity: 'error',
			from: {path: '^source/', pathNot: pathNot(temporaryCycles)},
			to: {circular: true},
		},
		{
			name: 'core-is-pure',
			comment: 'source/core is pure TypeScript: it imports nothing from ingest, sources, ui, commands or demo.',
			severity: 'error',
			from: {path: '^source/core/'},
			to: {path: '^source/(ingest|sources|ui|commands|demo)/|^source/cli\\.tsx$'},
		},
		{
			name: 'core-no-io-or-ui-libraries',
			comment: 'source/core does no file I/O and knows nothing of React, Ink or file watching.',
			severity: 'error',
			from: {path: '^source/core/'},
			to: {path: '^(fs|node:fs|fs/promises|node:fs/promises)$|(^|/)node_modules/(react|ink|chokidar|better-sqlite3)/'},
		},
		{
			name: 'sources-below-ingest',
			comment: 'A source turns bytes into records; it never reaches up into ingest, ui or commands.',
			severity: 'error',
			from: {path: '^source/sources/'},
			to: {path: '^source/(ingest|ui|commands|demo)/|^source/cli\\.tsx$', pathNot: pathNot(temporary.filter((t) => t.from.startsWith('^source/sources/')).map((t) => t.to))},
		},
		{
			name: 'ui-reads-no-files',
			comment: 'source/ui draws what it is given: it imports nothing from ingest or sources.',
			severity: 'error',
			from: {path: '^source/ui/'},
			to: {path: '^source/(ingest|sources|commands|demo)/|^source/cli\\.tsx$'},
		},
		{
			name: 'view-model-is-pure',
			comment: 'source/ui/view is the watch screen\'s view model: pure, tested without Ink.',
			severity: 'error',
			from: {path: '^source/ui/view/'},
			to: {path: '^source/ui/[^/]+$|^(fs|node:fs|fs/promises|node:fs/promises)$|(^|/)node_modules/(react|ink|chokidar)/'},
		},
		{
			name: 'not-to-unresolvable',
			comment: 'An import that does not resolve is a typo or a missing dependency.',
			severity: 'error',
			from: {path: '^source/'},
			to: {couldNotResolve: true},
		},
	],
	options: {
		doNotFollow: {path: 'node_modules'},
		exclude: {path: '^dist/'},
		tsPreCompilationDeps: true,
		tsConfig: {fileName: 'tsconfig.build.json'},
		enhancedResolveOptions: {exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], mainFields: ['module', 'main', 'types', 'typings']},
		reporterOptions: {text: {highlightFocused: true}},
	},
};
