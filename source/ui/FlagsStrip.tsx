import {Box, Text} from 'ink';
import React from 'react';
import type {Flag} from '../core/flags.js';
import {truncate} from '../core/format.js';
import {stripLines} from './view/flag-text.js';
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
 * the last line says how many more and that `f` shows them whole; one flag wraps over the lines
 * it has (view/flag-text.ts stripLines). `flags: none` when there are none.
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
	const shown = stripLines(flags, subjects, width, lines);
	return (
		<Box flexDirection="column">
			{shown.map((l, i) => (
				<Text key={i} {...palette.style(severityRole(l.severity))} wrap="truncate">
					{l.text}
				</Text>
			))}
			{/* Padded to its lines, so the key help below never jumps. */}
			{Array.from({length: Math.max(0, lines - shown.length)}, (_, i) => (
				<Text key={`pad${i}`}> </Text>
			))}
		</Box>
	);
}
