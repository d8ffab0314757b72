import {Box, Text} from 'ink';
import React from 'react';
import type {ReportLine} from '../core/report.js';
import {usePalette, type Role} from './palette.js';

const ROLE: Record<ReportLine['style'], Role> = {title: 'strong', header: 'strong', row: 'plain', total: 'strong', dim: 'dim', warning: 'warning', problem: 'problem'};

/** The one-shot summary: pre-laid-out lines (see core/report.ts), styled. */
export function SummaryReport({lines}: {lines: ReportLine[]}) {
	const palette = usePalette();
	return (
		<Box flexDirection="column">
			{lines.map((line, i) => (
				<Text key={i} wrap="truncate" {...palette.style(ROLE[line.style])}>
					{line.text === '' ? ' ' : line.text}
				</Text>
			))}
		</Box>
	);
}
