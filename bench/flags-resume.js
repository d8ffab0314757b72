/**
 * What a resumable flag monitor buys on a real-sized history: fold every counted record once
 * (what `summary --once` does today), snapshot the fold, serialize it (what an index would
 * persist), then resume from the bytes with nothing new and evaluate (what a warm run would do).
 *   node bench/flags-resume.js <cwd> <home> [cacheDir]
 */
import {serialize, deserialize} from 'node:v8';
import {collectSummary} from '../dist/ingest/read-once.js';
import {loadPrices} from '../dist/commands/price-sheets.js';
import {FlagMonitor} from '../dist/core/anomalies/monitor.js';
import {DEFAULT_PARAMS} from '../dist/core/anomalies/params.js';

const [cwd, home, cacheDir] = process.argv.slice(2);
const env = {HOME: home};
const prices = loadPrices({}, env, cwd);
const collected = await collectSummary({discovery: {cwd, home, env, flags: {}}, filters: {since: null, until: null, issue: null}, pricer: prices.pricer, now: new Date(), cacheDir: cacheDir ?? null});
const {ledger} = collected;
const records = [...ledger.records()];
const events = collected.events;
const options = {params: DEFAULT_PARAMS, costOf: (r) => ledger.costOf(r.key)?.usd ?? null};
const now = Date.now();
const ms = (f) => {
	const t0 = performance.now();
	const v = f();
	return [performance.now() - t0, v];
};
const [foldMs, m] = ms(() => {
	const m = new FlagMonitor(options);
	m.addRecords(records);
	m.addEvents(events);
	m.evaluate(now);
	return m;
});
const [snapMs, snap] = ms(() => m.snapshot());
const [serMs, bytes] = ms(() => serialize(snap));
const [resumeMs, flags] = ms(() => {
	const r = FlagMonitor.resume(options, deserialize(bytes), () => ({records, events}));
	return r.evaluate(now).flags;
});
const same = JSON.stringify(flags) === JSON.stringify(m.evaluate(now).flags);
process.stdout.write(JSON.stringify({records: records.length, events: events.length, flags: flags.length, foldMs: Math.round(foldMs), snapshotMs: Math.round(snapMs), serializeMs: Math.round(serMs), snapshotMb: +(bytes.length / 1048576).toFixed(1), resumeAndEvaluateMs: Math.round(resumeMs), same}) + '\n');
if (process.env.BREAKDOWN) {
	const names = ['spendSpike', 'runCostOutlier', 'budgetBurn', 'loopRepetition', 'errorLoop', 'toolFailureStreak', 'stall', 'contextPressure', 'cacheMissStorm', 'rateLimitProximity', 'retryChurn', 'dataQuality'];
	snap.detectors.forEach((d, i) => process.stdout.write(`${names[i]} ${(serialize(d).length / 1048576).toFixed(2)} MB\n`));
	process.stdout.write(`life ${(serialize(snap.life).length / 1048576).toFixed(2)} MB, keys ${(serialize(snap.keys).length / 1048576).toFixed(2)} MB\n`);
	const [dMs] = ms(() => deserialize(bytes));
	process.stdout.write(`deserialize ${Math.round(dMs)} ms\n`);
}
