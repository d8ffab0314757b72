import {spawnSync} from 'node:child_process';
import {CLI} from './temp.js';

export interface CliResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Runs the built CLI (`npm test` builds before vitest). */
export function runCli(args: string[], options: {cwd?: string; env?: NodeJS.ProcessEnv} = {}): CliResult {
	const result = spawnSync(process.execPath, [CLI, ...args], {
		cwd: options.cwd,
		env: {...process.env, BURN_DEBUG: '', ...options.env},
		encoding: 'utf8',
		timeout: 60_000,
	});
	return {code: result.status, stdout: result.stdout, stderr: result.stderr};
}
