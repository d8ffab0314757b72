/**
 * A one-line progress report on stderr for long one-shot work (a cold `summary --once`,
 * `backfill`): drawn over itself at most every 100 ms, only when stderr is a terminal (never
 * into a pipe or a file), and wiped before the answer is printed.
 */
export type ProgressStream = NodeJS.WritableStream & {isTTY?: boolean; columns?: number};

export class ProgressLine {
	private last = 0;
	private shown = false;

	constructor(
		private readonly stderr: ProgressStream,
		private readonly intervalMs = 100,
		private readonly clock: () => number = Date.now,
	) {}

	/** False in a pipe or a file: nothing is drawn, so callers can skip counting for it. */
	get active(): boolean {
		return this.stderr.isTTY === true;
	}

	/** Draws `text()` (built only when drawn) unless the last line is younger than the interval; `force` draws now. */
	draw(text: () => string, force = false): void {
		if (!this.active) return;
		const t = this.clock();
		if (!force && t - this.last < this.intervalMs) return;
		this.last = t;
		this.shown = true;
		// One line whatever the width (a split pane can be 40 columns): a wrapped line would not be wiped.
		const cols = this.stderr.columns;
		const line = text();
		this.stderr.write(`\r\x1b[2K${cols && cols > 1 && line.length >= cols ? `${line.slice(0, cols - 2)}…` : line}`);
	}

	/** Wipes the line (before the answer goes to stdout on the same terminal). */
	clear(): void {
		if (!this.shown) return;
		this.shown = false;
		this.stderr.write('\r\x1b[2K');
	}
}
