/**
 * Price table types. Rates are USD per million tokens. A field left out is derived by the cost
 * rules (rates.ts), never read as 0.
 */

export type PriceProvider = 'anthropic' | 'openai' | 'google' | 'other';

export const RATE_FIELDS = ['input', 'output', 'cacheRead', 'cacheWrite5m', 'cacheWrite1h', 'reasoning'] as const;
export type RateField = (typeof RATE_FIELDS)[number];

export type Rates = Partial<Record<RateField, number>>;

/** A long-context tier: applies to every rate of a call whose whole prompt is larger than `above`. */
export interface Tier extends Rates {
	above: number;
	input: number;
	output: number;
}

export interface TableEntry extends Rates {
	provider: PriceProvider;
	input: number;
	output: number;
	tiers?: Tier[];
}

/** Where a rate came from: the embedded table, a sheet (its path), or a cost rule. */
export type RateOrigin = {kind: 'embedded'} | {kind: 'sheet'; path: string} | {kind: 'derived'; rule: string};

/** A model as priced: every rate resolved, each with its origin. */
export interface ResolvedRates {
	input: number;
	output: number;
	cacheRead: number;
	cacheWrite5m: number;
	cacheWrite1h: number;
	/** The rate for reasoning tokens (a subset of output); equals output unless billed apart. */
	reasoning: number;
}

export interface ResolvedTier extends ResolvedRates {
	above: number;
}

export interface PricedModel {
	/** The id in the table that matched. */
	id: string;
	provider: PriceProvider;
	base: ResolvedRates;
	tiers: ResolvedTier[];
	/** Origin per base rate, and of each tier (tiers come whole from one layer). */
	origins: Record<RateField, RateOrigin>;
	tierOrigin: RateOrigin | null;
}

/** A price sheet that cannot be used: names the file and the key (the CLI maps it to exit 2). */
export class SheetError extends Error {
	constructor(
		readonly path: string,
		readonly key: string | null,
		readonly detail: string,
	) {
		super(`price sheet ${path}${key ? `: ${key}` : ''}: ${detail}`);
		this.name = 'SheetError';
	}
}

/** `models["gpt-5.1"].input`: a key path a user can find in their file. */
export function keyPath(path: ReadonlyArray<PropertyKey>): string {
	let out = '';
	for (const p of path) {
		if (typeof p === 'number') out += `[${p}]`;
		else if (/^[A-Za-z_][\w-]*$/.test(String(p))) out += (out ? '.' : '') + String(p);
		else out += `[${JSON.stringify(String(p))}]`;
	}
	return out;
}
