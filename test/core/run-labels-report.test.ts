/**
 * `summary --by run` at 80 columns: Codex's time-ordered run ids share their first 8 hex digits,
 * so the text report shows the part that tells them apart instead of the same prefix three times.
 */
import {describe, expect, it} from 'vitest';
import {Ledger} from '../../source/core/ledger.js';
import {ProblemLog} from '../../source/core/problems.js';
import {summaryLines} from '../../source/core/report.js';
import {buildSummary} from '../../source/core/summary.js';
import {makeRecord} from '../helpers/records.js';

const at = Date.parse('2026-10-02T10:00:00Z');
/** Started within the same millisecond: only the random tail differs. */
const V7 = ['019ad3c1-7e2a-7b11-9f0e-5c1d2a91f03c', '019ad3c1-7e2a-7b11-9f0e-0be4413d6e21', '019ad3c1-7e2a-7b11-9f0e-77aa01c4b9d8'];

describe('summary --by run labels', () => {
	it('rows of time-ordered ids differ at 80 columns, and show whole ids when the column has room', () => {
		const ledger = new Ledger({pricer: (r) => ({usd: (r.tokens.input ?? 0) / 1e6, basis: 'computed'})});
		ledger.add(V7.map((runId, i) => makeRecord({key: `k${i}`, runId, at: at + i * 1000, issue: 'MT-1', tokens: {input: 1000 * (i + 1)}})));
		const doc = buildSummary({ledger, sources: [], missing: [], problems: new ProblemLog(), priced: true, now: new Date(at + 60_000)});
		const rows = (width: number) => summaryLines(doc, {width, by: 'run'}).filter((l) => l.style === 'row' && l.text.trim() !== '').map((l) => l.text.split(/\s+/)[0]!);
		for (const width of [40, 60, 80, 100]) expect(new Set(rows(width)).size, `${width}: ${rows(width).join(' ')}`).toBe(3);
		// Where the column holds only the shared prefix, the tails show.
		expect(rows(80).every((l) => l.startsWith('…'))).toBe(true);
		expect(rows(200)).toEqual(expect.arrayContaining(V7));
	});
});
