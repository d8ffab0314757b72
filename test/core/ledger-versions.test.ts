import {describe, expect, it} from 'vitest';
import {chooseVersion} from '../../source/core/dedup.js';
import {Ledger} from '../../source/core/ledger.js';
import type {SourceKind, UsageRecord} from '../../source/core/record.js';
import {makeRecord} from '../helpers/records.js';
import {mulberry32} from '../../source/core/prng.js';

const rng = mulberry32;

/** The reference: every version kept, the winner replayed over all of them in arrival order. */
function reference(added: UsageRecord[]): Map<string, UsageRecord> {
	const out = new Map<string, UsageRecord>();
	for (const r of added) {
		const cur = out.get(r.key);
		if (!cur || chooseVersion(cur, r) === 'replace') out.set(r.key, r);
	}
	return out;
}

const SOURCES: SourceKind[] = ['claude', 'symphony', 'gemini', 'opencode'];

describe('Ledger versions', () => {
	it('keeping one version per file counts what replaying every version counts, across retractions', () => {
		for (let seed = 1; seed <= 60; seed++) {
			const rand = rng(seed);
			const ledger = new Ledger();
			// Kept up to date from the first use on; must equal one built from the counted records.
			if (seed % 2 === 0) expect(ledger.runKeys.size).toBe(0);
			const added: UsageRecord[] = [];
			const paths = ['/a.jsonl', '/b.jsonl', '/c.db', '/d.jsonl'];
			for (let i = 0; i < 200; i++) {
				if (rand() < 0.04) {
					const p = paths[Math.floor(rand() * paths.length)]!;
					ledger.retractFile(p);
					// A retracted file's earlier records are gone; later ones under the same path count again.
					for (let j = 0; j < added.length; j++) if (added[j]!.origin.path === p) added.splice(j--, 1);
					continue;
				}
				const source = SOURCES[Math.floor(rand() * SOURCES.length)]!;
				const k = Math.floor(rand() * 6);
				// Few distinct masses, so ties (first stays) happen often.
				const output = 10 * Math.floor(rand() * 3);
				const r = makeRecord({
					key: `${source}:${k}`,
					source,
					runId: `run-${k % 3}`,
					at: 1_000_000 + Math.floor(rand() * 5) * 60_000,
					tokens: {output, total: 100 + output},
					meta: source === 'claude' && rand() < 0.2 ? {sidechain: true} : undefined,
					origin: {path: paths[Math.floor(rand() * paths.length)]!, line: i + 1, offset: i},
				});
				added.push(r);
				ledger.addOne(r);
			}
			const want = reference(added);
			const got = new Map([...ledger.records()].map((r) => [r.key, r]));
			expect(got.size, `seed ${seed}`).toBe(want.size);
			for (const [key, r] of want) expect(got.get(key), `seed ${seed} key ${key}`).toBe(r);
			expect(ledger.totals.records).toBe(want.size);
			let output = 0;
			for (const r of want.values()) output += r.tokens.output ?? 0;
			expect(ledger.totals.tokens.output.sum).toBe(output);
			const runs = new Map<string, string[]>();
			for (const r of want.values()) runs.set(r.runId, [...(runs.get(r.runId) ?? []), r.key].sort());
			expect(new Map([...ledger.runKeys].map(([run, keys]) => [run, [...keys].sort()]))).toEqual(runs);
			expect(new Set(ledger.runLabels.keys())).toEqual(new Set(runs.keys()));
		}
	});
});
