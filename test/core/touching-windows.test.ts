/**
 * Issue 13, item 3: usage.jsonl turns whose windows touch (turn k ends exactly when turn k+1
 * starts, as a peer's backfill writes them). Property: for any split of a session's calls into
 * touching windows, usage.jsonl + transcripts counts exactly what the transcripts alone count
 * (every turn is covered by its calls, none is counted beside them). Seeded, so a failure repeats.
 */
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {countOnce} from '../../source/core/counting/count-once.js';
import {Ledger} from '../../source/core/ledger.js';
import {mulberry32} from '../../source/core/prng.js';
import {TOKEN_FIELDS, type SourceKind, type UsageRecord} from '../../source/core/record.js';
import type {Pricer} from '../../source/core/totals.js';
import {makeRecord} from '../helpers/records.js';
import {collect, FIXTURES, tempDir, tok} from '../sources/helpers.js';

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const T0 = Date.parse('2026-10-08T09:00:00Z');
const WS = '/srv/symphony_workspaces/MT-880';
// A whole-micro-dollar price per token, so sums compare exactly.
const pricer: Pricer = (r) => ({usd: ((r.tokens.input ?? 0) * 3 + (r.tokens.output ?? 0) * 15) / 1e6, basis: 'computed'});

interface Case {
	calls: UsageRecord[];
	turns: UsageRecord[];
}

/** One session's calls (timestamps may repeat), cut into consecutive groups with touching windows. */
function makeCase(r: Rand, n: number): Case {
	const source: SourceKind = pick(r, ['claude', 'codex'] as const);
	const calls: UsageRecord[] = [];
	let at = T0 + int(r, 0, 3600) * 1000;
	for (let i = 0; i < n; i++) {
		at += pick(r, [0, 0, 1000, int(r, 1, 40) * 1000, int(r, 1, 999)]);
		const input = int(r, 100, 50_000);
		const output = int(r, 1, 2000);
		calls.push(
			makeRecord({
				key: `${source}:c${i}`,
				source,
				provider: source === 'claude' ? 'anthropic' : 'openai',
				runId: 'session-1',
				turn: null,
				issue: null,
				workspace: pick(r, [WS, `${WS}/pkg`]),
				startedAt: null,
				at,
				granularity: 'per-message',
				tokens: {input, cacheRead: int(r, 0, input), output, total: input + output},
				origin: {path: '/t/session-1.jsonl', line: i + 1, offset: i * 100},
			}),
		);
	}
	// Cut points: m groups, each non-empty.
	const cuts = new Set<number>();
	const m = int(r, 1, n);
	while (cuts.size < m - 1) cuts.add(int(r, 1, n - 1));
	const bounds = [0, ...[...cuts].sort((a, b) => a - b), n];
	const groups = bounds.slice(1).map((end, j) => calls.slice(bounds[j]!, end));
	// Each boundary lies between a group's last call and the next group's first: often exactly on one.
	const edges = groups.slice(0, -1).map((g, j) => {
		const last = g[g.length - 1]!.at;
		const first = groups[j + 1]![0]!.at;
		return pick(r, [last, first, last + Math.floor((first - last) * r())]);
	});
	const turns = groups.map((g, j) => {
		const startedAt = j === 0 ? g[0]!.at - pick(r, [0, int(r, 1, 5000)]) : edges[j - 1]!;
		const end = j === groups.length - 1 ? g[g.length - 1]!.at + pick(r, [0, int(r, 1, 5000)]) : edges[j]!;
		const sum = (f: 'input' | 'output' | 'total' | 'cacheRead') => g.reduce((s, c) => s + c.tokens[f]!, 0);
		return makeRecord({
			key: `symphony:run-9:${j + 1}`,
			source: 'symphony',
			provider: source === 'claude' ? 'claude' : 'codex',
			runId: 'run-9',
			turn: j + 1,
			issue: 'MT-880',
			workspace: WS,
			startedAt,
			at: end,
			tokens: {input: sum('input'), output: sum('output'), total: sum('total'), cacheRead: sum('cacheRead')},
			origin: {path: '/u/usage.jsonl', line: j + 1, offset: j * 300},
		});
	});
	return {calls, turns};
}

