/**
 * The `--prices` flag every reading command takes, and how it becomes a price book: the embedded
 * table, then the default sheet (`$XDG_CONFIG_HOME/burn/prices.yaml`, else
 * `~/.config/burn/prices.yaml`) when it exists, then each `--prices` file in order (later wins).
 */
import {createHash} from 'node:crypto';
import {existsSync, readFileSync} from 'node:fs';
import {homedir} from 'node:os';
import {join} from 'node:path';
import {createPricing, type Pricing} from '../core/pricing/cost.js';
import {PriceBook} from '../core/pricing/lookup.js';
import {parsePriceSheet} from '../core/pricing/sheet.js';
import {SheetError} from '../core/pricing/types.js';
import type {SummaryJson} from '../core/summary.js';
import {resolvePath} from '../sources/paths.js';
import {configDir} from './config-dir.js';
import {UsageError} from './errors.js';

export const priceFlags = {
	prices: {type: 'string', isMultiple: true},
} as const;

export const priceFlagsHelp = `
  Prices
    --prices <file>        A price sheet (YAML, JSON, or a LiteLLM price file) merged over the
                           embedded table; repeatable, later sheets win. Default sheet, when it
                           exists: $XDG_CONFIG_HOME/burn/prices.yaml (~/.config/burn/prices.yaml)`;

const DEFAULT_NAMES = ['prices.yaml', 'prices.yml', 'prices.json'];

export {configDir};

/** The default sheet, when one exists. */
export function defaultSheetPath(env: NodeJS.ProcessEnv): string | null {
	const dir = configDir(env);
	for (const name of DEFAULT_NAMES) {
		const p = join(dir, name);
		if (existsSync(p)) return p;
	}
	return null;
}

export interface LoadedPrices extends Pricing {
	book: PriceBook;
	/** Sheets applied, in order. */
	sheets: string[];
	/** The sheets' paths and contents, hashed: a kept summary priced with other sheets is not reused. */
	fingerprint: string;
}

export function loadPrices(flags: {prices?: string[]}, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LoadedPrices {
	const book = new PriceBook();
	const paths: string[] = [];
	const fallback = defaultSheetPath(env);
	if (fallback) paths.push(fallback);
	for (const p of flags.prices ?? []) {
		const abs = resolvePath(p, {cwd, home: env.HOME || homedir()});
		if (!existsSync(abs)) throw new UsageError(`--prices ${p}: no such file`, 'give the path of a YAML, JSON or LiteLLM price sheet');
		paths.push(abs);
	}
	const hash = createHash('sha1');
	for (const p of paths) {
		let text: string;
		try {
			text = readFileSync(p, 'utf8');
		} catch (error) {
			throw new UsageError(`price sheet ${p}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
		}
		hash.update(`${p}\0${text.length}\0${text}\0`);
		try {
			book.addSheet(parsePriceSheet(text, p));
		} catch (error) {
			if (error instanceof SheetError) throw new UsageError(error.message, 'see "burn prices --help" for the sheet format');
			throw error;
		}
	}
	return {book, sheets: paths, fingerprint: hash.digest('hex'), ...createPricing(book)};
}

/** What the summary JSON says about the prices it used. */
export function pricingInfo(loaded: LoadedPrices): NonNullable<SummaryJson['pricing']> {
	return {asOf: loaded.book.asOf, sheets: loaded.sheets};
}
