import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {summaryKey, type WarmDepends} from '../../source/commands/kept-summary.js';
import {tempDir} from '../helpers/temp.js';

// The kept summary's key must name every input besides the files (the flag fold's key names some
// of them too, so the CLI tests alone would not catch the summary key forgetting one).
describe('the kept summary key', () => {
	const {dir, cleanup} = tempDir('burn-key-');
	afterAll(cleanup);
	const cache = join(dir, 'cache');
	mkdirSync(cache);
	const index = (sha1: string) => writeFileSync(join(cache, 'index.json'), `${JSON.stringify({magic: 'burn-index', version: 3, bytes: 0, sha1, json: 0})}\n`);
	const root = {kind: 'claude' as const, path: '/h/.claude/projects', explicit: false, via: 'default'};
	const base: WarmDepends = {
		discovery: {roots: [root], missing: [], explicit: false},
		filters: {since: null, until: null, issue: null},
		patterns: [],
		pricing: {priced: true, fingerprint: 'f1', asOf: '2026-08-01', sheets: []},
	};

	it('is null without an index, and changes with every input', () => {
		expect(summaryKey(cache, base)).toBeNull();
		index('aaaa');
		const k = summaryKey(cache, base)!;
		expect(summaryKey(cache, {...base})).toBe(k);
		const variants: WarmDepends[] = [
			{...base, filters: {...base.filters, since: 1}},
			{...base, filters: {...base.filters, until: 1}},
			{...base, filters: {...base.filters, issue: 'MT-1'}},
			{...base, patterns: [/\/w\/([A-Z]+-\d+)/]},
			{...base, pricing: {...base.pricing, fingerprint: 'f2'}},
			{...base, pricing: {...base.pricing, priced: false}},
			{...base, pricing: {...base.pricing, sheets: ['/s.yaml']}},
			{...base, pricing: {...base.pricing, asOf: '2026-09-01'}},
			{...base, discovery: {...base.discovery, roots: [{...root, path: '/other'}]}},
			{...base, discovery: {...base.discovery, missing: [root]}},
			{...base, discovery: {...base.discovery, explicit: true}},
		];
		const keys = variants.map((v) => summaryKey(cache, v));
		for (const key of keys) expect(key).not.toBe(k);
		expect(new Set(keys).size).toBe(keys.length);
		index('bbbb');
		expect(summaryKey(cache, base)).not.toBe(k);
	});
});
