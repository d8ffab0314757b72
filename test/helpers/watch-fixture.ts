/**
 * A small factory floor for watch tests: three issues, four runs on three providers, one model
 * without a price, timed relative to a fixed clock.
 */
import {runGuid, type TurnSpec} from '../../source/demo/usage-line.js';
import type {Pricer} from '../../source/core/totals.js';
import {TestStore, testPricer} from './ledger-store.js';

/** 12:30 UTC: records up to 20 minutes old stay on the same local day in any time zone. */
export const NOW = Date.UTC(2026, 10, 2, 12, 30, 0);
const MIN = 60_000;

export const RUN_A = runGuid(7, 1);
export const RUN_B = runGuid(7, 2);
export const RUN_C = runGuid(7, 3);
export const RUN_D = runGuid(7, 4);

export function turn(partial: Partial<TurnSpec> & Pick<TurnSpec, 'runId' | 'turn'>, minutesAgo: number): TurnSpec {
	const endedAt = NOW - minutesAgo * MIN;
	return {
		issue: 'MT-101',
		provider: 'anthropic',
		model: 'claude-sonnet-4-6',
		botRole: 'developer',
		startedAt: endedAt - 20_000,
		endedAt,
		input: 2_000,
		cacheRead: 30_000,
		cacheWrite: 1_000,
		output: 800,
		...partial,
	};
}

export function factoryTurns(): TurnSpec[] {
	return [
		turn({runId: RUN_A, turn: 1}, 18),
		turn({runId: RUN_A, turn: 2}, 12),
		turn({runId: RUN_A, turn: 3, output: 4_000}, 2),
		turn({runId: RUN_B, turn: 1, issue: 'MT-101', provider: 'openai', model: 'gpt-5.3-codex', botRole: 'reviewer', exitReason: 'completed'}, 15),
		turn({runId: RUN_C, turn: 1, issue: 'MT-102', provider: 'google', model: 'gemini-2.5-pro'}, 10),
		turn({runId: RUN_C, turn: 2, issue: 'MT-102', provider: 'google', model: 'gemini-2.5-pro', input: 90_000, output: 20_000}, 1),
		turn({runId: RUN_D, turn: 1, issue: 'MT-103', provider: 'local', model: 'mystery-7b'}, 8),
	];
}

export function factoryStore(options: {pricer?: Pricer | null} = {}): TestStore {
	const store = new TestStore({now: NOW, pricer: options.pricer === null ? undefined : (options.pricer ?? testPricer)});
	store.addTurns(factoryTurns());
	return store;
}
