/**
 * Block-character charts of spend per minute. Pure: values in, rows of text out (top row first),
 * one character per minute.
 *
 * The scale is clipped, not linear to the peak: one spike would otherwise flatten the whole
 * history to the baseline. The top of the scale is the 95th percentile of the non-zero minutes
 * (or the peak, when the peak is under 3× that); taller minutes draw full height and end in `▲`.
 * Idle minutes draw `·`; a minute with records but no price (`null`) draws `?`, never zero.
 */
const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
export const CLIPPED = '▲';
export const UNPRICED_MINUTE = '?';
export const IDLE_MINUTE = '·';

export interface SparkScale {
	/** The value drawn full height. */
	top: number;
	/** The largest value (above `top` when clipped). */
	peak: number;
	clipped: boolean;
}

export function sparkScale(values: readonly (number | null)[]): SparkScale {
	const positive = values.filter((v): v is number => v !== null && v > 0).sort((a, b) => a - b);
	const peak = positive.length > 0 ? positive[positive.length - 1]! : 0;
	if (positive.length < 5) return {top: peak, peak, clipped: false};
	const p95 = positive[Math.min(positive.length - 1, Math.floor(positive.length * 0.95))]!;
	return peak > 3 * p95 ? {top: p95, peak, clipped: true} : {top: peak, peak, clipped: false};
}

export function sparkRows(values: readonly (number | null)[], height: number, scale: SparkScale = sparkScale(values)): string[] {
	if (height <= 0) return [];
	const rows: string[] = Array.from({length: height}, () => '');
	const {top} = scale;
	for (const v of values) {
		if (v === null) {
			for (let r = 0; r < height; r++) rows[r] += r === height - 1 ? UNPRICED_MINUTE : ' ';
			continue;
		}
		const over = top > 0 && v > top * 1.0000001;
		// Levels 0..height*8; any non-zero value gets at least one eighth.
		const level = top <= 0 || v <= 0 ? 0 : Math.min(height * 8, Math.max(1, Math.round((v / top) * height * 8)));
		for (let r = 0; r < height; r++) {
			const fromBottom = height - 1 - r;
			const inRow = level - fromBottom * 8;
			if (over && r === 0) rows[r] += CLIPPED;
			else if (inRow <= 0) rows[r] += fromBottom === 0 ? (v <= 0 ? IDLE_MINUTE : BLOCKS[0]) : ' ';
			else rows[r] += BLOCKS[Math.min(8, inRow) - 1];
		}
	}
	return rows;
}
