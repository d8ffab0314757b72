import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.{ts,tsx}'],
		testTimeout: 30_000,
		hookTimeout: 30_000,
		pool: 'forks',
		// summary and watch read the statusline's quota samples from the state dir: never the
		// machine's own (~/.local/state/burn) in a test; tests that need samples set their own.
		env: {BURN_STATE_DIR: join(tmpdir(), `burn-test-state-${process.pid}`)},
	},
});
