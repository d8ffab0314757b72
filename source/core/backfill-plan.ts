/**
 * Which records `burn backfill` writes, in what order and with which turn numbers. Pure.
 *
 * Transcript records only: Symphony records already are usage.jsonl, and bosun and pipeline
 * instrumentation are not transcripts. Runs are written one after the other (oldest first),
 * each run's records in time order with turns from 1. A record already in the output (same runID
 * and fingerprint: end time, model, token counts) is skipped; new ones continue after the
 * highest turn already written for that runID, so turns stay strictly increasing.
 */
import type {SourceKind, UsageRecord} from './record.js';
import {inTurnOrder, runIdFor, specFingerprint, toSpecRecord, type SpecRecord} from './usage-writer.js';

export const NOT_BACKFILLED: ReadonlySet<SourceKind> = new Set(['symphony', 'bosun', 'instrumentation']);

export interface ExistingRunView {
	maxTurn: number;
	fingerprints: Map<string, number>;
}

export interface BackfillPlanOptions {
	/** Leave out records no issue was found for (the seed's consumer did this). */
	onlyAttributed?: boolean;
	recordedAt: number;
}

export interface BackfillPlan {
	/** Runs in write order, each with its new spec records. */
	runs: Array<{runID: string; records: SpecRecord[]}>;
	newRecords: number;
	alreadyPresent: number;
	sessions: number;
	skippedNotTranscript: number;
	skippedUnattributed: number;
}

export function planBackfill(records: Iterable<UsageRecord>, existing: ReadonlyMap<string, ExistingRunView>, options: BackfillPlanOptions): BackfillPlan {
	const plan: BackfillPlan = {runs: [], newRecords: 0, alreadyPresent: 0, sessions: 0, skippedNotTranscript: 0, skippedUnattributed: 0};
	const byRun = new Map<string, UsageRecord[]>();
	for (const r of records) {
		if (NOT_BACKFILLED.has(r.source)) {
			plan.skippedNotTranscript++;
			continue;
		}
		if (options.onlyAttributed && r.issue === null) {
			plan.skippedUnattributed++;
			continue;
		}
		const id = runIdFor(r);
		let list = byRun.get(id);
		if (!list) byRun.set(id, (list = []));
		list.push(r);
	}
	const runs = [...byRun.entries()].map(([runID, list]) => ({runID, list: inTurnOrder(list)}));
	runs.sort((a, b) => a.list[0]!.at - b.list[0]!.at || (a.runID < b.runID ? -1 : 1));
	plan.sessions = runs.length;
	for (const {runID, list} of runs) {
		const seen = existing.get(runID);
		const remaining = new Map(seen?.fingerprints ?? []);
		let turn = seen?.maxTurn ?? 0;
		const out: SpecRecord[] = [];
		for (const r of list) {
			const candidate = toSpecRecord(r, 0, options.recordedAt);
			const fp = specFingerprint(candidate);
			const left = remaining.get(fp) ?? 0;
			if (left > 0) {
				remaining.set(fp, left - 1);
				plan.alreadyPresent++;
				continue;
			}
			candidate.turn = ++turn;
			out.push(candidate);
		}
		if (out.length > 0) plan.runs.push({runID, records: out});
		plan.newRecords += out.length;
	}
	return plan;
}
