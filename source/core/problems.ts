/**
 * Errors in data are counted and reported, never thrown past a source (house style rule 6).
 */
export type ProblemKind =
	| 'malformed-json'
	| 'not-an-object'
	| 'invalid-record'
	| 'schema-version'
	| 'duplicate-conflict'
	| 'incomplete-line'
	| 'line-too-long'
	| 'invalid-utf8'
	| 'read-error'
	| 'unsupported-format';

export interface Problem {
	kind: ProblemKind;
	path: string;
	/** 1-based line, when the source is line-based. */
	line: number | null;
	/** The offending field, when one is to blame. */
	field?: string;
	reason: string;
}

/** Keeps every count but only the first `maxItems` problems, so bad input cannot eat memory. */
export class ProblemLog {
	readonly items: Problem[] = [];
	readonly byKind: Partial<Record<ProblemKind, number>> = {};
	count = 0;

	constructor(private readonly maxItems = 1000) {}

	add(problem: Problem): void {
		this.count++;
		this.byKind[problem.kind] = (this.byKind[problem.kind] ?? 0) + 1;
		if (this.items.length < this.maxItems) this.items.push(problem);
	}

	addAll(problems: readonly Problem[]): void {
		for (const p of problems) this.add(p);
	}
}
