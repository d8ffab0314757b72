/**
 * The watch screen as one pure function of the terminal size: which sections show, how many
 * lines each takes and which table columns fit. The frame is at most `rows − 1` lines (a
 * full-height frame makes Ink 6.8 clear the scrollback on every update), and the table is
 * padded to its budget so the flags strip and key help never jump.
 */
import {fitColumns, type PlacedColumn} from '../../core/layout.js';
import {watchColumns, type Level, type RateUnit} from './watch-columns.js';

export interface LayoutInput {
	columns: number;
	rows: number;
	level: Level;
	nameHeader: string;
	unit: RateUnit;
	/** Flags to show; the strip grows to 3 lines on tall screens. */
	flagCount: number;
}

export interface WatchLayout {
	width: number;
	/** Lines of the whole frame (≤ rows − 1). */
	height: number;
	headerLines: number;
	sparkLines: number;
	/** 1 when the table has a header line. */
	tableHeader: number;
	/** Body lines of the table (rows plus a `+N more` line when needed). */
	tableRows: number;
	flagLines: number;
	keyHelpLines: number;
	/** Narrow: abbreviations everywhere. */
	compact: boolean;
	columns: PlacedColumn[];
}

export function watchLayout(input: LayoutInput): WatchLayout {
	const width = Math.max(1, Math.floor(input.columns));
	const height = Math.max(0, Math.floor(input.rows) - 1);
	let left = height;
	const take = (want: number) => {
		const n = Math.max(0, Math.min(want, left));
		left -= n;
		return n;
	};
	// Order of claims = order of importance: header, key help, table header + one row, then extras.
	const headerLines = take(height >= 20 ? 2 : 1);
	const keyHelpLines = take(height >= 4 ? 1 : 0);
	const reserveTable = Math.min(left, height >= 3 ? 2 : 1);
	left -= reserveTable;
	const flagLines = take(height >= 6 ? (height >= 20 ? Math.min(3, Math.max(1, input.flagCount)) : 1) : 0);
	const sparkLines = take(height >= 30 ? 3 : height >= 20 ? 2 : height >= 8 ? 1 : 0);
	left += reserveTable;
	const tableHeader = take(left >= 2 ? 1 : 0);
	const tableRows = take(left);
	return {
		width,
		height: headerLines + keyHelpLines + flagLines + sparkLines + tableHeader + tableRows,
		headerLines,
		sparkLines,
		tableHeader,
		tableRows,
		flagLines,
		keyHelpLines,
		compact: width < 60 || height < 16,
		columns: fitColumns(watchColumns(input.level, input.nameHeader, input.unit), width),
	};
}

export interface RowWindow {
	start: number;
	/** Exclusive. */
	end: number;
	/** Rows not shown (a `+N more` line takes the last body line). */
	more: number;
}

/**
 * Which rows fit in `maxRows` body lines with the selection visible. When some do not fit, the
 * last line says `+N more`, so only `maxRows − 1` rows show.
 */
export function visibleWindow(count: number, selected: number, maxRows: number): RowWindow {
	if (maxRows <= 0) return {start: 0, end: 0, more: count};
	if (count <= maxRows) return {start: 0, end: count, more: 0};
	const shown = Math.max(1, maxRows - 1);
	const sel = Math.max(0, Math.min(count - 1, selected));
	const start = Math.max(0, Math.min(sel - shown + 1 > 0 ? sel - shown + 1 : 0, count - shown));
	return {start, end: start + shown, more: count - shown};
}
