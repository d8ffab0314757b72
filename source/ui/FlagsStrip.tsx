import {Box, Text} from 'ink';
import React from 'react';
import {SEVERITY_RANK, type Flag} from '../core/flags.js';
import {truncate} from '../core/format.js';
import {sanitize} from '../core/sanitize.js';
import {severityRole, usePalette} from './palette.js';
import {SEVERITY_GLYPH} from './Table.js';

export interface FlagsStripProps {
	flags: readonly Flag[];
	/** Who each flag is about (by flag id), already sanitized. */
	subjects: ReadonlyMap<string, string>;
	width: number;
	lines: number;
}

/** The newest flags first (severity breaks ties), one a line, coloured by severity; `flags: none` when there are none. */
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
	const sorted = [...flags].sort((a, b) => b.lastAt - a.lastAt || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
	const shown = sorted.slice(0, lines);
	const rest = sorted.length - shown.length;
	return (
		<Box flexDirection="column">
			{shown.map((f, i) => {
				const more = i === shown.length - 1 && rest > 0 ? ` (+${rest} more)` : '';
				// A flag raised by another tool (bosun's own alerts) says whose it is.
				const origin = f.external ? `[${sanitize(f.external)}] ` : '';
				const text = `${SEVERITY_GLYPH[f.severity]} ${origin}${subjects.get(f.id) ?? sanitize(f.scope.id)}: ${sanitize(f.message)}`;
				return (
					<Text key={f.id} {...palette.style(severityRole(f.severity))} wrap="truncate">
						{truncate(text, Math.max(0, width - Array.from(more).length)) + more}
					</Text>
				);
			})}
		</Box>
	);
}
