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

export {usageLine} from '../helpers/records.js';

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
