import {Box, Text} from 'ink';
import React from 'react';
import type {Flag} from '../core/flags.js';
import {truncate} from '../core/format.js';
import {sanitize} from '../core/sanitize.js';
import {stripLine, stripOrder} from './view/flag-text.js';
import {severityRole, usePalette} from './palette.js';

export interface FlagsStripProps {
	flags: readonly Flag[];
	/** Who each flag is about (by flag id), already sanitized. */
	subjects: ReadonlyMap<string, string>;
	width: number;
	lines: number;
}

/**
 * The most severe flags first (the newest within a severity), one a line, coloured by severity;
 * the last line says how many more and that `f` shows them whole. `flags: none` when there are none.
 */
export function FlagsStrip({flags, subjects, width, lines}: FlagsStripProps) {
	const palette = usePalette();
	if (lines <= 0) return null;
	if (flags.length === 0) {
		return (
			<Text dimColor wrap="truncate">
				{truncate('flags: none', width)}
			</Text>
		);
	}
	const sorted = stripOrder(flags);
	const shown = sorted.slice(0, lines);
	const rest = sorted.length - shown.length;
	return (
		<Box flexDirection="column">
			{shown.map((f, i) => {
				const more = i === shown.length - 1 && rest > 0 ? ` (+${rest} more · f)` : '';
				return (
					<Text key={f.id} {...palette.style(severityRole(f.severity))} wrap="truncate">
						{stripLine(f, subjects.get(f.id) ?? sanitize(f.scope.id), width, more)}
					</Text>
				);
			})}
		</Box>
	);
}
