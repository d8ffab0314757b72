import {Box, Text} from 'ink';
import React from 'react';
import {truncate} from '../core/format.js';

const HELP: Array<[string, string]> = [
	['↑ ↓ j k PgUp PgDn', 'move the selection'],
	['Enter →', 'drill in: issue → runs → turns'],
	['Esc ←', 'back'],
	['Tab 1-4', 'Issues · Runs · Models · Providers'],
	['s', 'sort: recent spend · total · last activity · name'],
	['/', 'filter rows by substring (Enter keeps, Esc clears)'],
	['p', 'pause the display (reading continues)'],
	['q Ctrl-C', 'quit'],
	['', ''],
	['$/h', 'spend over the last 5 minutes, per hour'],
	['tok/m', 'tokens per minute (shown when nothing is priced)'],
	['● ◐ ○', 'tokens measured · partly measured · unknown'],
	['· ! ‼', 'flag: info · warning · critical'],
	['123*', 'partial: some records did not state it; — unknown'],
];

/** Keys and marks, drawn in the table's place and cut to its height. */
export function HelpOverlay({width, height}: {width: number; height: number}) {
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
			<Text bold color="cyan" wrap="truncate">
				{truncate('Help — ? or Esc to close', width)}
			</Text>
			{body}
		</Box>
	);
}
