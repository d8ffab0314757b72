/**
 * What bosun adds beyond its records, after a one-shot scan: its analyzer alerts as external
 * flags (one `agent-alerts.jsonl` per bosun root), and the double-count rule against transcripts
 * (core/bosun-overlap.ts).
 */
import {join} from 'node:path';
import {applyBosunOverlap, type BosunOverlapStats} from '../core/bosun-overlap.js';
import type {Flag} from '../core/flags.js';
import type {Ledger} from '../core/ledger.js';
import type {ProblemLog} from '../core/problems.js';
import {BOSUN_ALERTS_FILE, readBosunAlerts} from '../sources/bosun-alerts.js';
import type {DiscoveryResult} from './discover.js';

export interface BosunExtras {
	/** bosun's own alerts, as flags with `external: 'bosun'` (not burn's rules). */
	externalFlags: Flag[];
	overlap: BosunOverlapStats;
}

export function applyBosunExtras(discovery: DiscoveryResult, ledger: Ledger, problems: ProblemLog): BosunExtras {
	const externalFlags: Flag[] = [];
	for (const root of discovery.roots) {
		if (root.kind !== 'bosun') continue;
		const alerts = readBosunAlerts(join(root.path, BOSUN_ALERTS_FILE));
		externalFlags.push(...alerts.flags);
		problems.addAll(alerts.problems);
	}
	const hasBosun = discovery.roots.some((r) => r.kind === 'bosun');
	const overlap = hasBosun ? applyBosunOverlap(ledger) : {coveredRuns: 0, droppedRecords: 0, attributedRecords: 0};
	return {externalFlags, overlap};
}
