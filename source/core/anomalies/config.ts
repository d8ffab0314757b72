/**
 * The `flags:` section of burn's config file (YAML). Pure: text in, overrides or an error out;
 * reading the file is the command's job. Other top-level sections belong to other features and
 * are left alone; inside `flags:` unknown keys are errors, so a typo never silently does nothing.
 *
 * ```yaml
 * flags:
 *   budget: {issue: 5, day: 50, run: 2}   # USD
 *   spendSpike: {rz: 5, minUsdPerMin: 0.10}
 *   lifecycle: {cooldownMinutes: 10}
 * ```
 */
import {parseYaml} from '../yaml.js';
import {paramsOverrideSchema, type ParamsOverride} from './params.js';

export type ConfigResult = {ok: true; override: ParamsOverride | undefined} | {ok: false; error: string};

/** The config file's top-level sections; a new one is added here. */
export const CONFIG_SECTIONS: readonly string[] = ['flags'];

export function parseFlagsConfig(text: string): ConfigResult {
	let doc: unknown;
	try {
		doc = parseYaml(text);
	} catch (error) {
		return {ok: false, error: `not valid YAML: ${(error as Error).message.split('\n')[0]}`};
	}
	if (doc === null || doc === undefined) return {ok: true, override: undefined};
	if (typeof doc !== 'object' || Array.isArray(doc)) return {ok: false, error: 'the config file must be a YAML mapping'};
	// A misspelt section (`flag:`, `budget:`) would silently turn budgets off: every unknown key is an error.
	const unknown = Object.keys(doc).filter((k) => !CONFIG_SECTIONS.includes(k));
	if (unknown.length > 0) {
		return {ok: false, error: `unknown top-level key${unknown.length === 1 ? '' : 's'} ${unknown.map((k) => `"${k}"`).join(', ')} (known: ${CONFIG_SECTIONS.join(', ')})`};
	}
	const section = (doc as Record<string, unknown>).flags;
	if (section === undefined || section === null) return {ok: true, override: undefined};
	const parsed = paramsOverrideSchema().safeParse(section);
	if (!parsed.success) {
		const issue = parsed.error.issues[0]!;
		const where = ['flags', ...issue.path.map(String)].join('.');
		const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
		return {ok: false, error: `${where}: ${issue.message}${keys}`};
	}
	return {ok: true, override: parsed.data as ParamsOverride};
}

export type BudgetResult = {ok: true; scope: 'run' | 'issue' | 'day'; usd: number} | {ok: false; error: string};

/** `--budget issue=5`: a scope and a positive USD amount (a leading `$` is allowed). */
export function parseBudget(value: string): BudgetResult {
	const m = /^\s*(run|issue|day)\s*=\s*\$?\s*(\d+(?:\.\d+)?)\s*$/.exec(value);
	if (!m) return {ok: false, error: `"${value}" is not scope=usd`};
	const usd = Number(m[2]);
	if (!(usd > 0)) return {ok: false, error: `"${value}": the budget must be more than 0`};
	return {ok: true, scope: m[1] as 'run' | 'issue' | 'day', usd};
}
