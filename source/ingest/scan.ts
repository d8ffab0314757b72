/**
 * One full read of every discovered root into a ledger (`summary --once`). The live engine reads
 * the same files incrementally; both go through the same sources.
 */
import {statSync} from 'node:fs';
import {attributeIssue, DEFAULT_ISSUE_PATTERNS} from '../core/attribution.js';
import type {Ledger} from '../core/ledger.js';
import {ProblemLog} from '../core/problems.js';
import type {ActivityEvent, SourceKind} from '../core/record.js';
import {sourceDefinition} from '../sources/registry.js';
import type {ParseResult, SourceRoot} from '../sources/types.js';
import {listRootFiles, type DiscoveryResult} from './discover.js';
import {readLineFile} from './read-stream.js';

export interface SourceStats {
	kind: SourceKind;
	path: string;
	via: string;
	files: number;
	records: number;
	problems: number;
	bytes: number;
}

export interface ScanResult {
	sources: SourceStats[];
	problems: ProblemLog;
	events: ActivityEvent[];
}

export interface ScanOptions {
	/** Issue patterns tried on each record's workspace (defaults first). */
	issuePatterns?: readonly RegExp[];
}

export async function scanOnce(discovery: DiscoveryResult, ledger: Ledger, options: ScanOptions = {}): Promise<ScanResult> {
	const patterns = [...DEFAULT_ISSUE_PATTERNS, ...(options.issuePatterns ?? [])];
	const problems = new ProblemLog();
	const events: ActivityEvent[] = [];
	const sources: SourceStats[] = [];
	for (const root of discovery.roots) {
		sources.push(await scanRoot(root, ledger, problems, events, patterns));
	}
	return {sources, problems, events};
}

async function scanRoot(
	root: SourceRoot,
	ledger: Ledger,
	problems: ProblemLog,
	events: ActivityEvent[],
	patterns: readonly RegExp[],
): Promise<SourceStats> {
	const stats: SourceStats = {kind: root.kind, path: root.path, via: root.via, files: 0, records: 0, problems: 0, bytes: 0};
	const def = sourceDefinition(root.kind);
	if (!def) return stats;
	const take = (result: Pick<ParseResult<unknown>, 'records' | 'events' | 'problems'>) => {
		stats.records += result.records.length;
		stats.problems += result.problems.length;
		problems.addAll(result.problems);
		for (const r of result.records) ledger.addOne(attributeIssue(r, patterns));
		for (const e of result.events) events.push(e);
	};
	for (const file of listRootFiles(root)) {
		stats.files++;
		try {
			const reader = def.readerFor(file);
			if (reader.type === 'document') {
				take(await reader.source.read(file));
				// A document (OpenCode's database) is read whole: its size on disk is what was read.
				stats.bytes += statSync(file).size;
				continue;
			}
			const read = await readLineFile(file, reader.source, reader.source.initialState(file), take);
			stats.bytes += read.consumedBytes + read.tailBytes;
			if (read.tailBytes > 0) {
				stats.problems++;
				problems.add({
					kind: 'incomplete-line',
					path: file,
					line: read.consumedLines + 1,
					reason: `last line has no newline (${read.tailBytes} bytes): an incomplete record, skipped until it is finished`,
				});
			}
		} catch (error) {
			stats.problems++;
			problems.add({kind: 'read-error', path: file, line: null, reason: (error as Error).message});
		}
	}
	return stats;
}
