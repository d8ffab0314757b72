/**
 * `burn validate`'s rules beyond the schema (the schema itself is the Symphony reader's, in
 * sources/symphony.ts). Each finding names the spec section, the field and whether it breaks a
 * MUST (`error`) or a SHOULD (`warning`). Pure; state carries what spans lines (turns per runID).
 */
import type {Problem} from './problems.js';

export type Severity = 'error' | 'warning';

export interface Finding {
	path: string;
	line: number | null;
	severity: Severity;
	rule: string;
	field: string | null;
	reason: string;
}

export interface RuleState {
	/** Last turn seen per runID, across the files of one logical stream. */
	lastTurn: Map<string, {turn: number; path: string; line: number}>;
	/** Records per schemaVersion (as written). */
	versions: Map<string, number>;
}

export function newRuleState(): RuleState {
	return {lastTurn: new Map(), versions: new Map()};
}

export const REQUIRED_FIELDS = [
	'schemaVersion',
	'recordedAt',
	'runID',
	'turn',
	'issueIdentifier',
	'provider',
	'model',
	'botRole',
	'inputTokens',
	'outputTokens',
	'totalTokens',
	'usageSource',
	'startedAt',
	'endedAt',
] as const;

/** Keys that would carry conversation text, which §8 forbids. */
const CONTENT_KEYS = ['prompt', 'response', 'messages', 'content', 'completion', 'promptText', 'responseText', 'text'];

const UTC = /(?:Z|[+-]00:?00)$/i;

/** A reader problem (schema, JSON, encoding) as a finding with its rule. */
export function problemFinding(p: Problem): Finding {
	const base = {path: p.path, line: p.line, field: p.field ?? null, reason: p.reason};
	switch (p.kind) {
		case 'malformed-json':
			return {...base, severity: 'error', rule: '§4.2 json'};
		case 'not-an-object':
			return {...base, severity: 'error', rule: '§4.2 object'};
		case 'incomplete-line':
			return {...base, severity: 'warning', rule: '§4.2 incomplete-line'};
		case 'schema-version':
			return {...base, severity: 'error', rule: '§6 schema-version'};
		case 'invalid-record': {
			const top = (p.field ?? '').split('.')[0] ?? '';
			if (top === 'quota') return {...base, severity: 'error', rule: '§5.2.3 quota'};
			return {...base, severity: 'error', rule: (REQUIRED_FIELDS as readonly string[]).includes(top) ? '§5.1 required' : '§5.2 optional'};
		}
		default:
			return {...base, severity: 'error', rule: p.kind};
	}
}

const count = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The cross-field and cross-line rules for one parsed JSON object. */
export function checkRecord(v: Record<string, unknown>, path: string, line: number, state: RuleState): Finding[] {
	const out: Finding[] = [];
	const add = (severity: Severity, rule: string, field: string | null, reason: string) => out.push({path, line, severity, rule, field, reason});
	const version = String(v.schemaVersion ?? '(none)');
	state.versions.set(version, (state.versions.get(version) ?? 0) + 1);

	const runID = typeof v.runID === 'string' ? v.runID.toLowerCase() : null;
	const turn = count(v.turn);
	if (runID !== null && turn !== null) {
		const last = state.lastTurn.get(runID);
		if (last && turn <= last.turn) {
			add('error', '§5.1 turn-order', 'turn', `turn ${turn} is not after turn ${last.turn} of the same runID (${last.path}:${last.line}); turns must strictly increase within a runID`);
		}
		if (!last || turn > last.turn) state.lastTurn.set(runID, {turn, path, line});
	}

	if (typeof v.recordedAt === 'string' && !UTC.test(v.recordedAt)) add('error', '§5.1 utc', 'recordedAt', `recordedAt "${v.recordedAt}" is not UTC (end it with Z)`);
	for (const f of ['startedAt', 'endedAt'] as const) {
		if (typeof v[f] === 'string' && !UTC.test(v[f] as string)) add('warning', '§5.1 utc', f, `${f} "${v[f]}" has a non-UTC offset; write UTC`);
	}

	const input = count(v.inputTokens);
	const output = count(v.outputTokens);
	const total = count(v.totalTokens);
	if (v.usageSource !== 'unavailable') {
		if (input !== null && output !== null && total !== null && total !== input + output) {
			add('warning', '§5.3 total', 'totalTokens', `totalTokens ${total} ≠ inputTokens + outputTokens (${input + output}); fine only if the provider stated that total`);
		}
		const uncached = count(v.inputUncachedTokens);
		const read = count(v.inputCachedReadTokens);
		const w5 = count(v.inputCacheWriteEphemeral5mTokens);
		const w1 = count(v.inputCacheWriteEphemeral1hTokens);
		const write = count(v.inputCacheWriteTokens) ?? (w5 !== null && w1 !== null ? w5 + w1 : null);
		if (input !== null) {
			const parts = [uncached, read, write];
			const known = parts.filter((p): p is number => p !== null);
			const sum = known.reduce((a, b) => a + b, 0);
			if (known.length === 3 && sum !== input) add('warning', '§5.2.1 input-breakdown', 'inputTokens', `uncached + cache read + cache write = ${sum}, but inputTokens is ${input}`);
			else if (known.length > 0 && sum > input) add('warning', '§5.2.1 input-breakdown', 'inputTokens', `the input breakdown fields add up to ${sum}, more than inputTokens ${input}`);
		}
		const writeStated = count(v.inputCacheWriteTokens);
		if (writeStated !== null && w5 !== null && w1 !== null && w5 + w1 !== writeStated) {
			add('warning', '§5.2.1 cache-write-split', 'inputCacheWriteTokens', `5m + 1h cache writes = ${w5 + w1}, but inputCacheWriteTokens is ${writeStated}`);
		}
		const visible = count(v.outputVisibleTokens);
		const reasoning = count(v.outputReasoningTokens);
		if (output !== null) {
			if (visible !== null && reasoning !== null && visible + reasoning !== output) {
				add('warning', '§5.2.2 output-breakdown', 'outputTokens', `visible + reasoning = ${visible + reasoning}, but outputTokens is ${output}`);
			} else if ((visible ?? 0) + (reasoning ?? 0) > output) {
				add('warning', '§5.2.2 output-breakdown', 'outputTokens', `the output breakdown fields add up to more than outputTokens ${output}`);
			}
		}
	}
	for (const k of CONTENT_KEYS) {
		if (typeof v[k] === 'string' || Array.isArray(v[k])) add('error', '§8 content', k, `a "${k}" field looks like prompt or response text, which records must never contain`);
	}
	return out;
}
