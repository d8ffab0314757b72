/**
 * Reads stdin for a command that must never hang (the statusline): nothing from a TTY, at most
 * `maxBytes`, and whatever arrived once `timeoutMs` passes. A closed or missing stdin is empty.
 */
export interface BoundedRead {
	text: string;
	/** Why the read stopped. */
	end: 'eof' | 'tty' | 'timeout' | 'limit' | 'error';
}

export function readStdinBounded(stdin: NodeJS.ReadStream & {fd?: number}, options: {maxBytes: number; timeoutMs: number}): Promise<BoundedRead> {
	if (stdin.isTTY) return Promise.resolve({text: '', end: 'tty'});
	return new Promise((resolve) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let done = false;
		const finish = (end: BoundedRead['end']) => {
			if (done) return;
			done = true;
			clearTimeout(timer);
			stdin.off('data', onData);
			stdin.off('end', onEnd);
			stdin.off('error', onError);
			// Let the process exit even if the writer keeps the pipe open.
			if (end !== 'eof') stdin.destroy();
			else stdin.pause();
			resolve({text: Buffer.concat(chunks).toString('utf8').slice(0, options.maxBytes), end});
		};
		const onData = (chunk: Buffer | string) => {
			const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
			chunks.push(b);
			size += b.length;
			if (size >= options.maxBytes) finish('limit');
		};
		const onEnd = () => finish('eof');
		const onError = () => finish('error');
		const timer = setTimeout(() => finish('timeout'), options.timeoutMs);
		stdin.on('data', onData);
		stdin.once('end', onEnd);
		stdin.once('error', onError);
		stdin.resume();
	});
}
