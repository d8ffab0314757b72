import {Box, Text} from 'ink';
import React from 'react';
import {usePalette} from './palette.js';
import {sparkRows} from './view/sparkline.js';

export interface SparklineProps {
	values: readonly (number | null)[];
	/** Label before the bars, e.g. `$/min` or `tok/min`. */
	label: string;
	/** Text after the bars, e.g. the peak. */
	suffix: string;
	height: number;
	width: number;
}

/** Spend per minute, oldest on the left; the label sits on the last line. */
export function Sparkline({values, label, suffix, height, width}: SparklineProps) {
	const palette = usePalette();
	if (height <= 0) return null;
	const lines = sparkRows(values, height);
	const pad = ' '.repeat(Array.from(label).length + 1);
	return (
		<Box flexDirection="column" width={width}>
			{lines.map((bars, i) => (
				<Text key={i} wrap="truncate">
					<Text dimColor>{i === lines.length - 1 ? `${label} ` : pad}</Text>
					<Text {...palette.style('chart')}>{bars}</Text>
					<Text dimColor>{i === lines.length - 1 ? ` ${suffix}` : ''}</Text>
				</Text>
			))}
		</Box>
	);
}
