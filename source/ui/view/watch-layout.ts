/**
 * The watch screen as one pure function of the terminal size: which sections show, how many
 * lines each takes and which table columns fit. The frame is at most `rows − 1` lines (a
 * full-height frame makes Ink 6.8 clear the scrollback on every update), and the table is
 * padded to its budget so the flags strip and key help never jump.
 */
import {fitColumns, type PlacedColumn} from '../../core/layout.js';
import {OPTIONAL_COLUMNS, watchColumns, type Level, type RateUnit} from './watch-columns.js';

export interface LayoutInput {
	columns: number;
	rows: number;
	level: Level;
	nameHeader: string;
	unit: RateUnit;
	/** Flags to show; the strip grows to 3 lines on tall screens. */
	flagCount: number;
	/** Rows the table has (after the filter): a tall pane gives the table what it needs, the detail the rest. */
	rowCount?: number;
	/** Optional columns whose every cell is unknown: left out, so their space goes to the others. */
	emptyColumns?: ReadonlySet<string>;
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
	/** Lines of the large chart (title, bars, time axis) that replaces the sparkline on tall panes; 0: none. */
	chartLines: number;
	/** The selected item's detail panel: below the table (tall panes) or beside it (wide ones). */
	detail: {placement: 'below' | 'beside'; width: number; lines: number} | null;
	/** Lines of the flags panel under the table when the detail sits beside it and the rows leave room; 0: none. */
	flagsPanelLines: number;
	/** Columns the table gets (less than `width` when the detail sits beside it). */
	tableWidth: number;
	/** Narrow: abbreviations everywhere. */
	compact: boolean;
	columns: PlacedColumn[];
}

/** Panels need a pane this big: below 80×30 the screen is the table alone, as in a split pane. */
export const PANEL_MIN_COLUMNS = 80;
export const PANEL_MIN_ROWS = 30;
/** From this width the detail sits beside the table. */
export const BESIDE_MIN_COLUMNS = 150;

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
	// A narrow pane cuts a flag's sentence early: from 11 lines it gets two (one wrapped flag, or two).
	const narrowFlags = width < 60 && height >= 11 && input.flagCount > 0 ? 2 : 1;
	const flagLines = take(height >= 6 ? (height >= 20 ? Math.min(3, Math.max(1, input.flagCount)) : narrowFlags) : 0);
	const panels = width >= PANEL_MIN_COLUMNS && height >= PANEL_MIN_ROWS - 1;
	const chartLines = panels ? take(Math.min(12, Math.floor(height / 4))) : 0;
	const sparkLines = panels ? 0 : take(height >= 30 ? 3 : height >= 20 ? 2 : height >= 8 ? 1 : 0);
	left += reserveTable;
	let detail: WatchLayout['detail'] = null;
	let tableWidth = width;
	let flagsPanelLines = 0;
	if (panels && width >= BESIDE_MIN_COLUMNS) {
		const w = Math.max(50, Math.min(90, Math.floor(width * 0.4)));
		tableWidth = width - w - 1;
		detail = {placement: 'beside', width: w, lines: left};
		// Few rows: the space under them shows the flags whole instead of blank lines.
		const body = Math.max(5, (input.rowCount ?? 0) + 1);
		if (left - 1 - body >= 8) {
			flagsPanelLines = left - 1 - body;
			left = body + 1;
		}
	} else if (panels && left >= 16) {
		// The table takes the lines its rows need (at least 5, leaving the detail 8 and a rule), the detail the rest.
		const want = Math.max(5, (input.rowCount ?? 0) + 1);
		const body = Math.min(want, left - 1 - 9);
		detail = {placement: 'below', width, lines: left - 1 - body - 1};
		left = body + 1;
	}
	const tableHeader = take(left >= 2 ? 1 : 0);
	const tableRows = take(left);
	return {
		width,
		height: headerLines + keyHelpLines + flagLines + sparkLines + chartLines + tableHeader + tableRows + flagsPanelLines + (detail?.placement === 'below' ? detail.lines + 1 : 0),
		headerLines,
		sparkLines,
		tableHeader,
		tableRows,
		flagLines,
		keyHelpLines,
		chartLines,
		detail,
		flagsPanelLines,
		tableWidth,
		compact: width < 60 || height < 16,
		columns: fitColumns(
			watchColumns(input.level, input.nameHeader, input.unit).filter((c) => !(OPTIONAL_COLUMNS.has(c.id) && input.emptyColumns?.has(c.id))),
			tableWidth,
		),
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
