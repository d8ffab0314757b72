import {Box, Text} from 'ink';
import React from 'react';
import {truncate} from '../core/format.js';
import {keyHelpRows, LIST_KEYS} from './keymap.js';
import {usePalette} from './palette.js';

/** What the marks on screen mean (not keys). */
const LEGEND: Array<[string, string]> = [
	['$/h', 'spend over the last 5 minutes, per hour'],
	['tok/m', 'tokens per minute (shown when nothing is priced)'],
	['● ◐ ○', 'tokens measured · partly measured · unknown'],
	['· ! ‼', 'flag: info · warning · critical'],
	['123*', 'partial: some records did not state it; — unknown'],
];

const HELP: Array<[string, string]> = [...keyHelpRows(LIST_KEYS), ['', ''], ...LEGEND];

/** Keys and marks, drawn in the table's place and cut to its height. */
export function HelpOverlay({width, height}: {width: number; height: number}) {
	const palette = usePalette();
	if (height <= 0) return null;
	const keyWidth = width >= 60 ? 20 : 10;
	const lines = HELP.slice(0, Math.max(0, height - 1));
	const body = lines.map(([k, v], i) => (
		<Text key={i} wrap="truncate">
			<Text bold>{truncate(k, keyWidth).padEnd(keyWidth)}</Text>
			{truncate(v, Math.max(0, width - keyWidth))}
		</Text>
	));
	while (body.length < height - 1) body.push(<Text key={`pad${body.length}`}> </Text>);
	return (
		<Box flexDirection="column">
			<Text {...palette.style('heading')} wrap="truncate">
				{truncate('Help — ? or Esc to close', width)}
			</Text>
			{body}
		</Box>
	);
}
