import {Box, Text} from 'ink';
import React from 'react';
import type {ReportLine} from '../core/report.js';

const styleProps: Record<ReportLine['style'], {bold?: boolean; dimColor?: boolean; color?: string}> = {
	title: {bold: true},
	header: {bold: true},
	row: {},
	total: {bold: true},
	dim: {dimColor: true},
	warning: {color: 'yellow'},
	problem: {color: 'red'},
};

/** The one-shot summary: pre-laid-out lines (see core/report.ts), styled. */
export function SummaryReport({lines}: {lines: ReportLine[]}) {
	return (
		<Box flexDirection="column">
			{lines.map((line, i) => (
				<Text key={i} wrap="truncate" {...styleProps[line.style]}>
					{line.text === '' ? ' ' : line.text}
				</Text>
			))}
		</Box>
	);
}
