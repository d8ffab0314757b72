/**
 * Table layout maths: which columns fit a width, and how wide each is. Pure, so every size the
 * terminal can have is a table-driven test.
 */
import {padEnd, padStart, truncate} from './format.js';

export interface ColumnSpec {
	id: string;
	header: string;
	/** Short header for narrow layouts. */
	short?: string;
	width: number;
	/** Lower is kept longer. The flex column should be 0. */
	priority: number;
	align: 'left' | 'right';
	/** Takes the remaining width (at least `width`). At most one column. */
	flex?: boolean;
}

export interface PlacedColumn extends ColumnSpec {
	actualWidth: number;
	label: string;
}

export const GAP = 1;

/** Drops the least important columns until the rest fit in `width`; the flex column takes the slack. */
export function fitColumns(columns: readonly ColumnSpec[], width: number): PlacedColumn[] {
	let chosen = [...columns];
	const needed = (cols: ColumnSpec[]) => cols.reduce((s, c) => s + c.width, 0) + GAP * Math.max(0, cols.length - 1);
	while (chosen.length > 1 && needed(chosen) > width) {
		const worst = chosen.reduce((a, b) => (b.priority > a.priority ? b : a));
		chosen = chosen.filter((c) => c !== worst);
	}
	const slack = Math.max(0, width - needed(chosen));
	const narrow = width < 60;
	return chosen.map((c) => {
		const actualWidth = c.flex ? c.width + slack : Math.min(c.width, width);
		return {...c, actualWidth, label: narrow && c.short ? c.short : c.header};
	});
}

export function formatRow(columns: readonly PlacedColumn[], cells: Record<string, string>): string {
	return columns
		.map((c) => {
			const text = cells[c.id] ?? '';
			return c.align === 'right' ? padStart(text, c.actualWidth) : padEnd(truncate(text, c.actualWidth), c.actualWidth);
		})
		.join(' '.repeat(GAP))
		.trimEnd();
}

export function headerRow(columns: readonly PlacedColumn[]): string {
	const cells: Record<string, string> = {};
	for (const c of columns) cells[c.id] = c.label;
	return formatRow(columns, cells);
}
