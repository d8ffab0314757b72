import {appendFileSync, readFileSync, readdirSync, statSync, truncateSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {runBackfill} from '../../source/commands/backfill.js';
import {collectSummary} from '../../source/ingest/read-once.js';
import {validateFiles} from '../../source/commands/validate.js';
import type {BucketJson, SummaryJson} from '../../source/core/summary.js';
import {TOKEN_FIELDS} from '../../source/core/record.js';
import {runIdFor, toSpecRecord, uuidV5} from '../../source/core/usage-writer.js';
import type {DiscoveryOptions} from '../../source/ingest/discover.js';
import {parseSymphonyChunk} from '../../source/sources/symphony.js';
import {makeRecord} from '../helpers/records.js';
import {copyFixture, tempDir} from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({dir, cleanup} = tempDir('burn-backfill-')));
afterEach(() => cleanup());

/** Every transcript fixture there is, copied (tests that write never touch fixtures in place). */
function transcriptFlags(): Record<string, string[]> {
	const claude = copyFixture('claude/home', dir, 'claude-home');
	const codex = copyFixture('codex/home', dir, 'codex-home');
	const gemini = copyFixture('gemini/gemini-home', dir, 'gemini-home');
	const opencode = copyFixture('opencode/legacy', dir, 'opencode');
	return {
		claudeDir: [join(claude, '.claude'), join(claude, '.config', 'claude')],
		codexDir: [join(codex, '.codex')],
		geminiDir: [gemini],
		opencodeDir: [opencode],
	};
}

