/**
 * Block-character sparkline rows. Pure: values in, `height` strings out (top row first), each
 * one character per value. Zero draws a baseline dot so idle minutes are visibly idle, not gaps.
 */
const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

export function sparkRows(values: readonly number[], height: number): string[] {
	if (height <= 0) return [];
	const max = values.reduce((m, v) => (v > m ? v : m), 0);
	const rows: string[] = Array.from({length: height}, () => '');
	for (const v of values) {
		// Levels 0..height*8; any non-zero value gets at least one eighth.
		const level = max <= 0 || v <= 0 ? 0 : Math.max(1, Math.round((v / max) * height * 8));
		for (let r = 0; r < height; r++) {
			const fromBottom = height - 1 - r;
			const inRow = level - fromBottom * 8;
			if (inRow <= 0) rows[r] += fromBottom === 0 ? (v <= 0 ? '·' : BLOCKS[0]) : ' ';
			else rows[r] += BLOCKS[Math.min(8, inRow) - 1];
		}
	}
	return rows;
}
