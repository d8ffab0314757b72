import {describe, expect, it} from 'vitest';
import {RecordAttribution} from '../../source/ingest/record-attribution.js';
import {SOURCES} from '../../source/sources/registry.js';
import {makeRecord} from '../helpers/records.js';

/**
 * A record's issue from its workspace: set in place for a source whose files never state one (a
 * transcript), a copy for one that can (usage.jsonl); the index gets every record as read.
 */
describe('RecordAttribution', () => {
	const patterns = [/\/acme\/([A-Z]+-\d+)/];
	const attribution = () => new RecordAttribution(patterns, SOURCES);
	// Records as trackers give them: the provider's one name already (so no copy is made for it).

	it('sets a transcript record’s issue in place, and gives the index the record without it', () => {
		const a = attribution();
		const read = makeRecord({source: 'claude', provider: 'anthropic', issue: null, workspace: '/acme/ZZ-9/src'});
		const counted = a.attribute(read);
		expect(counted).toBe(read);
		expect(counted.issue).toBe('ZZ-9');
		const asRead = a.asRead(read);
		expect(asRead).not.toBe(read);
		expect(asRead).toEqual({...read, issue: null});
		// Nothing to change: the record itself.
		const plain = makeRecord({source: 'codex', provider: 'openai', issue: null, workspace: '/elsewhere'});
		expect(a.attribute(plain)).toBe(plain);
		expect(a.asRead(plain)).toBe(plain);
	});

	it('a usage.jsonl record keeps the issue its line states; one without gets a copy with the workspace’s', () => {
		const a = attribution();
		const stated = makeRecord({source: 'symphony', provider: 'anthropic', issue: 'MT-1', workspace: '/acme/ZZ-9'});
		expect(a.attribute(stated)).toBe(stated);
		expect(a.asRead(stated)).toBe(stated);
		const missing = makeRecord({source: 'symphony', provider: 'anthropic', issue: null, workspace: '/acme/ZZ-9'});
		const counted = a.attribute(missing);
		expect(counted).not.toBe(missing);
		expect(counted.issue).toBe('ZZ-9');
		expect(missing.issue).toBeNull();
		expect(a.asRead(missing)).toBe(missing);
	});

	it('every built-in source says whether its files state issues', () => {
		expect(Object.fromEntries(SOURCES.map((s) => [s.kind, s.statesIssues]))).toEqual({
			symphony: true,
			bosun: true,
			claude: false,
			codex: false,
			opencode: false,
			gemini: false,
			instrumentation: false,
		});
	});
});
