/**
 * The ledger: dedup + rolling totals by issue, run, model, provider and source, plus per-minute
 * buckets. Records arrive in any order from any file; a key seen again is resolved by
 * `chooseVersion`, and the totals subtract the old version and add the new one.
 * Retracting a file (it shrank or was replaced) removes its versions and lets another file's copy
 * of the same record take over.
 */
import {chooseVersion, firstDifference} from './dedup.js';
import {ProblemLog} from './problems.js';
import type {UsageRecord} from './record.js';
import {applyRecord, emptyTotals, type PricedCost, type Pricer, type Totals} from './totals.js';

export type Dimension = 'issue' | 'run' | 'model' | 'provider' | 'source';
export const DIMENSIONS: readonly Dimension[] = ['issue', 'run', 'model', 'provider', 'source'];

/** The key of the row for records that name no issue (the JSON contract's `(none)`). */
export const NO_ISSUE = '(none)';
export const UNKNOWN_MODEL = '(unknown)';

export function dimensionKey(r: UsageRecord, d: Dimension): string {
	switch (d) {
		case 'issue':
			return r.issue ?? NO_ISSUE;
		case 'run':
			return r.runId;
		case 'model':
			return r.model ?? UNKNOWN_MODEL;
		case 'provider':
			return r.provider ?? UNKNOWN_MODEL;
		case 'source':
			return r.source;
	}
}

/** Descriptive labels of a run, from its most recent record. */
export interface RunLabels {
	issue: string | null;
	provider: string | null;
	model: string | null;
	source: UsageRecord['source'];
	workspace: string | null;
	botRole: string | null;
	exitReason: string | null;
}

export interface MinuteBucket {
	records: number;
	/** Sum of known total tokens. */
	tokens: number;
	usd: number;
}

interface Entry {
	/** Every version seen, in arrival order; `effective` is the one that counts. */
	versions: UsageRecord[];
	effective: UsageRecord;
	cost: PricedCost | null;
}

export interface LedgerOptions {
	pricer?: Pricer;
	/** Records failing the filter are not counted (summary `--since/--until/--issue`). */
	accept?: (r: UsageRecord) => boolean;
}

const MINUTE = 60_000;

export class Ledger {
	readonly totals: Totals = emptyTotals();
	readonly by: Record<Dimension, Map<string, Totals>> = {
		issue: new Map(),
		run: new Map(),
		model: new Map(),
		provider: new Map(),
		source: new Map(),
	};
	readonly runLabels = new Map<string, RunLabels>();
	/** Record keys per run, for drill-down to turns. */
	readonly runKeys = new Map<string, Set<string>>();
	readonly minutes = new Map<number, MinuteBucket>();
	readonly conflicts = new ProblemLog();
	/** Increments on every change; views compare it to skip work. */
	revision = 0;

	private readonly entries = new Map<string, Entry>();
	private readonly keysByPath = new Map<string, Set<string>>();
	private pricer: Pricer | undefined;
	private readonly accept: ((r: UsageRecord) => boolean) | undefined;

	constructor(options: LedgerOptions = {}) {
		this.pricer = options.pricer;
		this.accept = options.accept;
	}

	get size(): number {
		return this.entries.size;
	}

	add(records: Iterable<UsageRecord>): void {
		for (const r of records) this.addOne(r);
	}

	addOne(r: UsageRecord): void {
		if (this.accept && !this.accept(r)) return;
		let paths = this.keysByPath.get(r.origin.path);
		if (!paths) this.keysByPath.set(r.origin.path, (paths = new Set()));
		paths.add(r.key);
		const entry = this.entries.get(r.key);
		if (!entry) {
			const cost = this.price(r);
			this.entries.set(r.key, {versions: [r], effective: r, cost});
			this.count(r, cost, 1);
			return;
		}
		entry.versions.push(r);
		const choice = chooseVersion(entry.effective, r);
		if (choice === 'conflict') {
			const was = entry.effective.origin;
			this.conflicts.add({
				kind: 'duplicate-conflict',
				path: r.origin.path,
				line: r.origin.line,
				field: firstDifference(entry.effective, r),
				reason: `same record as ${was.path}${was.line ? `:${was.line}` : ''} with a different ${firstDifference(entry.effective, r)}; the first is counted`,
			});
		} else if (choice === 'replace') {
			this.setEffective(entry, r);
		}
	}

