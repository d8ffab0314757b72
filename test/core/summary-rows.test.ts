import {describe, expect, it} from 'vitest';
import {Ledger} from '../../source/core/ledger.js';
import {ProblemLog} from '../../source/core/problems.js';
import {buildSummary} from '../../source/core/summary.js';
import {makeRecord} from '../helpers/records.js';

const at = Date.parse('2026-10-02T10:00:00Z');
const now = new Date(at + 60_000);
const doc = (ledger: Ledger) =>
	buildSummary({ledger, sources: [], missing: [], problems: new ProblemLog(), priced: true, now});
const pricer = (r: ReturnType<typeof makeRecord>) => ({usd: (r.tokens.input ?? 0) / 1000, basis: 'computed' as const});

describe('buildSummary over a changing ledger', () => {
	it('a document rebuilt after each change equals one built fresh from the same records', () => {
		const live = new Ledger({pricer});
		const added: ReturnType<typeof makeRecord>[] = [];
		const steps = [
			() => makeRecord({key: 'a', runId: 'r1', issue: 'MT-1'}),
			() => makeRecord({key: 'b', runId: 'r2', issue: 'MT-2', model: 'gpt-5'}),
			() => makeRecord({key: 'c', runId: 'r1', issue: 'MT-1', at: at + 5_000, meta: {botRole: 'reviewer'}}),
			() => makeRecord({key: 'd', runId: 'r3', issue: null, origin: {path: '/b.jsonl', line: 1, offset: 0}}),
			() => makeRecord({key: 'e', runId: 'r2', issue: 'MT-2', model: 'gpt-5', tokens: {input: 7}}),
		];
		for (const step of steps) {
			const r = step();
			added.push(r);
			live.addOne(r);
			const fresh = new Ledger({pricer});
			fresh.add(added);
			expect(doc(live)).toEqual(doc(fresh));
			// Nothing changed: the same rows again.
			expect(doc(live)).toEqual(doc(fresh));
		}
		live.retractFile('/b.jsonl');
		const fresh = new Ledger({pricer});
		fresh.add(added.filter((r) => r.origin.path !== '/b.jsonl'));
		expect(doc(live)).toEqual(doc(fresh));
		// Labels of a run change with its latest record.
		expect(doc(live).byRun.r1!.botRole).toBe('reviewer');
	});

	it('a row annotated by a caller is not handed to the next document', () => {
		const ledger = new Ledger({pricer});
		ledger.addOne(makeRecord({key: 'a'}));
		const first = doc(ledger);
		first.byIssue['MT-1']!.sources = {symphony: 1};
		expect(doc(ledger).byIssue['MT-1']!.sources).toBeUndefined();
	});
});
