import {describe, expect, it} from 'vitest';
import {Ledger} from '../../source/core/ledger.js';
import {ProblemLog} from '../../source/core/problems.js';
import {mulberry32} from '../../source/core/prng.js';
import type {UsageRecord} from '../../source/core/record.js';
import {buildSummary} from '../../source/core/summary.js';
import type {Pricer} from '../../source/core/totals.js';
import {makeRecord} from '../helpers/records.js';

const T0 = Date.parse('2026-10-02T10:00:00Z');

/**
 * Files of streamed Claude responses (1–4 copies of a message, later copies later and larger, the
 * last one kept) across sessions and issues, with prices that do not add up exactly in floats.
 */
function files(seed: number): UsageRecord[][] {
	const rand = mulberry32(seed);
	const out: UsageRecord[][] = [];
	let msg = 0;
	for (let f = 0; f < 12; f++) {
		const path = `/p/session-${f}.jsonl`;
		const session = `s-${f}`;
		const issue = `MT-${f % 4}`;
		const lines: UsageRecord[] = [];
		let at = T0 + Math.floor(rand() * 3_600_000);
		for (let m = 0; m < 15; m++) {
			const key = `claude:msg_${++msg}`;
			const copies = 1 + Math.floor(rand() * 4);
			const model = ['claude-sonnet-4-6', 'claude-opus-4-6'][Math.floor(rand() * 2)]!;
			for (let c = 0; c < copies; c++) {
				at += 1 + Math.floor(rand() * 5000);
				const output = c === copies - 1 ? 50 + Math.floor(rand() * 4000) : 1 + c;
				lines.push(
					makeRecord({
						key,
						source: 'claude',
						provider: 'anthropic',
						model,
						runId: session,
						issue,
						turn: null,
						granularity: 'per-message',
						at,
						origin: {path, line: lines.length + 1, offset: lines.length * 100},
						tokens: {input: 1 + Math.floor(rand() * 50), cacheRead: Math.floor(rand() * 100_000), cacheWrite: Math.floor(rand() * 5000), output, total: null},
					}),
				);
			}
		}
		out.push(lines);
	}
	return out;
}

// Rates with many decimals: float sums of these depend on the order they are added in.
const pricer: Pricer = (r) => ({usd: ((r.tokens.input ?? 0) * 3.3 + (r.tokens.cacheRead ?? 0) * 0.33 + (r.tokens.cacheWrite ?? 0) * 4.125 + (r.tokens.output ?? 0) * 16.5) / 1e6 / 3, basis: 'computed'});

function doc(fileList: UsageRecord[][]): string {
	const ledger = new Ledger({pricer});
	for (const lines of fileList) ledger.add(lines);
	return JSON.stringify({...buildSummary({ledger, sources: [], missing: [], problems: new ProblemLog(), priced: true, now: new Date(0)}), generatedAt: ''});
}

/** What an index keeps of a file: the best version of each key (the last copy here). */
const kept = (lines: UsageRecord[]) => {
	const best = new Map<string, UsageRecord>();
	for (const r of lines) best.set(r.key, r);
	return [...best.values()];
};

describe('the same files give the same document, however they are read', () => {
	it('cold (every streamed copy), warm (only the kept copies) and shuffled file orders agree byte for byte', () => {
		for (const seed of [1, 2, 3]) {
			const fs = files(seed);
			const cold = doc(fs);
			const parsed = JSON.parse(cold);
			// Not vacuous: streamed copies were replaced, and the costs have many decimals.
			expect(parsed.totals.records).toBe(12 * 15);
			expect(fs.flat().length).toBeGreaterThan(12 * 15 * 2);
			expect(doc(fs.map(kept))).toBe(cold);
			const rand = mulberry32(seed * 100);
			for (let n = 0; n < 5; n++) {
				const order = fs.map((lines, i) => ({lines, k: rand(), i})).sort((a, b) => a.k - b.k);
				expect(doc(order.map((o) => o.lines))).toBe(cold);
				expect(doc(order.map((o) => kept(o.lines)))).toBe(cold);
			}
		}
	});

	it('money is summed exactly: costs whose float sum rounds differently by order give one answer', () => {
		// (a + b) + c and (c + b) + a round to different millionths in floats.
		const costs = [0.47244771543734077, 0.0009116876771389226, 9.688552030095998e-8];
		const recs = costs.map((usd, i) => makeRecord({key: `k${i}`, runId: 'run-1', at: T0 + i * 1000, origin: {path: `/u${i}.jsonl`, line: 1, offset: 0}, reportedCostUsd: usd}));
		const byKey: Pricer = (r) => ({usd: r.reportedCostUsd, basis: 'reported'});
		const usd = (order: number[]) => {
			const ledger = new Ledger({pricer: byKey});
			for (const i of order) ledger.add([recs[i]!]);
			return buildSummary({ledger, sources: [], missing: [], problems: new ProblemLog(), priced: true}).byRun['run-1']!.cost!.usd;
		};
		const orders = [[0, 1, 2], [2, 1, 0], [0, 2, 1], [1, 2, 0]];
		expect(new Set(orders.map(usd)).size).toBe(1);
		// A replaced copy subtracted and added back leaves no residue either.
		const ledger = new Ledger({pricer: byKey});
		ledger.add(recs);
		ledger.retractFile('/u1.jsonl');
		ledger.add([recs[1]!]);
		expect(buildSummary({ledger, sources: [], missing: [], problems: new ProblemLog(), priced: true}).byRun['run-1']!.cost!.usd).toBe(usd([0, 1, 2]));
	});

	it('a group and its rows take first/last times from the same (kept) copies', () => {
		const fs = files(4);
		const d = JSON.parse(doc(fs));
		const keptAll = fs.flatMap(kept);
		for (const [issue, row] of Object.entries(d.byIssue) as Array<[string, {firstAt: string; lastAt: string}]>) {
			const ats = keptAll.filter((r) => r.issue === issue).map((r) => r.at);
			expect(row.firstAt).toBe(new Date(Math.min(...ats)).toISOString());
			expect(row.lastAt).toBe(new Date(Math.max(...ats)).toISOString());
			const runs = Object.values(d.byRun as Record<string, {issue: string; firstAt: string}>).filter((r) => r.issue === issue);
			expect(runs.map((r) => r.firstAt).sort()[0]).toBe(row.firstAt);
		}
		expect(d.range.from).toBe(new Date(Math.min(...keptAll.map((r) => r.at))).toISOString());
	});
});
