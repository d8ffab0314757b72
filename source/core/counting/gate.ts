/**
 * The counting gate: says, without a pass over the ledger, whether a counting-once rule could
 * change anything (core/counting/count-once.ts). The coalescer asks it before every re-count.
 */
import type {UsageRecord} from '../record.js';
import {BOSUN_RULE_NOT_TRANSCRIPTS} from './bosun-rule.js';
import {USAGE_RULE_TRANSCRIPTS} from './usage-rule.js';

const TURN = 0;
const TRANSCRIPT = 1;
const BOSUN = 2;
const BOSUN_TRANSCRIPT = 3;

/**
 * Fed every record the raw ledger is fed, per file. Counts only go down when a file is retracted,
 * so they can be too high (a record seen twice), never too low: "no" is always right, "maybe"
 * costs a re-count.
 */
export class CountingGate {
	private readonly byPath = new Map<string, number[]>();
	private readonly total = [0, 0, 0, 0];

	note(r: UsageRecord): void {
		if (r.workspace === null || r.workspace === undefined) return;
		let kind: number;
		if (r.source === 'symphony') {
			if (r.startedAt === null) return;
			kind = TURN;
		} else if (r.source === 'bosun') kind = BOSUN;
		else if (USAGE_RULE_TRANSCRIPTS.has(r.source)) kind = TRANSCRIPT;
		else if (!BOSUN_RULE_NOT_TRANSCRIPTS.has(r.source)) kind = BOSUN_TRANSCRIPT;
		else return;
		let counts = this.byPath.get(r.origin.path);
		if (!counts) this.byPath.set(r.origin.path, (counts = [0, 0, 0, 0]));
		counts[kind]!++;
		this.total[kind]!++;
	}

	retract(path: string): void {
		const counts = this.byPath.get(path);
		if (!counts) return;
		this.byPath.delete(path);
		for (let i = 0; i < counts.length; i++) this.total[i]! -= counts[i]!;
	}

	/** usage.jsonl turns that name a workspace may be present (the usage rule's report counts them). */
	get turns(): boolean {
		return this.total[TURN]! > 0;
	}

	/** A rule could drop or re-attribute a record. */
	get mayApply(): boolean {
		const transcripts = this.total[TRANSCRIPT]! + this.total[BOSUN_TRANSCRIPT]!;
		return (this.total[TURN]! > 0 && this.total[TRANSCRIPT]! > 0) || (this.total[BOSUN]! > 0 && transcripts > 0);
	}
}
