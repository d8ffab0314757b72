/**
 * One full read through the live engine's trackers and persistent index (`summary --once`):
 * unchanged files come from the index, changed ones are read from their committed offset.
 * Returns the same shape the old one-shot scan did, so commands need not care.
 */
import type {Ledger} from '../core/ledger.js';
import {ProblemLog} from '../core/problems.js';
import type {DiscoveryOptions, DiscoveryResult} from './discover.js';
import {Engine} from './engine.js';
import type {EngineOptions} from './engine-types.js';
import type {ScanResult, SourceStats} from './scan.js';

export interface ReadOnceOptions {
	discovery: DiscoveryOptions;
	cacheDir: string | null;
	issuePatterns?: readonly RegExp[];
	onNotice?: (message: string) => void;
	sources?: EngineOptions['sources'];
	/** Prices records as they are counted (the raw ledger can then be the one that counts). */
	pricer?: EngineOptions['pricer'];
}

export interface ReadOnceResult {
	ledger: Ledger;
	scan: ScanResult;
	engine: Engine;
}

export async function readOnce(options: ReadOnceOptions, discovered?: DiscoveryResult): Promise<ReadOnceResult> {
	const engine = new Engine(
		{
			discovery: options.discovery,
			cacheDir: options.cacheDir,
			issuePatterns: options.issuePatterns,
			onNotice: options.onNotice ?? (() => {}),
			sources: options.sources,
			pricer: options.pricer,
			watch: false,
		},
		discovered,
	);
	await engine.start();
	await engine.stop();
	const problems = new ProblemLog();
	// The document's problem list already merges per-file problems and incomplete lines; ledger
	// conflicts are added by buildSummary again, so only the file problems are copied here.
	const files = engine.fileProblems();
	problems.count = files.count;
	Object.assign(problems.byKind, files.byKind);
	problems.items.push(...files.items);
	const status = engine.sourceStatus();
	const sources: SourceStats[] = engine.rootList().map((root) => {
		const s = status.get(root);
		return {
			kind: root.kind,
			path: root.path,
			via: root.via,
			files: s?.files ?? 0,
			records: s?.records ?? 0,
			problems: s?.problems ?? 0,
			bytes: engine.bytesOf(root),
		};
	});
	return {ledger: engine.ledger, scan: {sources, problems, events: engine.events()}, engine};
}
