import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {Engine} from '../../source/ingest/engine.js';
import type {EngineOptions} from '../../source/ingest/engine-types.js';
import {symphonyDefinition} from '../../source/sources/symphony-definition.js';

/** Polls until `predicate` holds (never a fixed sleep); throws with `what` after the timeout. */
export async function waitFor(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
	const start = Date.now();
	while (!predicate()) {
		if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 10));
	}
}

export function tempDir(): string {
	return mkdtempSync(join(tmpdir(), 'burn-'));
}

export function removeDir(dir: string): void {
	rmSync(dir, {recursive: true, force: true});
}

const pad = (n: number) => String(n).padStart(12, '0');

/** One Symphony usage.jsonl line (spec §5.1), LF-terminated. */
export function usageLine(run: number, turn: number, input: number, output: number, extra: Record<string, unknown> = {}): string {
	const at = new Date(Date.UTC(2026, 10, 20, 10, 0, 0) + (run * 100 + turn) * 60_000).toISOString();
	return (
		JSON.stringify({
			schemaVersion: 1,
			recordedAt: at,
			runID: `00000000-0000-4000-8000-${pad(run)}`,
			turn,
			issueIdentifier: `MT-${run}`,
			provider: 'claude',
			model: 'claude-sonnet-4-6',
			botRole: 'developer',
			inputTokens: input,
			outputTokens: output,
			totalTokens: input + output,
			usageSource: 'provider_reported',
			startedAt: at,
			endedAt: at,
			...extra,
		}) + '\n'
	);
}

export interface Totals {
	records: number;
	total: number | null;
}

export function totalsOf(engine: Engine): Totals {
	const t = engine.store.getSnapshot().doc.totals;
	return {records: t.records, total: t.tokens.total.value};
}

/** An engine over Symphony roots (`--usage` values), quick timers for tests. */
export function symphonyEngine(usage: string[], extra: Partial<EngineOptions> = {}): Engine {
	return new Engine({
		discovery: {cwd: '/', home: '/nonexistent', env: {}, flags: {usage}},
		cacheDir: null,
		sources: [symphonyDefinition],
		notifyIntervalMs: 20,
		debounceMs: 20,
		pollIntervalMs: 200,
		relistIntervalMs: 400,
		...extra,
	});
}