	/** Removes every version that came from `path` (the file shrank, was replaced or rewritten). */
	retractFile(path: string): void {
		const keys = this.keysByPath.get(path);
		if (!keys) return;
		this.keysByPath.delete(path);
		for (const key of keys) {
			const entry = this.entries.get(key);
			if (!entry) continue;
			const remaining = entry.versions.filter((v) => v.origin.path !== path);
			if (remaining.length === entry.versions.length) continue;
			if (remaining.length === 0) {
				this.count(entry.effective, entry.cost, -1);
				this.entries.delete(key);
				continue;
			}
			// Replay the surviving versions to find which one counts now.
			let best = remaining[0]!;
			for (const v of remaining.slice(1)) if (chooseVersion(best, v) === 'replace') best = v;
			entry.versions = remaining;
			if (best !== entry.effective) this.setEffective(entry, best);
		}
	}

	/** Re-prices every counted record (a price sheet changed): no re-read needed. */
	reprice(pricer: Pricer | undefined): void {
		this.pricer = pricer;
		for (const entry of this.entries.values()) {
			this.count(entry.effective, entry.cost, -1);
			entry.cost = this.price(entry.effective);
			this.count(entry.effective, entry.cost, 1);
		}
	}

	/** The records that count, in no particular order. */
	*records(): IterableIterator<UsageRecord> {
		for (const e of this.entries.values()) yield e.effective;
	}

	/** The counted records of one run, oldest first. */
	runRecords(runId: string): UsageRecord[] {
		const keys = this.runKeys.get(runId);
		if (!keys) return [];
		const out: UsageRecord[] = [];
		for (const k of keys) {
			const e = this.entries.get(k);
			if (e) out.push(e.effective);
		}
		return out.sort((a, b) => a.at - b.at || (a.turn ?? 0) - (b.turn ?? 0));
	}

	costOf(key: string): PricedCost | null {
		return this.entries.get(key)?.cost ?? null;
	}

	private price(r: UsageRecord): PricedCost | null {
		return this.pricer ? this.pricer(r) : null;
	}

	private setEffective(entry: Entry, next: UsageRecord): void {
		this.count(entry.effective, entry.cost, -1);
		entry.effective = next;
		entry.cost = this.price(next);
		this.count(next, entry.cost, 1);
	}

	private count(r: UsageRecord, cost: PricedCost | null, sign: 1 | -1): void {
		this.revision++;
		applyRecord(this.totals, r, cost, sign);
		for (const d of DIMENSIONS) {
			const key = dimensionKey(r, d);
			let t = this.by[d].get(key);
			if (!t) this.by[d].set(key, (t = emptyTotals()));
			applyRecord(t, r, cost, sign);
			if (t.records === 0) this.by[d].delete(key);
		}
		let keys = this.runKeys.get(r.runId);
		if (sign === 1) {
			if (!keys) this.runKeys.set(r.runId, (keys = new Set()));
			keys.add(r.key);
			const labels = this.runLabels.get(r.runId);
			if (!labels || r.at >= (this.by.run.get(r.runId)?.lastAt ?? 0)) {
				this.runLabels.set(r.runId, {
					issue: r.issue,
					provider: r.provider,
					model: r.model,
					source: r.source,
					workspace: r.workspace,
					botRole: r.meta?.botRole ?? labels?.botRole ?? null,
					exitReason: r.meta?.exitReason ?? labels?.exitReason ?? null,
				});
			}
		} else if (keys) {
			keys.delete(r.key);
			if (keys.size === 0) {
				this.runKeys.delete(r.runId);
				this.runLabels.delete(r.runId);
			}
		}
		const minute = Math.floor(r.at / MINUTE) * MINUTE;
		let m = this.minutes.get(minute);
		if (!m) this.minutes.set(minute, (m = {records: 0, tokens: 0, usd: 0}));
		m.records += sign;
		m.tokens += sign * (r.tokens.total ?? 0);
		m.usd += sign * (cost?.usd ?? 0);
		if (m.records === 0) this.minutes.delete(minute);
	}
}
