/**
 * Problems kept per file, so a file that is re-read from zero drops its old problems instead of
 * doubling them. Counts are exact; only the first few items per file are kept.
 */
import type {Problem, ProblemKind} from '../core/problems.js';
import {ProblemLog} from '../core/problems.js';

export const MAX_ITEMS_PER_FILE = 50;

export interface FileProblemsJson {
	count: number;
	byKind: Partial<Record<ProblemKind, number>>;
	items: Problem[];
}

export class FileProblems {
	count = 0;
	byKind: Partial<Record<ProblemKind, number>> = {};
	items: Problem[] = [];

	add(problem: Problem): void {
		this.count++;
		this.byKind[problem.kind] = (this.byKind[problem.kind] ?? 0) + 1;
		if (this.items.length < MAX_ITEMS_PER_FILE) this.items.push(problem);
	}

	addAll(problems: readonly Problem[]): void {
		for (const p of problems) this.add(p);
	}

	clear(): void {
		this.count = 0;
		this.byKind = {};
		this.items = [];
	}

	toJson(): FileProblemsJson {
		return {count: this.count, byKind: this.byKind, items: this.items};
	}

	static fromJson(json: FileProblemsJson): FileProblems {
		const p = new FileProblems();
		p.count = json.count;
		p.byKind = {...json.byKind};
		p.items = [...json.items];
		return p;
	}
}

/** Adds one file's problems to a merged log (exact counts, items up to the log's cap). */
export function mergeInto(log: ProblemLog, problems: FileProblems): void {
	log.count += problems.count;
	for (const [kind, n] of Object.entries(problems.byKind)) {
		log.byKind[kind as ProblemKind] = (log.byKind[kind as ProblemKind] ?? 0) + (n ?? 0);
	}
	for (const item of problems.items) if (log.items.length < 1000) log.items.push(item);
}
