/** Driving Ink apps in tests: press a key and yield; poll for a frame (never a fixed sleep). */
export const KEYS = {
	enter: '\r',
	escape: '\u001b',
	tab: '\t',
	shiftTab: '\u001b[Z',
	up: '\u001b[A',
	down: '\u001b[B',
	left: '\u001b[D',
	right: '\u001b[C',
	backspace: '\u007f',
	ctrlC: '\u0003',
} as const;

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

export async function press(stdin: {write: (data: string) => void}, key: string): Promise<void> {
	stdin.write(key);
	await tick();
	await tick();
}

export async function waitForFrame(lastFrame: () => string | undefined, predicate: (frame: string) => boolean, timeoutMs = 3000): Promise<string> {
	const until = Date.now() + timeoutMs;
	for (;;) {
		const frame = lastFrame() ?? '';
		if (predicate(frame)) return frame;
		if (Date.now() > until) throw new Error(`frame never matched; last frame:\n${frame}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}
