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

/** A problem log as JSON (the persistent index, `burn.summary/1`'s `problems`). */
export interface ProblemLogJson {
	count: number;
	byKind: Partial<Record<ProblemKind, number>>;
	items: Problem[];
}

/**
 * The one problem log: keeps every count but only the first `maxItems` problems, so bad input
 * cannot eat memory. Per file (50 items), per ledger (dedup conflicts) and merged for a document
 * (1000): logs are combined with `merge`, which keeps counts exact.
 */
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

	/** Adds another log: exact counts, its items up to this log's cap. */
	merge(other: Readonly<ProblemLogJson>): void {
		this.count += other.count;
		for (const [kind, n] of Object.entries(other.byKind)) {
			this.byKind[kind as ProblemKind] = (this.byKind[kind as ProblemKind] ?? 0) + (n ?? 0);
		}
		for (const item of other.items) {
			if (this.items.length >= this.maxItems) break;
			this.items.push(item);
		}
	}

	/** Drops the listed problems of one file (a retracted file's conflicts; a re-read reports them again). */
	dropPath(path: string): void {
		let removed = 0;
		for (const p of this.items) {
			if (p.path !== path) continue;
			removed++;
			this.byKind[p.kind] = (this.byKind[p.kind] ?? 1) - 1;
		}
		if (removed === 0) return;
		this.count -= removed;
		const keep = this.items.filter((p) => p.path !== path);
		this.items.splice(0, this.items.length, ...keep);
	}

	clear(): void {
		this.count = 0;
		for (const k of Object.keys(this.byKind)) delete this.byKind[k as ProblemKind];
		this.items.length = 0;
	}

	toJson(): ProblemLogJson {
		return {count: this.count, byKind: this.byKind, items: this.items};
	}

	static fromJson(json: ProblemLogJson, maxItems?: number): ProblemLog {
		const log = new ProblemLog(maxItems);
		log.count = json.count;
		Object.assign(log.byKind, json.byKind);
		log.items.push(...json.items);
		return log;
	}
}
