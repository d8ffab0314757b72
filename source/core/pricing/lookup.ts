/**
 * The price book: the embedded table with price sheets merged over it, and model lookup.
 *
 * Lookup order: `provider/model` when a sheet has it, the exact id, then the id normalized (case, `provider/`
 * prefixes, Bedrock `anthropic.` prefixes and `-v1:0` versions, `[1m]` suffixes, `@` and `.`
 * spellings), then without a date suffix, then the alias tables. There is no substring or
 * "closest name" matching: a model that is not in the book is unpriced, never a neighbour's price.
 */
import {AS_OF, EMBEDDED_TABLE} from './table.js';
import {keyPath, RATE_FIELDS, SheetError, type PriceProvider, type RateField, type RateOrigin, type TableEntry, type Tier} from './types.js';

/** A price sheet after parsing: per-model rates (any subset) and aliases. */
export interface SheetModel {
	provider?: PriceProvider;
	input?: number;
	output?: number;
	cacheRead?: number;
	cacheWrite5m?: number;
	cacheWrite1h?: number;
	reasoning?: number;
	tiers?: Tier[];
}

export interface PriceSheet {
	path: string;
	format: 'burn' | 'litellm';
	asOf: string | null;
	models: Record<string, SheetModel>;
	aliases: Record<string, string>;
}

export interface BookEntry {
	id: string;
	provider: PriceProvider;
	rates: Partial<Record<RateField, number>>;
	tiers: Tier[];
	origins: Partial<Record<RateField, RateOrigin>>;
	tierOrigin: RateOrigin | null;
}

export type MatchVia = 'exact' | 'provider' | 'normalized' | 'undated' | 'alias' | 'codex-variant';

export interface Match {
	entry: BookEntry;
	via: MatchVia;
	/** The alias that led here, for `burn prices`. */
	alias?: {name: string; origin: RateOrigin};
}

/** Aliases agents and tools write that no normalization reaches (ccusage keeps a similar list). */
export const EMBEDDED_ALIASES: Record<string, string> = {
	'gemini-3-pro': 'gemini-3-pro-preview',
	'gemini-3-pro-high': 'gemini-3-pro-preview',
	'gemini-3-pro-low': 'gemini-3-pro-preview',
	'gemini-3.1-pro': 'gemini-3.1-pro-preview',
	'gemini-3-flash-high': 'gemini-3-flash-preview',
	'claude-3-7-sonnet-latest': 'claude-3-7-sonnet-20250219',
	'claude-sonnet-4-5-latest': 'claude-sonnet-4-5',
	'claude-opus-4-1-latest': 'claude-opus-4-1',
};

const DATE_SUFFIX = /[-@](\d{8}|\d{4}-\d{2}-\d{2})$/;

/** Case, prefixes and suffixes that do not change the model: `us.anthropic.Claude-Sonnet-4-5@20250929-v1:0[1m]`. */
export function normalizeModelId(id: string): string {
	let s = id.trim().toLowerCase();
	s = s.replace(/\[[^\]]*\]$/, '');
	const slash = s.lastIndexOf('/');
	if (slash >= 0) s = s.slice(slash + 1);
	s = s.replace(/^(?:(?:us|eu|apac|au|jp|global)\.)?anthropic\./, '');
	s = s.replace(/-v\d+(?::\d+)?$/, '');
	s = s.replace(/:\d+$/, '');
	return s;
}

/** The spelling-insensitive key: `.`, `@` and `_` read as `-` (`claude-sonnet-4.5` ≡ `claude-sonnet-4-5`). */
export function canonicalKey(id: string): string {
	return id.toLowerCase().replace(/[.@_]/g, '-');
}

export function stripDate(id: string): string {
	return id.replace(DATE_SUFFIX, '');
}

const EMBEDDED: RateOrigin = {kind: 'embedded'};

export function inferProvider(id: string): PriceProvider {
	const n = normalizeModelId(id);
	if (n.startsWith('claude')) return 'anthropic';
	if (/^(gpt|o\d|codex|chatgpt)/.test(n)) return 'openai';
	if (n.startsWith('gemini')) return 'google';
	return 'other';
}

export class PriceBook {
	readonly asOf = AS_OF;
	readonly sheets: PriceSheet[] = [];
	private readonly entries = new Map<string, BookEntry>();
	/** canonicalKey → id, and canonicalKey without date → id; ids with a `/` are exact-only. */
	private readonly canonical = new Map<string, string>();
	private readonly undated = new Map<string, string>();
	private readonly aliases = new Map<string, {target: string; origin: RateOrigin}>();
	private indexed = false;

	constructor(table: Record<string, TableEntry> = EMBEDDED_TABLE, aliases: Record<string, string> = EMBEDDED_ALIASES) {
		for (const [id, e] of Object.entries(table)) {
			const rates: Partial<Record<RateField, number>> = {};
			const origins: Partial<Record<RateField, RateOrigin>> = {};
			for (const f of RATE_FIELDS) {
				if (e[f] !== undefined) {
					rates[f] = e[f];
					origins[f] = EMBEDDED;
				}
			}
			this.entries.set(id, {id, provider: e.provider, rates, tiers: e.tiers ?? [], origins, tierOrigin: e.tiers ? EMBEDDED : null});
		}
		for (const [name, target] of Object.entries(aliases)) this.aliases.set(name.toLowerCase(), {target, origin: EMBEDDED});
	}

