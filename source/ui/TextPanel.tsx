import {Box, Text} from 'ink';
import React from 'react';
import {truncate} from '../core/format.js';
import type {TextLine} from './view/flag-text.js';
import {severityRole, usePalette, type Role} from './palette.js';

export interface TextPanelProps {
	title: string;
	lines: readonly TextLine[];
	/** First line shown (clamped). */
	scroll?: number;
	width: number;
	/** Lines, title included; the panel pads to it so nothing below moves. */
	height: number;
	/** A `│` on the left (a panel beside the table). */
	border?: boolean;
}

function roleOf(role: TextLine['role']): Role {
	return role === 'info' || role === 'warn' || role === 'crit' ? severityRole(role) : role;
}

/** A titled block of text lines cut to a height; the title says which lines show when not all fit. */
export function TextPanel({title, lines, scroll = 0, width, height, border = false}: TextPanelProps) {
	const palette = usePalette();
	if (height <= 0) return null;
	const inner = Math.max(0, width - (border ? 2 : 0));
	const body = Math.max(0, height - 1);
	const from = Math.max(0, Math.min(scroll, lines.length - body));
	const shown = lines.slice(from, from + body);
	const below = lines.length - from - shown.length;
	const long = lines.length > body ? ` (${from + 1}–${from + shown.length} of ${lines.length}${below > 0 ? `, +${below} more` : ''})` : '';
	// A narrow pane keeps the position whole in a shorter form rather than cutting it.
	const range = long !== '' && Array.from(`── ${title}${long} `).length > width ? ` ${from + 1}–${from + shown.length}/${lines.length}${below > 0 ? ` +${below}` : ''}` : long;
	const pre = border ? '│ ' : '';
	const rows = shown.map((l, i) => (
		<Text key={i} wrap="truncate">
			{border && <Text dimColor>{pre}</Text>}
			<Text {...palette.style(roleOf(l.role))}>{truncate(l.text, inner) || ' '}</Text>
		</Text>
	));
	while (rows.length < body) rows.push(<Text key={`pad${rows.length}`}>{border ? <Text dimColor>│</Text> : ' '}</Text>);
	return (
		<Box flexDirection="column" width={width}>
			<Text {...palette.style('heading')} wrap="truncate">
				{truncate(`${border ? '│ ' : '── '}${title}${range}${border ? '' : ' '}`, width).padEnd(border ? 0 : width, border ? ' ' : '─')}
			</Text>
			{rows}
		</Box>
	);
}
