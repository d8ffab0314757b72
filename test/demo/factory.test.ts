import {existsSync, readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {DemoFactory} from '../../source/demo/factory.js';
import {parseSymphonyChunk} from '../../source/sources/symphony.js';

const T0 = Date.UTC(2026, 10, 2, 12, 0, 0);
const factories: DemoFactory[] = [];
afterEach(() => {
	while (factories.length > 0) factories.pop()!.remove();
});

/** Runs a factory on a fake clock for `seconds`, ticking every half second. */
function runFor(seconds: number, options: {claude?: boolean; seed?: number} = {}): DemoFactory {
	let t = T0;
	const f = new DemoFactory({now: () => t, claude: options.claude ?? true, seed: options.seed});
	factories.push(f);
	f.start();
	f.stop();
	for (; t <= T0 + seconds * 1000; t += 500) f.tick(t);
	return f;
}

function claudeFiles(dir: string): string[] {
	const out: string[] = [];
	for (const project of readdirSync(dir)) for (const file of readdirSync(join(dir, project))) out.push(join(dir, project, file));
	return out;
}

describe('demo factory', () => {
	it('writes valid usage.jsonl for several issues, providers and models, with a spend spike', () => {
		const f = runFor(120);
		const usage = readFileSync(join(f.usageDir, 'usage.jsonl'));
		const parsed = parseSymphonyChunk(usage, {reportedVersions: []}, {path: 'usage.jsonl', offset: 0, line: 1});
		expect(parsed.problems).toEqual([]);
		const records = parsed.records;
		expect(new Set(records.map((r) => r.issue)).size).toBeGreaterThanOrEqual(5);
		expect(new Set(records.map((r) => r.provider))).toEqual(new Set(['anthropic', 'openai', 'google']));
		expect(new Set(records.map((r) => r.model)).size).toBeGreaterThanOrEqual(4);
		expect(records.some((r) => r.at < T0 - 20 * 60_000)).toBe(true);
		expect(records.some((r) => r.meta?.exitReason === 'completed')).toBe(true);
		// The spike: MT-101's tokens per minute in the spike window dwarf its history.
		const perMinute = new Map<number, number>();
		for (const r of records.filter((x) => x.issue === 'MT-101')) {
			const m = Math.floor(r.at / 60_000);
			perMinute.set(m, (perMinute.get(m) ?? 0) + (r.tokens.total ?? 0));
		}
		const before = [...perMinute].filter(([m]) => m * 60_000 < T0).map(([, v]) => v);
		const median = before.sort((a, b) => a - b)[Math.floor(before.length / 2)]!;
		expect(Math.max(...perMinute.values())).toBeGreaterThan(10 * median);
	});

	it('writes a Claude Code session that stalls on a tool call', () => {
		const f = runFor(30);
		const files = claudeFiles(f.claudeDir);
		expect(files.length).toBeGreaterThanOrEqual(2);
		const stalled = files.map((p) => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l))).find((lines) => lines[0].cwd.endsWith('MT-105'))!;
		const last = stalled[stalled.length - 1];
		expect(last.type).toBe('assistant');
		expect(last.message.stop_reason).toBe('tool_use');
		expect(T0 - Date.parse(last.timestamp)).toBeGreaterThan(5 * 60_000);
	});

	it('is deterministic from its seed', () => {
		const a = readFileSync(join(runFor(60, {seed: 9}).usageDir, 'usage.jsonl'), 'utf8');
		const b = readFileSync(join(runFor(60, {seed: 9}).usageDir, 'usage.jsonl'), 'utf8');
		const c = readFileSync(join(runFor(60, {seed: 10}).usageDir, 'usage.jsonl'), 'utf8');
		expect(a).toBe(b);
		expect(a).not.toBe(c);
	});

	it('writes only usage.jsonl without the Claude source, and removes its temp dir', () => {
		const f = runFor(10, {claude: false});
		expect(existsSync(f.claudeDir)).toBe(false);
		expect(readFileSync(join(f.usageDir, 'usage.jsonl'), 'utf8')).toContain('MT-105');
		f.remove();
		f.remove();
		expect(existsSync(f.dir)).toBe(false);
	});
});
