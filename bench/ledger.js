/**
 * The ledger and the summary document alone, over the records of an index written by a bench
 * read (`node bench/child.js <cacheDir> …` writes one): best-of-N ms to add every record to a fresh
 * ledger (index order, issue attribution as the engine does it), and to rebuild the document after
 * one record changed (what the live view does on every publish).
 *   node bench/ledger.js <cacheDir> [repeats]
 */
import {attributeIssue, DEFAULT_ISSUE_PATTERNS} from '../dist/core/attribution.js';
import {Ledger} from '../dist/core/ledger.js';
import {ProblemLog} from '../dist/core/problems.js';
import {buildSummary} from '../dist/core/summary.js';
import {loadIndex} from '../dist/ingest/index-store.js';

const [cacheDir, repeatsArg] = process.argv.slice(2);
const repeats = Number(repeatsArg ?? 8);
const {index, notice} = loadIndex(cacheDir);
if (!index) throw new Error(notice ?? `no index in ${cacheDir}`);
const records = [];
for (const f of index.files()) for (const r of index.entry(f.path, f.parser).records) records.push(attributeIssue(r, DEFAULT_ISSUE_PATTERNS));

const pricer = (r) => ({usd: ((r.tokens.input ?? 0) * 3 + (r.tokens.output ?? 0) * 15) / 1e6, basis: 'computed'});
const doc = (ledger) => buildSummary({ledger, sources: [], missing: [], problems: new ProblemLog(), priced: true});
const best = (f) => {
	let min = Infinity;
	for (let i = 0; i < repeats; i++) {
		const t0 = performance.now();
		f(i);
		min = Math.min(min, performance.now() - t0);
	}
	return min;
};
let ledger = null;
const add = best(() => {
	ledger = new Ledger({pricer});
	for (const r of records) ledger.addOne(r);
});
doc(ledger);
const rebuild = best((i) => {
	const r = records[(i * 7919) % records.length];
	ledger.addOne({...r, key: `${r.key}#bench${i}`, origin: {...r.origin, path: '/bench'}});
	doc(ledger);
});
process.stdout.write(
	JSON.stringify({records: records.length, runs: ledger.by.run.size, addAllMs: Math.round(add), docAfterOneChangeMs: Math.round(rebuild * 10) / 10}) + '\n',
);
