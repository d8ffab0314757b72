import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {serialize} from 'node:v8';
import {afterEach, describe, expect, it} from 'vitest';
import {commitFlagState, FLAG_DELTA_FILE, FLAG_STATE_FILE, loadKeptFold, packKeys, packSpliced, prepareFlagState, saveFlagDelta, saveFlagState, unpackKeys} from '../../source/ingest/flag-state.js';
import type {MonitorSnapshot} from '../../source/core/anomalies/monitor.js';

const dirs: string[] = [];
afterEach(() => {
	for (const d of dirs.splice(0)) rmSync(d, {recursive: true, force: true});
});

describe('kept fold content', () => {
	it('packs record keys by shared prefix and unpacks exactly those', () => {
		const long = 'x'.repeat(300);
		const cases: string[][] = [
			[],
			[''],
			['symphony:b071c772-4831:1', 'symphony:b071c772-4831:2', 'symphony:b071c772-4831:10', 'claude:msg_1', 'claude:msg_1', '', 'c'],
			[`${long}a`, `${long}b`, long, `${long}`],
			// A shared prefix that would end inside a surrogate pair.
			['k\u{1F600}a', 'k\u{1F601}b', 'k\u{1F601}c', 'é', 'éa'],
		];
		for (const keys of cases) {
			const packed = packKeys(keys);
			expect(unpackKeys(packed)).toEqual(keys);
			expect(packed.prefix.every((p) => p <= 255)).toBe(true);
			expect(unpackKeys(structuredClone(packed))).toEqual(keys);
		}
		expect(packKeys(['symphony:run:1', 'symphony:run:2']).suffixes).toBe('symphony:run:12');
		// Keys inserted anywhere among packed ones: what packing them all gives.
		for (const keys of cases) {
			for (let mask = 0; mask < 1 << keys.length; mask++) {
				const isNew = Uint8Array.from(keys, (_, i) => (mask >> i) & 1);
				const kept = keys.filter((_, i) => isNew[i] === 0);
				expect(packSpliced(packKeys(kept), keys, isNew)).toEqual(packKeys(keys));
			}
		}
		expect(() => packSpliced(packKeys(['a', 'b']), ['a', 'b'], Uint8Array.of(0, 1))).toThrow();
	});

	it('a damaged packing is no content', () => {
		const packed = packKeys(['ab', 'ac']);
		expect(unpackKeys({...packed, suffixes: 'ab'})).toBeNull();
		expect(unpackKeys({...packed, prefix: Uint8Array.of(0, 5)})).toBeNull();
		expect(unpackKeys({...packed, suffixLength: Uint32Array.of(2)})).toBeNull();
	});

	it('saves the content packed and gives it back unpacked, only when the fold is not an exact hit', () => {
		const dir = mkdtempSync(join(tmpdir(), 'burn-flag-state-'));
		dirs.push(dir);
		const snapshot = {version: 1, detectors: [], life: new Map(), last: null, newest: 0, keys: null} as MonitorSnapshot;
		const fold = {keys: ['a:1', 'a:2', 'b:1'], records: Float64Array.of(1, 2, 3), events: Float64Array.of(4), index: 'digest'};
		saveFlagState(dir, 'key', snapshot, {base: 'base', fold});
		expect(loadKeptFold(dir, 'other', 'base')).toEqual({snapshot, exact: false, fold, packed: packKeys(fold.keys), keptKey: 'key'});
		expect(loadKeptFold(dir, 'key', 'base')).toEqual({snapshot, exact: true, fold: null, packed: null, keptKey: 'key'});
		// A delta over this fold names the index a later run left; over another fold it is nothing.
		saveFlagDelta(dir, 'key', 'later');
		expect(loadKeptFold(dir, 'other', 'base')!.fold!.index).toBe('later');
		saveFlagDelta(dir, 'key', null);
		expect(loadKeptFold(dir, 'other', 'base')!.fold!.index).toBeNull();
		saveFlagDelta(dir, 'another key', 'later');
		expect(loadKeptFold(dir, 'other', 'base')!.fold!.index).toBe('digest');
		writeFileSync(join(dir, FLAG_DELTA_FILE), '{"version":1,"kept":"key","index":');
		expect(loadKeptFold(dir, 'other', 'base')!.fold!.index).toBe('digest');
		saveFlagDelta(dir, 'key', 'later');
		// Saved again with the kept keys as loaded and one more: the same file as packing them all.
		const more = {...fold, keys: [...fold.keys, 'b:2'], records: Float64Array.of(1, 2, 3, 5)};
		saveFlagState(dir, 'key2', snapshot, {base: 'base', fold: more, packed: {keys: loadKeptFold(dir, 'other', 'base')!.packed!, newKeys: Uint8Array.of(0, 0, 0, 1)}});
		expect(loadKeptFold(dir, 'other', 'base')).toEqual({snapshot, exact: false, fold: more, packed: packKeys(more.keys), keptKey: 'key2'});
		// Writing the fold again voids the delta.
		expect(existsSync(join(dir, FLAG_DELTA_FILE))).toBe(false);
		expect(loadKeptFold(dir, 'other', 'another base')).toBeNull();
		// Another version's file is a miss.
		writeFileSync(join(dir, FLAG_STATE_FILE), serialize({version: 2, key: 'key', snapshot, content: {base: 'base', fold}}));
		expect(loadKeptFold(dir, 'key', 'base')).toBeNull();
	});

	it('serialized first and written under a key and index known later: the same file as saving it at once', () => {
		const dir = mkdtempSync(join(tmpdir(), 'burn-flag-state-'));
		dirs.push(dir);
		const snapshot = {version: 1, detectors: [{runs: new Map([['r', {n: 1}]])}], life: new Map(), last: null, newest: 0, keys: null} as unknown as MonitorSnapshot;
		const fold = {keys: ['a:1', 'b:1'], records: Float64Array.of(1, 2), events: Float64Array.of(3)};
		const pending = prepareFlagState(dir, snapshot, {base: 'base', fold})!;
		// Not kept until it has its key.
		expect(existsSync(join(dir, FLAG_STATE_FILE))).toBe(false);
		commitFlagState(pending, 'key', 'digest');
		const split = readFileSync(join(dir, FLAG_STATE_FILE));
		saveFlagState(dir, 'key', snapshot, {base: 'base', fold: {...fold, index: 'digest'}});
		expect(readFileSync(join(dir, FLAG_STATE_FILE))).toEqual(split);
		expect(loadKeptFold(dir, 'other', 'base')).toEqual({snapshot, exact: false, fold: {...fold, index: 'digest'}, packed: packKeys(fold.keys), keptKey: 'key'});
	});

	it('a file cut short, or with a head longer than itself, is a miss whatever the key, never an error', () => {
		const dir = mkdtempSync(join(tmpdir(), 'burn-flag-state-'));
		dirs.push(dir);
		const snapshot = {version: 1, detectors: [], life: new Map(), last: null, newest: 0, keys: null} as MonitorSnapshot;
		saveFlagState(dir, 'key', snapshot, {base: 'base', fold: {keys: ['a:1'], records: Float64Array.of(1), events: new Float64Array(0), index: null}});
		const bytes = readFileSync(join(dir, FLAG_STATE_FILE));
		const head = bytes.readUInt32LE(bytes.length - 4);
		// The serialized part cut short (the head kept after it): a hit by key or base fails to deserialize it.
		writeFileSync(join(dir, FLAG_STATE_FILE), Buffer.concat([bytes.subarray(0, 8), bytes.subarray(bytes.length - 4 - head)]));
		expect(loadKeptFold(dir, 'other', 'other base')).toBeNull();
		expect(loadKeptFold(dir, 'key', 'base')).toBeNull();
		expect(loadKeptFold(dir, 'other', 'base')).toBeNull();
		// A head longer than the file, or no head at all.
		writeFileSync(join(dir, FLAG_STATE_FILE), Buffer.from([255, 255, 255, 0]));
		expect(loadKeptFold(dir, 'key', 'base')).toBeNull();
		// A fold whose key is unknown when it is written is not kept.
		commitFlagState(prepareFlagState(dir, snapshot)!, null, null);
		expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
		// A run that died between the two left its temp file: the next one removes it once it is an hour old.
		const stale = join(dir, `${FLAG_STATE_FILE}.1.dead.tmp`);
		const young = join(dir, `${FLAG_STATE_FILE}.2.live.tmp`);
		writeFileSync(stale, 'x');
		writeFileSync(young, 'x');
		utimesSync(stale, new Date(Date.now() - 2 * 3_600_000), new Date(Date.now() - 2 * 3_600_000));
		commitFlagState(prepareFlagState(dir, snapshot)!, 'key', null);
		expect(existsSync(stale)).toBe(false);
		expect(existsSync(young)).toBe(true);
		writeFileSync(join(dir, FLAG_STATE_FILE), Buffer.alloc(0));
		expect(loadKeptFold(dir, 'key', 'base')).toBeNull();
	});
});
