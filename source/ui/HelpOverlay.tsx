import React from 'react';
import {padEnd, truncate} from '../core/format.js';
import {keyHelpRows, LIST_KEYS} from './keymap.js';
import {TextPanel} from './TextPanel.js';
import {wrap, type TextLine} from './view/flag-text.js';

/** What the marks and numbers on screen mean (not keys). */
export const LEGEND: Array<[string, string]> = [
	['$/h', 'spend rate: the last 5 minutes, per hour (header and table)'],
	['tok/m', 'tokens per minute (shown when nothing is priced)'],
	['today Σ', "today's total since local midnight (Σ when narrow)"],
	['● 98%', 'share of records whose tokens were measured (● all · ◐ some · ○ none)'],
	['$/min ▁▃█', 'chart: spend per minute, oldest left; idle ·, unpriced ?'],
	['62m ↑$7.93', "the chart's span and its peak minute"],
	['▲', 'a minute above the chart scale (clipped at the 95th percentile)'],
	['flag $/min', "a flag's rate is its rule's smoothed $/min (2-min half-life)"],
	['· ! ‼', 'flag: info · warning · critical (f shows them whole)'],
	['▾', 'the column the table is sorted by'],
	['123*', 'partial: some records did not state it; — unknown'],
];

/** The help text: keys from the keymap table, then the legend. */
export function helpLines(width: number): TextLine[] {
	const keyWidth = width >= 60 ? 20 : 11;
	// A narrow pane wraps the explanation under its key instead of cutting it.
	const row = ([k, v]: [string, string]): TextLine[] =>
		wrap(v, Math.max(8, width - keyWidth)).map((text, i) => ({text: (i === 0 ? padEnd(truncate(k, keyWidth - 1), keyWidth) : ' '.repeat(keyWidth)) + text, role: 'plain'}));
	return [...keyHelpRows(LIST_KEYS).flatMap(row), {text: '', role: 'plain'}, {text: 'On screen', role: 'heading'}, ...LEGEND.flatMap(row)];
}

/** Keys and marks, drawn in the table's place; ↑↓ scroll when it does not fit. */
export function HelpOverlay({width, height, scroll = 0}: {width: number; height: number; scroll?: number}) {
	return <TextPanel title="Help · Esc closes" lines={helpLines(width)} scroll={scroll} width={width} height={height} />;
}
