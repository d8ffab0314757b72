/** The statusline's samples file on real files: 0600, torn and bad lines, compaction. */
import {appendFileSync, chmodSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {appendSample, lastSample, QUOTA_FILE, readSamples, stateDir} from '../../source/ingest/quota-state.js';
import {tempDir} from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({dir, cleanup} = tempDir()));
afterEach(() => cleanup());

const sample = (used: number, at = 1_796_000_000_000) => ({provider: 'anthropic', source: 'statusline', at, windows: [{label: 'five_hour', windowMinutes: 300, usedPercent: used, resetsAt: 1_796_003_600}]});

describe('quota state', () => {
	it('the state dir: BURN_STATE_DIR, else $XDG_STATE_HOME/burn, else ~/.local/state/burn', () => {
		expect(stateDir({BURN_STATE_DIR: '/s', XDG_STATE_HOME: '/x', HOME: '/h'})).toBe('/s');
		expect(stateDir({XDG_STATE_HOME: '/x', HOME: '/h'})).toBe('/x/burn');
		expect(stateDir({HOME: '/h'})).toBe('/h/.local/state/burn');
	});

	it('appends 0600 (an existing file too); skips torn and bad lines; the last sample is read from the end', () => {
		const state = join(dir, 'state');
		mkdirSync(state);
		writeFileSync(join(state, QUOTA_FILE), '');
		chmodSync(join(state, QUOTA_FILE), 0o644);
		appendSample(state, sample(10));
		expect(statSync(join(state, QUOTA_FILE)).mode & 0o777).toBe(0o600);
		appendSample(state, sample(20));
		appendFileSync(join(state, QUOTA_FILE), 'not json\n{"v":1,"provider":"anthropic"}\n{"v":1,"provider":"anth');
		expect(lastSample(state)!.windows[0]!.usedPercent).toBe(20);
		expect(readSamples(state)).toMatchObject({bad: 3, samples: [sample(10), sample(20)]});
		expect(readSamples(join(dir, 'none'))).toEqual({samples: [], bad: 0});
		expect(lastSample(join(dir, 'none'))).toBeNull();
	});

	it('past 512 KiB the file keeps its last 2,000 samples', () => {
		const state = join(dir, 'state');
		for (let i = 0; i < 4000; i++) appendSample(state, sample(i % 100, 1_796_000_000_000 + i));
		const lines = readFileSync(join(state, QUOTA_FILE), 'utf8').trim().split('\n');
		expect(statSync(join(state, QUOTA_FILE)).size).toBeLessThanOrEqual(512 * 1024);
		expect(lines.length).toBeLessThan(4000);
		expect(lines.length).toBeGreaterThanOrEqual(2000);
		expect(JSON.parse(lines[lines.length - 1]!).at).toBe(1_796_000_000_000 + 3999);
		expect(statSync(join(state, QUOTA_FILE)).mode & 0o777).toBe(0o600);
	});
});