	/**
	 * Merges a sheet over the book: a model already in the book (same id or spelling) takes the
	 * sheet's rates field by field, and its tiers whole when the sheet lists any; a new model needs
	 * input and output (the sheet parser checks). Later sheets win.
	 */
	addSheet(sheet: PriceSheet): void {
		const origin: RateOrigin = {kind: 'sheet', path: sheet.path};
		this.sheets.push(sheet);
		this.index();
		for (const [id, m] of Object.entries(sheet.models)) {
			const existingId = this.entries.has(id) ? id : id.includes('/') ? undefined : this.canonical.get(canonicalKey(id));
			let entry = existingId ? this.entries.get(existingId) : undefined;
			if (!entry) {
				entry = {id, provider: m.provider ?? inferProvider(id), rates: {}, tiers: [], origins: {}, tierOrigin: null};
				this.entries.set(id, entry);
				if (!id.includes('/')) {
					this.canonical.set(canonicalKey(id), id);
					if (!this.undated.has(canonicalKey(stripDate(id)))) this.undated.set(canonicalKey(stripDate(id)), id);
				}
			} else if (m.provider) entry.provider = m.provider;
			for (const f of RATE_FIELDS) {
				const v = m[f];
				if (v !== undefined) {
					entry.rates[f] = v;
					entry.origins[f] = origin;
				}
			}
			if (m.tiers) {
				entry.tiers = [...m.tiers].sort((a, b) => a.above - b.above);
				entry.tierOrigin = origin;
			}
		}
		for (const id of Object.keys(sheet.models)) {
			const entry = this.entries.get(id);
			if (entry && (entry.rates.input === undefined || entry.rates.output === undefined)) {
				const missing = entry.rates.input === undefined ? 'input' : 'output';
				throw new SheetError(sheet.path, keyPath(['models', id, missing]), `"${id}" is not in the embedded table, so it needs both input and output rates`);
			}
		}
		for (const [name, target] of Object.entries(sheet.aliases)) {
			if (!this.lookupName(target, null)) throw new SheetError(sheet.path, keyPath(['aliases', name]), `alias target "${target}" is not a known model`);
			this.aliases.set(name.toLowerCase(), {target, origin});
		}
	}

	get size(): number {
		return this.entries.size;
	}

	ids(): string[] {
		return [...this.entries.keys()];
	}

	get(id: string): BookEntry | undefined {
		return this.entries.get(id);
	}

	aliasList(): Array<{name: string; target: string; origin: RateOrigin}> {
		return [...this.aliases].map(([name, a]) => ({name, ...a}));
	}

	/** Finds the entry for a model id as an agent wrote it; `provider` helps with `providerID/modelID` sheets. */
	lookup(model: string, provider?: string | null): Match | null {
		this.index();
		const direct = this.lookupName(model, provider);
		if (direct) return direct;
		// Aliases: by the id as written, then normalized, then undated. One hop plus normalization.
		const n = normalizeModelId(model);
		for (const name of [model.trim().toLowerCase(), n, stripDate(n)]) {
			const alias = this.aliases.get(name);
			if (!alias) continue;
			const hit = this.lookupName(alias.target, null);
			if (hit) return {entry: hit.entry, via: 'alias', alias: {name, origin: alias.origin}};
		}
		// OpenAI prices a `-codex` build like its base model (gpt-5.1-codex = gpt-5.1); only that exact suffix.
		if (/-codex$/.test(n)) {
			const hit = this.lookupName(n.replace(/-codex$/, ''), null);
			if (hit && hit.entry.provider === 'openai') return {entry: hit.entry, via: 'codex-variant'};
		}
		return null;
	}

	private lookupName(model: string, provider: string | null | undefined): Match | null {
		// A `provider/model` entry is the more specific price (e.g. a reseller's), so it wins.
		if (provider) {
			const prefixed = this.entries.get(`${provider}/${model}`);
			if (prefixed) return {entry: prefixed, via: 'provider'};
		}
		const exact = this.entries.get(model);
		if (exact) return {entry: exact, via: 'exact'};
		const n = normalizeModelId(model);
		const byCanon = this.canonical.get(canonicalKey(n));
		if (byCanon) return {entry: this.entries.get(byCanon)!, via: 'normalized'};
		const byUndated = this.undated.get(canonicalKey(stripDate(n)));
		if (byUndated) return {entry: this.entries.get(byUndated)!, via: 'undated'};
		return null;
	}

	/** Builds the spelling indexes once; an undated id wins over dated ones for the undated key. */
	private index(): void {
		if (this.indexed) return;
		this.indexed = true;
		const ids = [...this.entries.keys()].filter((id) => !id.includes('/'));
		for (const id of ids) if (!this.canonical.has(canonicalKey(id))) this.canonical.set(canonicalKey(id), id);
		// Undated ids first, then dated ones newest first, so `claude-opus-4` finds the latest dated build.
		const ordered = [...ids].sort((a, b) => Number(DATE_SUFFIX.test(a)) - Number(DATE_SUFFIX.test(b)) || b.localeCompare(a));
		for (const id of ordered) {
			const key = canonicalKey(stripDate(id));
			if (!this.undated.has(key)) this.undated.set(key, id);
		}
	}
}
