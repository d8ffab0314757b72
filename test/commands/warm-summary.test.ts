import {appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeEach, describe, expect, it} from 'vitest';
import {runCli} from '../helpers/cli.js';
import {usageLine} from '../helpers/records.js';
import {copyFixture, tempDir} from '../helpers/temp.js';

/**
 * The summary kept at the index's watermark (summary.v8, docs/index.md): a run over unchanged
 * files answers from it, and every input that can change the answer makes the next run miss it.
 * The truth for a warm run is the full read of the same index (the cache dir without summary.v8):
 * a gone file's history lives only in the index, so `--no-cache` is the truth only while no file
 * is gone. A kept summary that ignored an input would answer the old document and differ from it.
 */
const T0 = Date.parse('2026-10-02T10:00:00Z');

function claudeLines(session: string, n: number, from: number, model = 'claude-sonnet-4-6', cwd = '/srv/symphony_workspaces/MT-21'): string {
	const lines: string[] = [];
	for (let m = 0; m < n; m++) {
		const id = `msg_${session.slice(-4)}_${from + m}`;
		const at = new Date(T0 + (from + m) * 60_000).toISOString();
		lines.push(JSON.stringify({type: 'assistant', uuid: `u-${id}`, isSidechain: false, sessionId: session, cwd, timestamp: at, requestId: `req_${id}`, message: {id, type: 'message', role: 'assistant', model, content: [{type: 'text', text: 'ok'}], stop_reason: 'end_turn', usage: {input_tokens: 10 + m, cache_creation_input_tokens: 100, cache_read_input_tokens: 2000, output_tokens: 300 + m}}}));
	}
	return lines.join('\n') + '\n';
}

