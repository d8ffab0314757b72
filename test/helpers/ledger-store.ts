/**
 * A LiveStore over a real Ledger fed with real records parsed by the Symphony source: what the
 * watch UI tests render. Not a file-system mock: it stands in for the live engine only.
 */
import type {Flag} from '../../source/core/flags.js';
import {Ledger} from '../../source/core/ledger.js';
import {ProblemLog} from '../../source/core/problems.js';
import type {LiveSnapshot, LiveStore} from '../../source/core/snapshot.js';
import type {SourceNumbers} from '../../source/core/source-numbers.js';
import {buildSummary} from '../../source/core/summary.js';
import type {Pricer} from '../../source/core/totals.js';
import {usageLine, type TurnSpec} from '../../source/demo/usage-line.js';
import {parseSymphonyChunk} from '../../source/sources/symphony.js';

/** $3 / $15 per million input / output tokens; models named `mystery*` have no price. */
export const testPricer: Pricer = (r) => {
	if (r.model?.startsWith('mystery') || r.tokens.input === null || r.tokens.output === null) return {usd: null, basis: 'unpriced'};
	return {usd: (r.tokens.input * 3 + r.tokens.output * 15) / 1e6, basis: 'computed'};
};

export class TestStore implements LiveStore {
	readonly ledger: Ledger;
	readonly problems = new ProblemLog();
	now: number;
	flags: Flag[] = [];
	ready = true;
	/** First-read progress, shown while not ready. */
	progress: {filesDone: number; filesTotal: number} | undefined = undefined;
	private snapshot: LiveSnapshot;
	private readonly listeners = new Set<() => void>();
	private line = 1;
	private offset = 0;

	constructor(options: {now: number; pricer?: Pricer; path?: string}) {
		this.now = options.now;
		this.ledger = new Ledger({pricer: options.pricer});
		this.priced = options.pricer !== undefined;
		this.path = options.path ?? '/fixtures/usage.jsonl';
		this.snapshot = this.build();
	}

	private readonly priced: boolean;
	private readonly path: string;

	subscribe = (listener: () => void) => {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	};

	getSnapshot = () => this.snapshot;

	/** Parses usage.jsonl lines with the real source and adds them; publishes a new snapshot. */
	addLines(lines: string[]): void {
		const chunk = Buffer.from(lines.join('\n') + '\n');
		const result = parseSymphonyChunk(chunk, {reportedVersions: []}, {path: this.path, offset: this.offset, line: this.line});
		this.offset += result.consumedBytes;
		this.line += result.consumedLines;
		this.problems.addAll(result.problems);
		this.ledger.add(result.records);
		this.publish();
	}

	addTurns(turns: TurnSpec[]): void {
		this.addLines(turns.map(usageLine));
	}

	publish(): void {
		this.snapshot = this.build();
		for (const l of this.listeners) l();
	}

	private sourceNumbers(): SourceNumbers {
		return {kind: 'symphony', path: this.path, via: 'test', explicit: true, files: 1, records: this.ledger.size, problems: this.problems.count, bytes: 0, lastChangeAt: this.now};
	}

	private build(): LiveSnapshot {
		const doc = buildSummary({
			ledger: this.ledger,
			sources: [this.sourceNumbers()],
			missing: [],
			problems: this.problems,
			priced: this.priced,
			now: new Date(this.now),
		});
		const minutes = [...this.ledger.minutes.entries()]
			.filter(([m]) => m >= this.now - 86_400_000)
			.sort(([a], [b]) => a - b)
			.map(([minute, b]) => ({minute, ...b}));
		return {
			revision: this.ledger.revision,
			now: this.now,
			doc,
			minutes,
			flags: [...this.flags],
			sources: [this.sourceNumbers()],
			ledger: this.ledger,
			ready: this.ready,
			...(this.progress ? {progress: this.progress} : {}),
		};
	}
}
