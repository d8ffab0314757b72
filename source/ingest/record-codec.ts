/**
 * A compact, JSON-friendly encoding of records for the persistent index: one array per record,
 * repeated strings (source, model, run, workspace, …) as indexes into a shared string table.
 * Fields this codec does not know (added to UsageRecord later) ride along in a trailing object,
 * so a warm start never drops information a cold read would have.
 */
import type {Coverage, UsageRecord} from '../core/record.js';

const COVERAGE_KEYS: readonly (keyof Coverage)[] = [
	'hasInputTokens',
	'hasOutputTokens',
	'hasReasoningTokens',
	'hasCacheReadTokens',
	'hasCacheCreateTokens',
	'hasToolCalls',
	'hasToolResultEvents',
	'hasSessionRelationships',
	'hasRawContent',
];

const KNOWN = new Set([
	'key',
	'source',
	'provider',
	'model',
	'runId',
	'turn',
	'issue',
	'workspace',
	'startedAt',
	'at',
	'tokens',
	'usageSource',
	'reportedCostUsd',
	'granularity',
	'coverage',
	'origin',
	'meta',
	'quota',
]);

export type EncodedRecord = unknown[];

export class StringTable {
	readonly strings: string[] = [];
	private readonly ids = new Map<string, number>();

	id(s: string | null): number {
		if (s === null) return -1;
		let i = this.ids.get(s);
		if (i === undefined) {
			i = this.strings.length;
			this.strings.push(s);
			this.ids.set(s, i);
		}
		return i;
	}
}

export function encodeRecord(r: UsageRecord, t: StringTable, path: string): EncodedRecord {
	const k = r.tokens;
	let cov = 0;
	for (let i = 0; i < COVERAGE_KEYS.length; i++) if (r.coverage[COVERAGE_KEYS[i]!]) cov |= 1 << i;
	let extra: Record<string, unknown> | 0 = 0;
	for (const key in r) {
		if (!KNOWN.has(key)) {
			if (extra === 0) extra = {};
			extra[key] = (r as unknown as Record<string, unknown>)[key];
		}
	}
	// A record whose origin is not the tracked file keeps its own origin (decode would assume the file).
	if (r.origin.path !== path) {
		if (extra === 0) extra = {};
		extra.origin = r.origin;
	}
	return [
		r.key,
		t.id(r.source),
		t.id(r.provider),
		t.id(r.model),
		t.id(r.runId),
		r.turn,
		t.id(r.issue),
		t.id(r.workspace),
		r.startedAt,
		r.at,
		k.input,
		k.cacheRead,
		k.cacheWrite,
		k.cacheWrite5m,
		k.cacheWrite1h,
		k.output,
		k.reasoning,
		k.total,
		t.id(r.usageSource),
		r.reportedCostUsd,
		t.id(r.granularity),
		cov,
		r.origin.line,
		r.origin.offset,
		r.meta === undefined ? 0 : r.meta,
		r.quota === undefined ? 0 : r.quota,
		extra,
	];
}

/** Throws on a malformed entry; the index loader turns that into "discard and rebuild". */
export function decodeRecord(e: EncodedRecord, strings: readonly string[], path: string): UsageRecord {
	if (!Array.isArray(e) || e.length !== 27 || typeof e[0] !== 'string' || typeof e[9] !== 'number') {
		throw new Error('malformed record');
	}
	const s = (i: unknown): string | null => {
		if (i === -1) return null;
		const v = strings[i as number];
		if (v === undefined) throw new Error('bad string index');
		return v;
	};
	const cov = e[21] as number;
	const coverage = {} as Coverage;
	for (let i = 0; i < COVERAGE_KEYS.length; i++) coverage[COVERAGE_KEYS[i]!] = (cov & (1 << i)) !== 0;
	const r: UsageRecord = {
		key: e[0] as string,
		source: s(e[1]) as UsageRecord['source'],
		provider: s(e[2]),
		model: s(e[3]),
		runId: s(e[4]) as string,
		turn: e[5] as number | null,
		issue: s(e[6]),
		workspace: s(e[7]),
		startedAt: e[8] as number | null,
		at: e[9] as number,
		tokens: {
			input: e[10] as number | null,
			cacheRead: e[11] as number | null,
			cacheWrite: e[12] as number | null,
			cacheWrite5m: e[13] as number | null,
			cacheWrite1h: e[14] as number | null,
			output: e[15] as number | null,
			reasoning: e[16] as number | null,
			total: e[17] as number | null,
		},
		usageSource: s(e[18]) as UsageRecord['usageSource'],
		reportedCostUsd: e[19] as number | null,
		granularity: s(e[20]) as UsageRecord['granularity'],
		coverage,
		origin: {path, line: e[22] as number | null, offset: e[23] as number | null},
	};
	if (e[24] !== 0) r.meta = e[24] as UsageRecord['meta'];
	if (e[25] !== 0) r.quota = e[25] as UsageRecord['quota'];
	if (e[26] !== 0) Object.assign(r, e[26] as object);
	return r;
}
