/**
 * A small factory floor for watch tests: three issues, four runs on three providers, one model
 * without a price, timed relative to a fixed clock.
 */
import {runGuid, type TurnSpec} from '../../source/demo/usage-line.js';
import type {Flag} from '../../source/core/flags.js';
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

/** A spend_spike flag on `runId` as the monitor words it ($0.23/min against a $0.06/min usual), ending now. */
export function spendSpikeFlag(runId: string, evidence: string, o: Partial<Flag> = {}): Flag {
	return {
		id: `spend_spike:run:${runId}`,
		kind: 'spend_spike',
		scope: {type: 'run', id: runId},
		severity: 'warn',
		value: 0.23,
		threshold: 0.12,
		unit: 'usd/min',
		baseline: {median: 0.06, mad: 0.01, n: 35, window: '60m own'},
		firstAt: NOW - 60_000,
		lastAt: NOW,
		message: `Run ${runId.slice(0, 8)}… is burning $0.23/min, 3.9× its usual $0.06/min (robust z 5.7): look at what it is doing right now.`,
		evidence: [{at: NOW - 30_000, text: evidence}],
		...o,
	};
}
