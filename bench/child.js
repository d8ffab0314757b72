/**
 * One measured read in a fresh process (so peak RSS is this read's): prints a JSON line.
 *   node bench/child.js <cacheDir|-> <cwd> <home>
 */
import {readOnce} from '../dist/ingest/read-once.js';

const [cacheArg, cwd, home] = process.argv.slice(2);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const engine = await readOnce({
	discovery: {cwd, home, env: {HOME: home}, flags: {}},
	cacheDir: cacheArg === '-' ? null : cacheArg,
});
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const {ledger} = engine;
const {sources, problems} = engine.tally();
process.stdout.write(
	JSON.stringify({
		ms,
		cpuMs: (cpu.user + cpu.system) / 1000,
		maxRssMb: process.resourceUsage().maxRSS / 1024,
		bytes: sources.reduce((n, s) => n + s.bytes, 0),
		bytesRead: engine.stats.bytesRead,
		records: ledger.totals.records,
		totalTokens: ledger.totals.tokens.total.sum,
		problems: problems.count,
		restoredFiles: engine.stats.restoredFiles,
	}) + '\n',
);
