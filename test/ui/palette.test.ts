import {describe, expect, it} from 'vitest';
import {COLOUR_PALETTE, paletteFor, type Role} from '../../source/ui/palette.js';
import {runCli} from '../helpers/cli.js';
import {FIXTURES, tempDir} from '../helpers/temp.js';
import {join} from 'node:path';

const ROLES: Role[] = ['title', 'rate', 'chart', 'warning', 'problem', 'severity.info', 'severity.warn', 'severity.crit', 'fidelity.measured', 'fidelity.unknown', 'paused'];
// SGR foreground colours: 30–37, 38;…, 90–97.
const COLOUR_SGR = /\u001b\[(?:3[0-8]|9[0-7])[;m]/;

describe('palette', () => {
	it('gives roles colours, and NO_COLOR (non-empty) takes every colour away but keeps emphasis', () => {
		for (const role of ROLES) expect(COLOUR_PALETTE.style(role).color, role).toBeTypeOf('string');
		const plain = paletteFor({NO_COLOR: '1'});
		expect(plain.colour).toBe(false);
		for (const role of ROLES) expect(plain.style(role).color, role).toBeUndefined();
		expect(plain.style('title').bold).toBe(true);
		expect(plain.style('paused').bold).toBe(true);
		// The spec: an empty NO_COLOR is as if unset.
		expect(paletteFor({NO_COLOR: ''}).colour).toBe(true);
		expect(paletteFor({}).colour).toBe(true);
	});

	it('summary --once on a colour terminal: colours by default, none with NO_COLOR, bold either way', () => {
		const home = tempDir();
		try {
			const args = ['summary', '--once', '--usage', join(FIXTURES, 'symphony', 'problems.jsonl'), '--no-cache'];
			const env = {HOME: home.dir, XDG_CONFIG_HOME: join(home.dir, 'config'), FORCE_COLOR: '1', NO_COLOR: ''};
			const coloured = runCli(args, {env});
			expect(coloured.code).toBe(0);
			expect(coloured.stdout).toMatch(COLOUR_SGR);
			const plain = runCli(args, {env: {...env, NO_COLOR: '1'}});
			expect(plain.code).toBe(0);
			expect(plain.stdout).not.toMatch(COLOUR_SGR);
			expect(plain.stdout).toContain('\u001b[1m');
			// Same text, only the colour codes differ.
			const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');
			expect(strip(plain.stdout)).toBe(strip(coloured.stdout));
		} finally {
			home.cleanup();
		}
	});
});