function counted(records: UsageRecord[]) {
	const raw = new Ledger({pricer});
	raw.add(records);
	const {ledger, usage: overlap} = countOnce(raw, {pricer, rawCounts: true});
	const t = ledger.totals;
	return {
		overlap,
		totals: {records: t.records, usd: Math.round(t.usd * 1e6), ...Object.fromEntries(TOKEN_FIELDS.map((f) => [f, t.tokens[f].sum]))},
	};
}

describe('touching usage.jsonl windows', () => {
	it('for any split of a session into touching windows, usage.jsonl + transcripts = transcripts alone', () => {
		const r = mulberry32(13);
		let onBoundary = 0;
		for (let round = 0; round < 400; round++) {
			const {calls, turns} = makeCase(r, int(r, 1, 14));
			const alone = counted(calls);
			const both = counted([...turns, ...calls]);
			const where = `round ${round}: ${turns.map((t) => `[${t.startedAt! - T0},${t.at - T0}]`).join(' ')} calls ${calls.map((c) => c.at - T0).join(',')}`;
			expect(both.totals, where).toEqual(alone.totals);
			expect(both.overlap.coveredTurns, where).toBe(turns.length);
			for (let j = 1; j < turns.length; j++) if (calls.some((c) => c.at === turns[j]!.startedAt)) onBoundary++;
		}
		// The generator does put calls exactly on boundaries (the case this rule is about).
		expect(onBoundary).toBeGreaterThan(200);
	});

	it('both shapes a backfill writes: each turn ends at its call, or starts at it', () => {
		const at = (s: number) => T0 + s * 1000;
		const call = (i: number, s: number) =>
			makeRecord({key: `codex:c${i}`, source: 'codex', provider: 'openai', runId: 's', turn: null, issue: null, workspace: WS, at: at(s), tokens: {input: 1000, output: 100, total: 1100}, origin: {path: '/t.jsonl', line: i, offset: 0}});
		const turn = (k: number, from: number, to: number) =>
			makeRecord({key: `symphony:r:${k}`, source: 'symphony', provider: 'codex', runId: 'r', turn: k, issue: 'MT-1', workspace: WS, startedAt: at(from), at: at(to), tokens: {input: 1000, output: 100, total: 1100}, origin: {path: '/u.jsonl', line: k, offset: 0}});
		const calls = [call(1, 10), call(2, 20), call(3, 30), call(4, 40)];
		// Windows [t(k-1), t(k)]: each call at its turn's end.
		const ending = [turn(1, 0, 10), turn(2, 10, 20), turn(3, 20, 30), turn(4, 30, 40)];
		// Windows [t(k), t(k+1)]: each call at its turn's start (the last turn was left uncovered).
		const starting = [turn(1, 10, 20), turn(2, 20, 30), turn(3, 30, 40), turn(4, 40, 50)];
		for (const turns of [ending, starting]) {
			const {totals, overlap} = counted([...turns, ...calls]);
			expect(totals).toMatchObject({records: 4, input: 4000, output: 400, total: 4400});
			expect(overlap.coveredTurns).toBe(4);
		}
	});
});

describe('the touching-windows fixture (a backfilled usage.jsonl beside its Codex rollout)', () => {
	const dir = path.join(FIXTURES, 'overlap', 'touching-windows');
	const expected = {records: 4, input: 46000, cacheRead: 37000, cacheWrite: null, output: 1750, reasoning: 750, total: 47750};

	it('counts exactly what the rollout alone counts, every turn covered', async () => {
		const alone = await collect(tempDir(), {codexDir: [path.join(dir, 'codex')]});
		expect(tok(alone.doc.totals)).toEqual(expected);
		const {doc} = await collect(tempDir(), {codexDir: [path.join(dir, 'codex')], usage: [path.join(dir, 'usage', 'usage.jsonl')]});
		expect(tok(doc.totals)).toEqual(expected);
		expect(doc.overlap).toMatchObject({candidateTurns: 4, coveredTurns: 4, reattributedRecords: 4});
		expect(doc.byIssue['MT-880']!.records).toBe(4);
		expect(doc.totals.sources).toEqual({codex: 4});
	});
});
