/**
 * The large spend chart of a tall pane: a title that says what is drawn and how it is scaled, bars
 * with a labelled scale on the left, and a time axis below. Pure: series in, lines out. The
 * scale is the sparkline's (clipped at the 95th percentile, see sparkline.ts).
 */
import {truncate} from '../../core/format.js';
import {CLIPPED, sparkRows, sparkScale} from './sparkline.js';
import {clockTime, formatRate} from './watch-rates.js';

const MINUTE = 60_000;
/** `$1,234 ┤`: the scale labels' column. */
export const CHART_LABEL_WIDTH = 8;

export interface ChartInput {
	/** Per-minute values, oldest first (`null`: records without a price). */
	values: readonly (number | null)[];
	/** Epoch ms of the first value's minute. */
	start: number;
	priced: boolean;
	/** No record read yet (a first read still running, or no data): nothing is known, so no `$0` scale either. */
	nothingRead?: boolean;
	width: number;
	/** Lines, title and time axis included (at least 4). */
	height: number;
}

export interface ChartLines {
	title: string;
	/** Scale label and bars per line, top first. */
	rows: Array<{label: string; bars: string}>;
	axis: string;
}

/** Columns of bars a chart of this width draws (one minute each). */
export function chartBars(width: number): number {
	return Math.max(0, width - CHART_LABEL_WIDTH);
}

export function chartLines(input: ChartInput): ChartLines {
	const {values, start, priced, width} = input;
	const barHeight = Math.max(1, input.height - 2);
	const scale = sparkScale(values);
	const bars = sparkRows(values, barHeight, scale);
	const unit = priced ? '$/min' : 'tok/min';
	const fmt = (v: number) => formatRate(v, priced);
	let peakAt: number | null = null;
	values.forEach((v, i) => {
		if (v !== null && v === scale.peak && scale.peak > 0) peakAt = start + i * MINUTE;
	});
	const unpriced = values.some((v) => v === null);
	if (input.nothingRead) {
		// The sparkline's rule (App's '—'): before any record, "$0" or "nothing spent" would be a claim.
		const empty = bars.map(() => ({label: `${' '.repeat(CHART_LABEL_WIDTH - 2)} │`, bars: ''}));
		return {title: truncate(`spend ${unit} · last ${values.length}m · — nothing read yet`, width), rows: empty, axis: timeAxis(start, values.length, width)};
	}
	const parts = [
		`spend ${unit} · last ${values.length}m`,
		// Older spend may exist (the table has it): this chart only says nothing was spent in its window.
		scale.peak > 0 ? `peak ${fmt(scale.peak)}${peakAt !== null ? ` ${clockTime(peakAt)}` : ''}` : 'nothing spent in this window',
		...(scale.peak > 0 ? [scale.clipped ? `top ${fmt(scale.top)}, ${CLIPPED} above` : 'linear scale'] : []),
		...(unpriced ? ['? unpriced'] : []),
	];
	const rows = bars.map((b, i) => {
		const level = barHeight === 1 ? scale.top : (scale.top * (barHeight - i)) / barHeight;
		// An empty window has one level, 0: labelled once, at the bottom.
		const showLabel = scale.peak > 0 ? i === 0 || i === barHeight - 1 || (barHeight >= 5 && i === Math.floor(barHeight / 2)) : i === barHeight - 1;
		const text = showLabel ? fmt(i === barHeight - 1 && barHeight > 1 ? 0 : level) : '';
		return {label: `${truncate(text, CHART_LABEL_WIDTH - 2).padStart(CHART_LABEL_WIDTH - 2)} ${showLabel ? '┤' : '│'}`, bars: b};
	});
	return {title: truncate(parts.join(' · '), width), rows, axis: timeAxis(start, values.length, width)};
}

/** Clock labels (`╵16:10`, 6 columns) under the bars every 10 minutes of local time. */
export function timeAxis(start: number, count: number, width: number): string {
	const cells = Array.from({length: Math.max(0, width)}, () => ' ');
	const step = 10;
	for (let i = 0; i < count; i++) {
		const minute = start + i * MINUTE;
		const local = new Date(minute);
		const minuteOfDay = local.getHours() * 60 + local.getMinutes();
		if (minuteOfDay % step !== 0) continue;
		const col = CHART_LABEL_WIDTH + i;
		const label = `╵${clockTime(minute)}`;
		if (col + label.length > width) continue;
		for (let k = 0; k < label.length; k++) cells[col + k] = label[k]!;
	}
	return cells.join('').trimEnd();
}
