import meow from 'meow';
import {describe, expect, it} from 'vitest';
import {checkArgv, parseFlags} from '../../source/commands/cli-kit.js';
import {cacheFlags} from '../../source/commands/cache-flags.js';
import {flagOptions} from '../../source/commands/flag-options.js';
import {metricsFlags} from '../../source/commands/metrics-options.js';
import {notifyFlags} from '../../source/commands/notify-options.js';
import {priceFlags} from '../../source/commands/price-sheets.js';
import {sourceFlags} from '../../source/commands/source-flags.js';

/**
 * burn parses flags itself (commands/cli-kit.ts `parseFlags`): the same flags and input meow gave
 * for every argv `checkArgv` lets through, so no command's options changed meaning. meow, still a
 * dependency (the statusline's refresh), is the oracle.
 */
const spec = {
	once: {type: 'boolean', default: true},
	json: {type: 'boolean', default: false},
	demo: {type: 'boolean'},
	by: {type: 'string', default: 'issue'},
	width: {type: 'number'},
	since: {type: 'string'},
	until: {type: 'string'},
	issue: {type: 'string'},
	...sourceFlags,
	...priceFlags,
	...cacheFlags,
	...flagOptions,
	...metricsFlags,
	...notifyFlags,
} as const;

const CASES: string[][] = [
	[],
	['--json'],
	['--no-json'],
	['--json=false'],
	['--json=true'],
	['--no-cache', '--cache-dir', '/tmp/c'],
	['--json', 'false'],
	['--json', 'true', 'x'],
	['--demo'],
	['--by', 'model', '--width', '80'],
	['--width=80.5'],
	['--width', 'abc'],
	['--width', '1e2'],
	['--usage', 'a', '--usage=b', '--claude-dir', '~/x', '--usage', 'c'],
	['--since', '7d', '--issue', '123'],
	['--since', '-5'],
	['--issue', 'true'],
	['pos1', '--json', 'pos2', '--', '--json', 'x'],
	['--budget', 'issue=5', '--budget', 'day=50', '--fail-on', 'crit'],
	['--prices', 'a.yaml', '--config=c.yaml', '--issue-pattern', '(MT-\\d+)'],
	['-', '-5', 'model-x'],
	['--labels', 'a=b', '--labels=c=d', '--metrics', ':9464', '--notify', '--on-flag', 'echo hi'],
	['--once', '--json', '--by=provider', '--until', '2026-11-01'],
];

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

describe('parseFlags gives what meow gave', () => {
	for (const argv of CASES) {
		it(`burn x ${argv.join(' ') || '(no flags)'}`, () => {
			expect(checkArgv(argv, spec, 'x')).toBe(false);
			const theirs = meow('', {importMeta: import.meta, description: false, argv: [...argv], allowUnknownFlags: false, autoHelp: false, autoVersion: false, flags: spec});
			const ours = parseFlags(argv, spec);
			expect(defined(ours.flags)).toEqual(defined(theirs.flags as Record<string, unknown>));
			expect(ours.input).toEqual(theirs.input);
		});
	}

	it('a flag that takes one value, given twice, is a usage error (meow threw a plain error: exit 1)', () => {
		expect(() => parseFlags(['--by', 'model', '--by', 'run'], spec)).toThrow(/--by can only be set once/);
		expect(() => meow('', {importMeta: import.meta, argv: ['--by', 'model', '--by', 'run'], allowUnknownFlags: false, autoHelp: false, autoVersion: false, flags: spec})).toThrow(/only be set once/);
	});
});
