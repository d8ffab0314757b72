import {Box, Text} from 'ink';
import React from 'react';
import {chartLines} from './view/spend-chart.js';
import {usePalette} from './palette.js';

export interface SpendChartProps {
	values: readonly (number | null)[];
	start: number;
	priced: boolean;
	nothingRead: boolean;
	width: number;
	height: number;
}

/** The large chart of a tall pane: what it shows and its scale on top, labels left, clock below. */
export function SpendChart({values, start, priced, nothingRead, width, height}: SpendChartProps) {
	const palette = usePalette();
	if (height < 4) return null;
	const chart = chartLines({values, start, priced, nothingRead, width, height});
	return (
		<Box flexDirection="column" width={width}>
			<Text dimColor wrap="truncate">
				{chart.title}
			</Text>
			{chart.rows.map((r, i) => (
				<Text key={i} wrap="truncate">
					<Text dimColor>{r.label}</Text>
					<Text {...palette.style('chart')}>{r.bars}</Text>
				</Text>
			))}
			<Text dimColor wrap="truncate">
				{chart.axis || ' '}
			</Text>
		</Box>
	);
}
