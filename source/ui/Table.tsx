import {Box, Text} from 'ink';
import React from 'react';
import {padEnd, padStart, truncate} from '../core/format.js';
import {GAP, type PlacedColumn} from '../core/layout.js';
import {SEVERITY_GLYPH} from './view/flag-text.js';
import {FIDELITY_GLYPH, type WatchRow} from './view/watch-model.js';
import {visibleWindow} from './view/watch-layout.js';
import {fidelityRole, severityRole, usePalette} from './palette.js';


export interface TableProps {
	columns: PlacedColumn[];
	rows: readonly WatchRow[];
	selectedIndex: number;
	/** Body lines; the table pads to this height so what is below never moves. */
	maxRows: number;
	showHeader: boolean;
	/** Shown when there are no rows. */
	empty: string;
	/** The column the rows are sorted by: its header gets `▾`. */
	sortColumn?: string;
}

function cellText(c: PlacedColumn, text: string): string {
	return c.align === 'right' ? padStart(text, c.actualWidth) : padEnd(truncate(text, c.actualWidth), c.actualWidth);
}

function Row({columns, row, selected}: {columns: PlacedColumn[]; row: WatchRow; selected: boolean}) {
	const palette = usePalette();
	return (
		<Text wrap="truncate" inverse={selected}>
			{columns.map((c, i) => {
				const gap = i === 0 ? '' : ' '.repeat(GAP);
				if (c.id === 'flag') {
					const glyph = row.flag ? SEVERITY_GLYPH[row.flag] : ' ';
					return (
						<Text key={c.id} {...(row.flag ? palette.style(severityRole(row.flag)) : {})}>
							{gap}
							{cellText(c, glyph)}
						</Text>
					);
				}
				if (c.id === 'fidelity') {
					return (
						<Text key={c.id} {...palette.style(fidelityRole(row.fidelity))}>
							{gap}
							{cellText(c, FIDELITY_GLYPH[row.fidelity])}
						</Text>
					);
				}
				return (
					<Text key={c.id}>
						{gap}
						{cellText(c, row.cells[c.id] ?? '')}
					</Text>
				);
			})}
		</Text>
	);
}

/** The main table: header, the rows that fit around the selection, `+N more`, padding. */
export function Table({columns, rows, selectedIndex, maxRows, showHeader, empty, sortColumn}: TableProps) {
	const win = visibleWindow(rows.length, selectedIndex, maxRows);
	const body: React.ReactNode[] = [];
	if (rows.length === 0 && maxRows > 0) {
		body.push(
			<Text key="empty" dimColor wrap="truncate">
				{empty}
			</Text>,
		);
	}
	for (let i = win.start; i < win.end; i++) {
		const row = rows[i]!;
		body.push(<Row key={row.id} columns={columns} row={row} selected={i === selectedIndex} />);
	}
	if (win.more > 0) {
		body.push(
			<Text key="more" dimColor wrap="truncate">
				{`+${win.more} more${win.start > 0 ? ` (${win.start} above)` : ''}`}
			</Text>,
		);
	}
	while (body.length < maxRows) body.push(<Text key={`pad${body.length}`}> </Text>);
	return (
		<Box flexDirection="column">
			{showHeader && (
				<Text bold wrap="truncate">
					{columns.map((c) => cellText(c, c.id === 'flag' || c.id === 'fidelity' ? ' ' : c.id === sortColumn ? `${c.label}▾` : c.label)).join(' '.repeat(GAP))}
				</Text>
			)}
			{body}
		</Box>
	);
}