async function backfill(flags: Record<string, string[]>, out: string, extra: string[] = []): Promise<string> {
	const argv = ['--out', out, ...extra];
	for (const [name, values] of Object.entries(flags)) {
		const flag = `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
		for (const v of values) argv.push(flag, v);
	}
	let text = '';
	const stdout = {write: (s: string) => ((text += s), true)} as unknown as NodeJS.WritableStream;
	const stderr = {write: () => true, isTTY: false} as unknown as NodeJS.WritableStream;
	const code = await runBackfill({argv, cwd: dir, env: {HOME: dir}, stdout, stderr, now: new Date('2026-11-01T00:00:00Z')});
	expect(code).toBe(0);
	return text;
}

const discovery = (flags: Record<string, string[]>): DiscoveryOptions => ({cwd: dir, home: dir, env: {}, flags});
const split = (text: string) => text.split('\n').filter((l) => l !== '');
const lines = (file: string) => split(readFileSync(file, 'utf8'));

/** Record count and every token field (value and how many records stated it) per bucket. */
function shape(buckets: Record<string, BucketJson>) {
	const out: Record<string, unknown> = {};
	for (const [k, b] of Object.entries(buckets)) {
		out[k] = {records: b.records, ...Object.fromEntries(TOKEN_FIELDS.map((f) => [f, [b.tokens[f].value, b.tokens[f].known]]))};
	}
	return out;
}

describe('usage-writer', () => {
	it('writes records the Symphony reader accepts, with the breakdown fields and no text', () => {
		const r = makeRecord({
			source: 'claude',
			runId: 'sess-1',
			issue: null,
			workspace: '/home/dev/acme',
			startedAt: Date.parse('2026-10-02T09:59:00Z'),
			tokens: {input: 1000, cacheRead: 600, cacheWrite: 300, cacheWrite5m: 100, cacheWrite1h: 200, output: 50, reasoning: 20, total: 1050},
			quota: {at: 0, planType: 'pro', windows: [{label: 'primary', windowMinutes: 300, usedPercent: 12.5, resetsAt: null}]},
		});
		const spec = toSpecRecord(r, 1, Date.parse('2026-11-01T00:00:00Z'));
		expect(spec).toMatchObject({
			schemaVersion: 1,
			runID: runIdFor(r),
			turn: 1,
			issueIdentifier: '(none)',
			provider: 'claude',
			botRole: 'developer',
			inputTokens: 1000,
			outputTokens: 50,
			totalTokens: 1050,
			usageSource: 'provider_reported',
			inputUncachedTokens: 100,
			inputCachedReadTokens: 600,
			inputCacheWriteTokens: 300,
			inputCacheWriteEphemeral5mTokens: 100,
			inputCacheWriteEphemeral1hTokens: 200,
			outputVisibleTokens: 30,
			outputReasoningTokens: 20,
			workspacePath: '/home/dev/acme',
			quota: {planType: 'pro', windows: [{label: 'primary', windowMinutes: 300, usedPercent: 12.5}]},
			startedAt: '2026-10-02T09:59:00.000Z',
			endedAt: '2026-10-02T10:00:00.000Z',
		});
		const parsed = parseSymphonyChunk(Buffer.from(JSON.stringify(spec) + '\n'), {reportedVersions: []}, {path: 'x', offset: 0, line: 1});
		expect(parsed.problems).toEqual([]);
		expect(parsed.records[0]!.tokens).toMatchObject({input: 1000, cacheRead: 600, cacheWrite: 300, output: 50, reasoning: 20, total: 1050});
		expect(Object.keys(spec).some((k) => /prompt|response|content|message/i.test(k))).toBe(false);
	});

	it('derives the runID as a UUID v5, the same every time, different per source', () => {
		const id = uuidV5('claude:sess-1');
		expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		expect(uuidV5('claude:sess-1')).toBe(id);
		expect(runIdFor({source: 'codex', runId: 'sess-1'})).not.toBe(runIdFor({source: 'claude', runId: 'sess-1'}));
		// RFC 9562 test vector: v5 of "www.example.com" in the DNS namespace.
		expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
	});
});

describe('burn backfill', () => {
	it('writes every transcript record as a valid usage.jsonl record, turns from 1 in time order', async () => {
		const flags = transcriptFlags();
		const out = join(dir, 'bake', 'usage.jsonl');
		const text = await backfill(flags, out);
		const written = lines(out).map((l) => JSON.parse(l));
		expect(written.length).toBeGreaterThan(0);
		expect(text).toContain(`backfill: ${written.length} new records`);
		const v = await validateFiles([out]);
		expect(v.findings.filter((f) => f.severity === 'error')).toEqual([]);
		expect(v.ok).toBe(true);
		const byRun = new Map<string, Array<{turn: number; endedAt: string}>>();
		for (const r of written) {
			expect(r.usageSource === 'provider_reported' || r.usageSource === 'unavailable').toBe(true);
			byRun.set(r.runID, [...(byRun.get(r.runID) ?? []), r]);
		}
		for (const turns of byRun.values()) {
			expect(turns.map((t) => t.turn)).toEqual(turns.map((_, i) => i + 1));
			const times = turns.map((t) => Date.parse(t.endedAt));
			expect(times).toEqual([...times].sort((a, b) => a - b));
		}
		// The sources it covers: more than one transcript format went in.
		const sources = new Set(written.map((r) => r.provider));
		expect(sources.size).toBeGreaterThan(1);
	});

	it('round trip: summary over the bake equals summary over the transcripts, per issue and per model', async () => {
		const flags = transcriptFlags();
		const out = join(dir, 'usage.jsonl');
		await backfill(flags, out);
		const before: SummaryJson = (await collectSummary({discovery: discovery(flags)})).doc;
		const after: SummaryJson = (await collectSummary({discovery: discovery({usage: [out]})})).doc;
		expect(after.totals.records).toBe(before.totals.records);
		expect(shape(after.byIssue)).toEqual(shape(before.byIssue));
		expect(shape(after.byModel)).toEqual(shape(before.byModel));
		expect(Object.keys(before.byIssue).length).toBeGreaterThan(1);
	});

	it('a rerun appends nothing; a grown session appends only its new call, after the last turn', async () => {
		const flags = transcriptFlags();
		const out = join(dir, 'usage.jsonl');
		await backfill(flags, out);
		const first = readFileSync(out);
		const text = await backfill(flags, out);
		expect(text).toMatch(/backfill: 0 new records .*\(\d+ already there\)/);
		expect(readFileSync(out).equals(first)).toBe(true);

		const session = join(flags.claudeDir![0]!, 'projects', '-home-dev-acme-api', '3c1e0f7a-0000-4000-8000-00000000b002.jsonl');
		const last = lines(session)
			.map((l) => JSON.parse(l))
			.filter((l) => l.type === 'assistant')
			.pop();
		appendFileSync(
			session,
			JSON.stringify({...last, uuid: 'a-grown', timestamp: '2026-12-01T00:00:00.000Z', requestId: 'req_GROWN', message: {...last.message, id: 'msg_GROWN'}}) + '\n',
		);
		await backfill(flags, out);
		const after = lines(out).map((l) => JSON.parse(l));
		expect(after).toHaveLength(split(first.toString()).length + 1);
		const added = after[after.length - 1];
		const sameRun = after.filter((r) => r.runID === added.runID);
		expect(added.turn).toBe(Math.max(...sameRun.slice(0, -1).map((r) => r.turn)) + 1);
		expect(added.endedAt).toBe('2026-12-01T00:00:00.000Z');
	});

	it('repairs a half-written last line from an interrupted run instead of duplicating it', async () => {
		const flags = transcriptFlags();
		const out = join(dir, 'usage.jsonl');
		await backfill(flags, out);
		const complete = readFileSync(out);
		truncateSync(out, complete.length - 40);
		const text = await backfill(flags, out);
		expect(text).toMatch(/repaired .*cut off an incomplete last line/);
		expect(text).toContain('backfill: 1 new records');
		const repaired = readFileSync(out);
		expect(repaired.length).toBe(complete.length);
		expect(split(repaired.toString())).toHaveLength(split(complete.toString()).length);
		expect((await validateFiles([out])).ok).toBe(true);
	});

	it('--only-attributed leaves out records with no issue; nothing else is written', async () => {
		const flags = transcriptFlags();
		const out = join(dir, 'usage.jsonl');
		const text = await backfill(flags, out, ['--only-attributed']);
		const written = lines(out).map((l) => JSON.parse(l));
		expect(written.every((r) => r.issueIdentifier !== '(none)')).toBe(true);
		expect(text).toMatch(/left out \d+ records with no issue/);
		expect(readdirSync(dir).filter((f) => f.endsWith('.jsonl'))).toEqual(['usage.jsonl']);
		expect(statSync(out).size).toBeGreaterThan(0);
	});
});