describe('summary --once answers warm from what the last run counted, and misses on any change', () => {
	const {dir, cleanup} = tempDir('burn-warm-');
	afterAll(cleanup);
	const home = join(dir, 'home');
	const work = join(home, 'work');
	const projects = join(home, '.claude', 'projects', '-srv-symphony-workspaces-MT-21');
	const cache = join(dir, 'cache');
	const kept = join(cache, 'summary.v8');
	const env = {HOME: home, XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state')};
	// Judged at the wall clock, so they move between two runs of the same files.
	const atNow = new Set(['stall', 'data_quality']);

	const raw = (extra: string[], cacheArgs: string[]): string => {
		const r = runCli(['summary', '--once', ...extra, ...cacheArgs], {cwd: work, env});
		expect(r.code, r.stderr).toBe(0);
		return r.stdout;
	};
	const norm = (stdout: string): string => {
		const doc = JSON.parse(stdout);
		expect(typeof doc.generatedAt).toBe('string');
		doc.generatedAt = '';
		doc.flags = doc.flags.filter((f: {kind: string}) => !atNow.has(f.kind));
		return JSON.stringify(doc, null, 1);
	};
	/** A run with the cache dir; whether it answered from the kept summary (which it then leaves as it was). */
	const warm = (extra: string[] = []): {out: string; hit: boolean} => {
		const before = existsSync(kept) ? statSync(kept) : null;
		const out = norm(raw(['--json', ...extra], ['--cache-dir', cache]));
		// A miss rewrites the kept summary, or drops it when the index does not hold the answer.
		const after = existsSync(kept) ? statSync(kept) : null;
		const hit = before !== null && after !== null && before.ino === after.ino && before.mtimeMs === after.mtimeMs;
		return {out, hit};
	};
	/** The full read of the index as it is now, folding flags from the start: a copy of the cache dir without the kept summary and fold. */
	const truth = (extra: string[] = []): string => {
		const copy = join(dir, `truth-${Math.random().toString(36).slice(2)}`);
		if (existsSync(cache)) cpSync(cache, copy, {recursive: true});
		else mkdirSync(copy);
		// The index is its manifest and segments; the kept summary and fold go.
		for (const name of readdirSync(copy)) if (name !== 'index.json' && !/^index-[0-9a-f]+\.seg$/.test(name)) unlinkSync(join(copy, name));
		const out = norm(raw(['--json', ...extra], ['--cache-dir', copy]));
		rmSync(copy, {recursive: true, force: true});
		return out;
	};
	const cold = (extra: string[] = []) => norm(raw(['--json', ...extra], ['--no-cache']));

	beforeEach(() => {
		rmSync(home, {recursive: true, force: true});
		rmSync(cache, {recursive: true, force: true});
		rmSync(join(dir, 'config'), {recursive: true, force: true});
		mkdirSync(projects, {recursive: true});
		mkdirSync(join(work, '.symphony', 'telemetry'), {recursive: true});
		copyFixture('symphony/valid.jsonl', join(work, '.symphony', 'telemetry'), 'usage.jsonl');
		copyFixture('codex/home/.codex', home, '.codex');
		copyFixture('bosun/repo/.cache', work, '.cache');
		writeFileSync(join(projects, 'a.jsonl'), claudeLines('3c1e0f7a-0000-4000-8000-00000000000a', 6, 0));
		writeFileSync(join(projects, 'b.jsonl'), claudeLines('3c1e0f7a-0000-4000-8000-00000000000b', 4, 100, 'claude-opus-4-6', '/home/dev/acme/ZZ-9'));
	});

	it('cold, first cached, warm hit, after an append and after a new file give the same document', () => {
		const c = cold();
		const doc = JSON.parse(c);
		// Not vacuous: every source counted, money present, bosun's alerts read.
		expect([...new Set(doc.sources.map((s: {kind: string}) => s.kind))].sort()).toEqual(['bosun', 'claude', 'codex', 'symphony']);
		expect(doc.totals.cost.usd).toBeGreaterThan(0);
		const first = warm();
		expect(first.hit).toBe(false);
		expect(first.out).toBe(c);
		expect(existsSync(kept)).toBe(true);
		const second = warm();
		expect(second.hit).toBe(true);
		expect(second.out).toBe(c);
		// The markdown and text reports come from the same kept document.
		const md = (cacheArgs: string[]) => raw(['--markdown'], cacheArgs).replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, 'T');
		expect(md(['--cache-dir', cache])).toBe(md(['--no-cache']));
		expect(statSync(kept).size).toBeGreaterThan(0);

		appendFileSync(join(projects, 'a.jsonl'), claudeLines('3c1e0f7a-0000-4000-8000-00000000000a', 3, 6));
		const grown = warm();
		expect(grown.hit).toBe(false);
		expect(grown.out).not.toBe(c);
		expect(grown.out).toBe(cold());
		expect(warm()).toEqual({out: grown.out, hit: true});

		writeFileSync(join(projects, 'c.jsonl'), claudeLines('3c1e0f7a-0000-4000-8000-00000000000c', 2, 200));
		const added = warm();
		expect(added.hit).toBe(false);
		expect(added.out).toBe(cold());
		expect(JSON.parse(added.out).bySource.claude.records).toBe(6 + 3 + 4 + 2);

		// A text or markdown run that reads keeps the document as built (after its answer), and --json answers from it.
		for (const report of [['--markdown'], []]) {
			appendFileSync(join(projects, 'c.jsonl'), claudeLines('3c1e0f7a-0000-4000-8000-00000000000c', 1, 202 + report.length));
			const before = existsSync(kept) ? statSync(kept).mtimeMs : null;
			raw(report, ['--cache-dir', cache]);
			expect(existsSync(kept) && statSync(kept).mtimeMs !== before).toBe(true);
			const after = warm();
			expect(after.hit).toBe(true);
			expect(after.out).toBe(cold());
		}
	});

	it('a file rewritten in place, a gone file and one that comes back are misses', () => {
		warm();
		expect(warm().hit).toBe(true);
		// Same size, other content: a rewrite (new mtime), re-read from zero.
		const b = join(projects, 'b.jsonl');
		writeFileSync(b, claudeLines('3c1e0f7a-0000-4000-8000-00000000000b', 4, 100, 'claude-sonnet-4-6', '/home/dev/acme/ZZ-9'));
		const rewritten = warm();
		expect(rewritten.hit).toBe(false);
		expect(rewritten.out).toBe(cold());
		expect(warm().hit).toBe(true);
		// Gone from disk: still counted from the index, no longer a file on disk.
		const before = JSON.parse(warm().out);
		const saved = readFileSync(b);
		unlinkSync(b);
		const expectedGone = truth();
		const gone = warm();
		expect(gone.hit).toBe(false);
		expect(gone.out).toBe(expectedGone);
		const claude = (d: {sources: Array<{kind: string; files: number}>}) => d.sources.filter((s) => s.kind === 'claude').reduce((n, s) => n + s.files, 0);
		expect(claude(JSON.parse(gone.out))).toBe(claude(before) - 1);
		expect(JSON.parse(gone.out).totals.records).toBe(before.totals.records);
		expect(warm()).toEqual({out: gone.out, hit: true});
		writeFileSync(b, saved);
		// Before the run: the first read after the path came back rewrites the index.
		const expected = truth();
		const back = warm();
		expect(back.hit).toBe(false);
		expect(back.out).toBe(expected);
		expect(claude(JSON.parse(back.out))).toBe(claude(before));
		// That run counted the old records aside (in memory only): it keeps no summary, the next reads the index.
		const next = truth();
		expect(warm()).toEqual({out: next, hit: false});
		expect(warm()).toEqual({out: next, hit: true});
	});

	it('another price sheet, filter or issue pattern is a miss', () => {
		warm();
		expect(warm().hit).toBe(true);
		// A sheet under the config dir (found by default): the same paths each time, other content.
		const sheetDir = join(dir, 'config', 'burn');
		mkdirSync(sheetDir, {recursive: true});
		const sheet = join(sheetDir, 'prices.yaml');
		writeFileSync(sheet, 'asOf: 2026-08-01\nmodels:\n  claude-sonnet-4-6:\n    input: 2\n    output: 20\n');
		const priced = warm();
		expect(priced.hit).toBe(false);
		expect(priced.out).toBe(cold());
		expect(warm().hit).toBe(true);
		writeFileSync(sheet, 'asOf: 2026-08-01\nmodels:\n  claude-sonnet-4-6:\n    input: 2\n    output: 40\n');
		const repriced = warm();
		expect(repriced.hit).toBe(false);
		expect(repriced.out).not.toBe(priced.out);
		expect(repriced.out).toBe(cold());

		const since = ['--since', '2026-10-02T10:03:00Z'];
		const filtered = warm(since);
		expect(filtered.hit).toBe(false);
		expect(filtered.out).toBe(cold(since));
		expect(filtered.out).not.toBe(repriced.out);
		expect(warm(since).hit).toBe(true);
		const issue = ['--issue', 'MT-21'];
		expect(warm(issue).out).toBe(cold(issue));

		// A pattern that names an issue for session b's workspace (no default pattern does).
		const pattern = ['--issue-pattern', '/acme/([A-Z]+-\\d+)'];
		const patterned = warm(pattern);
		expect(patterned.hit).toBe(false);
		expect(patterned.out).toBe(cold(pattern));
		expect(Object.keys(JSON.parse(patterned.out).byIssue)).toContain('ZZ-9');
		expect(warm().out).toBe(cold());
	});

	it('after an append or a streamed copy, the kept flag fold gives the flags of a fold from the start', () => {
		const budget = ['--budget', 'run=0.05'];
		/** The truth without any kept fold: the same index, flags folded from the start. */
		const a = join(projects, 'a.jsonl');
		const flagsOf = (out: string) => JSON.parse(out).flags.map((f: {id: string; severity: string; value: number}) => `${f.id}:${f.severity}:${f.value}`);
		const first = warm(budget);
		expect(first.out).toBe(cold(budget));
		expect(existsSync(join(cache, 'flags.v8'))).toBe(true);
		const runA = (out: string) => flagsOf(out).filter((f: string) => f.startsWith('budget_burn:run:3c1e0f7a-0000-4000-8000-00000000000a:'));
		expect(runA(first.out)).toEqual(['budget_burn:run:3c1e0f7a-0000-4000-8000-00000000000a:warn:66.6']);
		// New records only: the fold resumes and takes them (docs/flag-state.md).
		appendFileSync(a, claudeLines('3c1e0f7a-0000-4000-8000-00000000000a', 3, 6));
		const expected = truth(budget);
		const grown = warm(budget);
		expect(grown.out).toBe(expected);
		expect(runA(grown.out)).not.toEqual(runA(first.out));
		// A streamed copy of the last response, larger: a folded record changed, so the fold starts over.
		const lines = readFileSync(a, 'utf8').trim().split('\n');
		const last = JSON.parse(lines.at(-1)!);
		last.message.usage.output_tokens = 9000;
		appendFileSync(a, JSON.stringify(last) + '\n');
		const streamed = truth(budget);
		const bigger = warm(budget);
		expect(bigger.out).toBe(streamed);
		expect(runA(bigger.out)).not.toEqual(runA(grown.out));
		expect(bigger.out).toBe(cold(budget));
	});

	it('an append no counting rule can touch resumes the fold over the index it folded, with the flags of a fold from the start', () => {
		const budget = ['--budget', 'run=0.05'];
		const digest = () => (JSON.parse(readFileSync(join(cache, 'index.json'), 'utf8').split('\n')[0]!) as {sha1: string}).sha1;
		/** The index the kept fold says it folded exactly, or a delta over it (docs/flag-state.md). */
		const foldedIndex = () => {
			// flags.v8's head (docs/flag-state.md): {version, key, base, index} as JSON, then its length, at the end.
			const bytes = readFileSync(join(cache, 'flags.v8'));
			const n = bytes.readUInt32LE(bytes.length - 4);
			const head = JSON.parse(bytes.toString('utf8', bytes.length - 4 - n, bytes.length - 4)) as {key: string; index: string | null};
			const delta = join(cache, 'flags-delta.json');
			const extended = existsSync(delta) ? (JSON.parse(readFileSync(delta, 'utf8')) as {kept: string; index: string | null}) : null;
			return extended?.kept === head.key ? extended.index : head.index;
		};
		const first = warm(budget);
		expect(first.out).toBe(cold(budget));
		expect(foldedIndex()).toBe(digest());
		// A new usage.jsonl turn naming no workspace: no rule can touch it, its key is new.
		appendFileSync(join(work, '.symphony', 'telemetry', 'usage.jsonl'), usageLine(9000, 1, 900_000, 90_000));
		const expected = truth(budget);
		const grown = warm(budget);
		expect(grown.hit).toBe(false);
		expect(grown.out).toBe(expected);
		expect(grown.out).toBe(cold(budget));
		expect(JSON.parse(grown.out).totals.records).toBe(JSON.parse(first.out).totals.records + 1);
		expect(foldedIndex()).toBe(digest());
		// And again from that fold: a second append over the index the first one left.
		appendFileSync(join(work, '.symphony', 'telemetry', 'usage.jsonl'), usageLine(9001, 1, 900_000, 90_000));
		const again = warm(budget);
		expect(again.out).toBe(cold(budget));
		expect(JSON.parse(again.out).totals.records).toBe(JSON.parse(first.out).totals.records + 2);
	});

	it('a small append leaves the kept fold as it is (a delta names the index it extends); the next runs resume it, with the flags of a fold from the start', () => {
		const budget = ['--budget', 'run=0.05'];
		const usage = join(work, '.symphony', 'telemetry', 'usage.jsonl');
		const digest = () => (JSON.parse(readFileSync(join(cache, 'index.json'), 'utf8').split('\n')[0]!) as {sha1: string}).sha1;
		const flagsFile = join(cache, 'flags.v8');
		const delta = join(cache, 'flags-delta.json');
		const deltaIndex = () => (JSON.parse(readFileSync(delta, 'utf8')) as {index: string | null}).index;
		// A fold big enough for one more turn to be a small append (keepsKeptFold: at most 5 % of it).
		appendFileSync(usage, Array.from({length: 60}, (_, i) => usageLine(8000 + i, 1, 1000, 100)).join(''));
		const first = warm(budget);
		expect(first.out).toBe(cold(budget));
		const was = statSync(flagsFile);
		expect(existsSync(delta)).toBe(false);
		appendFileSync(usage, usageLine(9000, 1, 900_000, 90_000));
		const expected = truth(budget);
		const grown = warm(budget);
		expect(grown.out).toBe(expected);
		expect(grown.out).toBe(cold(budget));
		const same = statSync(flagsFile);
		expect([same.ino, same.mtimeMs]).toEqual([was.ino, was.mtimeMs]);
		expect(deltaIndex()).toBe(digest());
		// Again: both turns are new to the kept fold, and the index the delta names is the one left now.
		appendFileSync(usage, usageLine(9001, 1, 900_000, 90_000));
		const again = warm(budget);
		expect(again.out).toBe(truth(budget));
		expect(again.out).toBe(cold(budget));
		expect(JSON.parse(again.out).totals.records).toBe(JSON.parse(first.out).totals.records + 2);
		expect(statSync(flagsFile).mtimeMs).toBe(was.mtimeMs);
		expect(deltaIndex()).toBe(digest());
		// A turn stamped before the fold's position re-folds: the whole fold is written again, the delta goes.
		appendFileSync(usage, usageLine(1, 5, 900_000, 90_000));
		const refolded = warm(budget);
		expect(refolded.out).toBe(truth(budget));
		expect(refolded.out).toBe(cold(budget));
		const rewritten = statSync(flagsFile);
		expect([rewritten.ino, rewritten.mtimeMs]).not.toEqual([was.ino, was.mtimeMs]);
		expect(existsSync(delta)).toBe(false);
	});

	it("bosun's alerts file changing is a miss", () => {
		warm();
		expect(warm().hit).toBe(true);
		const alerts = join(work, '.cache', 'agent-work-logs', 'agent-alerts.jsonl');
		const lines = readFileSync(alerts, 'utf8').trim().split('\n');
		const last = JSON.parse(lines.filter((l) => l.startsWith('{')).at(-1)!);
		appendFileSync(alerts, JSON.stringify({...last, timestamp: '2026-10-02T14:30:00.000Z', attempt_id: 've-9a2b-other'}) + '\n');
		const grown = warm();
		expect(grown.hit).toBe(false);
		expect(grown.out).toBe(cold());
	});
});
