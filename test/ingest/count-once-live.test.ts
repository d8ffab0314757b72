import {appendFileSync, mkdirSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {isDeepStrictEqual} from 'node:util';
import {afterEach, describe, expect, it} from 'vitest';
import {collectSummary} from '../../source/ingest/read-once.js';
import type {SummaryJson} from '../../source/core/summary.js';
import type {Pricer} from '../../source/core/totals.js';
import type {DiscoveryOptions} from '../../source/ingest/discover.js';
import {Engine} from '../../source/ingest/engine.js';
import {removeDir, tempDir, waitFor} from './helpers.js';

const WS = '/ws/symphony_workspaces';
const R1 = '0b5b7a40-1f0e-4c55-9d4c-000000000001';
const S1 = '5e551000-0000-4000-8000-000000000001';
const S2 = '5e551000-0000-4000-8000-000000000002';
const NOW = Date.parse('2026-10-02T13:05:00Z');

// A pricer both paths use, so costs are compared too.
const pricer: Pricer = (r) => (r.tokens.total === null ? {usd: null, basis: 'unpriced', reason: 'no-tokens'} : {usd: r.tokens.total * 1e-6, basis: 'computed'});

const line = (o: object) => JSON.stringify(o) + '\n';

function turn(n: number, from: string, to: string, input: number, output: number): string {
	return line({
		schemaVersion: 1, recordedAt: to, runID: R1, turn: n, issueIdentifier: 'MT-101', provider: 'claude', model: 'claude-sonnet-4-6', botRole: 'developer',
		inputTokens: input, outputTokens: output, totalTokens: input + output, usageSource: 'provider_reported', startedAt: from, endedAt: to, workspacePath: `${WS}/MT-101`,
	});
}

function call(session: string, id: string, ts: string, cwd: string, cacheRead: number, output: number): string {
	return line({
		type: 'assistant', sessionId: session, timestamp: ts, cwd, requestId: `req_${id}`,
		message: {id: `msg_${id}`, model: 'claude-sonnet-4-6', content: [], usage: {input_tokens: 5, cache_read_input_tokens: cacheRead, cache_creation_input_tokens: 100, output_tokens: output}},
	});
}

function bosunUsage(attempt: string, task: string, ts: string, prompt: number, completion: number): string {
	return line({timestamp: ts, attempt_id: attempt, task_id: task, executor: 'CLAUDE', model: 'claude-sonnet-4-6', event_type: 'usage', data: {prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion}});
}

interface World {
	root: string;
	usage: string;
	ws: string;
	repo: string;
	stream: string;
	repoSession: string;
	discovery: DiscoveryOptions;
}

function world(): World {
	const root = tempDir();
	const telemetry = join(root, 'telemetry');
	const repo = join(root, 'repo');
	const logs = join(repo, '.cache', 'agent-work-logs');
	const projects = join(root, 'claude', 'projects');
	for (const d of [telemetry, logs, join(projects, '-ws-MT-101'), join(projects, '-repo')]) mkdirSync(d, {recursive: true});
	const usage = join(telemetry, 'usage.jsonl');
	const ws = join(projects, '-ws-MT-101', `${S1}.jsonl`);
	const repoSession = join(projects, '-repo', `${S2}.jsonl`);
	const stream = join(logs, 'agent-work-stream.jsonl');
	// Turn 1 covered by two calls; turn 2 by none (counts as usage.jsonl says); one call outside every turn.
	writeFileSync(usage, turn(1, '2026-10-02T10:00:00Z', '2026-10-02T10:05:00Z', 1000, 100) + turn(2, '2026-10-02T10:30:00Z', '2026-10-02T10:31:00Z', 700, 70));
	writeFileSync(ws, call(S1, 'a1', '2026-10-02T10:01:00.000Z', `${WS}/MT-101`, 600, 60) + call(S1, 'a2', '2026-10-02T10:03:00.000Z', `${WS}/MT-101/src`, 900, 40) + call(S1, 'a3', '2026-10-02T12:00:00.000Z', `${WS}/MT-101`, 10, 5));
	// bosun attempt att-1 covered by a transcript in the repo; att-2 by none (bosun is its fallback).
	writeFileSync(stream, bosunUsage('att-1', 'task-1', '2026-10-02T13:00:00.000Z', 40_000, 2000) + bosunUsage('att-1', 'task-1', '2026-10-02T13:03:00.000Z', 50_000, 3000) + bosunUsage('att-2', 'task-2', '2026-10-02T15:00:00.000Z', 9000, 900));
	writeFileSync(repoSession, call(S2, 'b1', '2026-10-02T13:02:00.000Z', repo, 300, 30));
	writeFileSync(join(logs, 'agent-alerts.jsonl'), line({timestamp: '2026-10-02T13:01:20.000Z', type: 'error_loop', attempt_id: 'att-1', task_id: 'task-1', executor: 'CLAUDE', occurrences: 4, severity: 'high'}));
	const discovery: DiscoveryOptions = {cwd: root, home: root, env: {}, flags: {usage: [telemetry], claudeDir: [join(root, 'claude')], bosunDir: [repo]}};
	return {root, usage, ws, repo, stream, repoSession, discovery};
}

/** What both views must agree on: every bucket (per-bucket `sources` are summary-only), the overlap report, the problems. */
function counted(doc: SummaryJson) {
	const strip = <T extends {sources?: unknown}>(b: Record<string, T>) => Object.fromEntries(Object.entries(b).map(([k, {sources: _, ...v}]) => [k, v]));
	return {
		totals: doc.totals,
		byIssue: strip(doc.byIssue),
		byRun: strip(doc.byRun),
		byModel: strip(doc.byModel),
		byProvider: strip(doc.byProvider),
		bySource: doc.bySource,
		overlap: doc.overlap ?? null,
		problems: doc.problems.count,
	};
}

const worlds: World[] = [];
const engines: Engine[] = [];
afterEach(async () => {
	await Promise.all(engines.splice(0).map((e) => e.stop()));
	for (const w of worlds.splice(0)) removeDir(w.root);
});

async function liveEngine(w: World): Promise<Engine> {
	const engine = new Engine({
		discovery: w.discovery,
		cacheDir: null,
		pricer,
		now: () => NOW,
		notifyIntervalMs: 20,
		debounceMs: 20,
		pollIntervalMs: 200,
		relistIntervalMs: 400,
		recountIntervalMs: 150,
	});
	engines.push(engine);
	await engine.start();
	await engine.watchReady();
	return engine;
}

async function expected(w: World) {
	const {doc} = await collectSummary({discovery: w.discovery, pricer, cacheDir: null, now: new Date(NOW)});
	return counted(doc);
}

let previous: ReturnType<typeof counted> | null = null;

/**
 * Polls until the live snapshot counts what `summary` counts for the files as they are now. Every
 * snapshot seen on the way is the count before the change or after it: never a double count.
 */
async function agrees(engine: Engine, w: World, what: string) {
	const want = await expected(w);
	const between: string[] = [];
	await waitFor(
		() => {
			const have = counted(engine.store.getSnapshot().doc);
			if (isDeepStrictEqual(have, want)) return true;
			if (previous && !isDeepStrictEqual(have, previous)) between.push(JSON.stringify(have.totals.tokens.total));
			return false;
		},
		8000,
		`watch to count what summary counts (${what})`,
	);
	expect(between, `snapshots between counts (${what})`).toEqual([]);
	previous = want;
	return want;
}

describe('watch counts what summary counts (usage.jsonl, transcripts and bosun together)', () => {
	it('agrees at start and after appends in either order, and never double counts', async () => {
		const w = world();
		worlds.push(w);
		const engine = await liveEngine(w);
		previous = null;
		const first = await agrees(engine, w, 'start');
		// The rules did apply: turn 1 is its two calls, att-1 is the repo transcript with bosun's task id.
		expect(first.overlap).toMatchObject({candidateTurns: 2, coveredTurns: 1, reattributedRecords: 2});
		expect(first.byRun[R1]).toMatchObject({records: 3, issue: 'MT-101', botRole: 'developer'});
		expect(first.byIssue['task-1']?.records).toBe(1);
		expect(first.byIssue['task-2']?.records).toBe(1);
		expect(first.bySource.bosun?.records).toBe(1);
		const snap = engine.store.getSnapshot();
		expect(snap.counting).toMatchObject({bosun: {coveredRuns: 1, droppedRecords: 1, attributedRecords: 1}});
		// Drill-down reads the counted ledger: run R1 holds the re-attributed calls.
		expect(snap.ledger.runRecords(R1).map((r) => r.source)).toEqual(['claude', 'claude', 'symphony']);
		// bosun's alert joins the live flags, marked external.
		expect(snap.flags.filter((f) => f.external === 'bosun').map((f) => f.kind)).toEqual(['bosun_error_loop']);

		// usage.jsonl turn first, then its transcript calls.
		appendFileSync(w.usage, turn(3, '2026-10-02T11:00:00Z', '2026-10-02T11:04:00Z', 2000, 200));
		await agrees(engine, w, 'turn 3 before its calls');
		appendFileSync(w.ws, call(S1, 'a4', '2026-10-02T11:01:00.000Z', `${WS}/MT-101`, 1200, 80) + call(S1, 'a5', '2026-10-02T11:03:00.000Z', `${WS}/MT-101`, 1300, 90));
		const t3 = await agrees(engine, w, 'turn 3 after its calls');
		expect(t3.overlap).toMatchObject({candidateTurns: 3, coveredTurns: 2, reattributedRecords: 4});

		// The other order: transcript calls first, then the turn that covers them.
		appendFileSync(w.ws, call(S1, 'a6', '2026-10-02T11:31:00.000Z', `${WS}/MT-101`, 500, 50));
		await agrees(engine, w, 'calls before turn 4');
		appendFileSync(w.usage, turn(4, '2026-10-02T11:30:00Z', '2026-10-02T11:32:00Z', 900, 90));
		const t4 = await agrees(engine, w, 'turn 4 after its calls');
		expect(t4.overlap).toMatchObject({candidateTurns: 4, coveredTurns: 3, reattributedRecords: 5});

		// bosun first, then the transcript that covers it; then a transcript first, then bosun.
		appendFileSync(w.stream, bosunUsage('att-3', 'task-3', '2026-10-02T16:00:00.000Z', 7000, 700));
		await agrees(engine, w, 'bosun att-3 before its transcript');
		appendFileSync(w.repoSession, call(S2, 'b2', '2026-10-02T16:01:00.000Z', w.repo, 400, 40));
		const b3 = await agrees(engine, w, 'bosun att-3 after its transcript');
		expect(b3.byIssue['task-3']).toMatchObject({records: 1, tokens: {total: {value: 545}}});
		expect(b3.bySource.bosun?.records).toBe(1);
		appendFileSync(w.repoSession, call(S2, 'b3', '2026-10-02T17:00:00.000Z', w.repo, 450, 45));
		await agrees(engine, w, 'transcript before bosun att-4');
		appendFileSync(w.stream, bosunUsage('att-4', 'task-4', '2026-10-02T17:00:30.000Z', 8000, 800));
		const b4 = await agrees(engine, w, 'bosun att-4 after its transcript');
		expect(b4.byIssue['task-4']?.records).toBe(1);
		expect(b4.bySource.bosun?.records).toBe(1);
		// Every token once: the totals are the claude calls plus the uncovered turn and attempt.
		expect(b4.totals.records).toBe(b4.bySource.claude!.records + 1 + 1);
		expect(engine.counted.recounts).toBeGreaterThan(0);

		// bosun's alerts file is tracked like the record files: an appended alert joins the live flags.
		appendFileSync(
			join(dirname(w.stream), 'agent-alerts.jsonl'),
			line({timestamp: '2026-10-02T13:02:00.000Z', type: 'stuck_agent', attempt_id: 'att-2', task_id: 'task-2', idle_time_ms: 420_000, threshold_ms: 300_000, severity: 'medium'}),
		);
		await waitFor(() => engine.store.getSnapshot().flags.some((f) => f.kind === 'bosun_stuck_agent'), 8000, 'the appended bosun alert');
		expect(engine.store.getSnapshot().flags.filter((f) => f.external === 'bosun').map((f) => f.kind).sort()).toEqual(['bosun_error_loop', 'bosun_stuck_agent']);
	});

	it('a filter applies after the rules, as in summary', async () => {
		const w = world();
		worlds.push(w);
		const filters = {since: null, until: null, issue: 'MT-101'};
		const engine = new Engine({discovery: w.discovery, cacheDir: null, pricer, now: () => NOW, watch: false, filters});
		engines.push(engine);
		await engine.start();
		const {doc} = await collectSummary({discovery: w.discovery, pricer, cacheDir: null, now: new Date(NOW), filters});
		expect(counted(engine.store.getSnapshot().doc)).toEqual(counted(doc));
		expect(doc.byRun[R1]?.records).toBe(3);
	});
});
