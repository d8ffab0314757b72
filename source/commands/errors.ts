/** A mistake in how burn was called (flags, values, files named on the command line): exit 2. */
export class UsageError extends Error {
	constructor(
		message: string,
		readonly hint?: string,
	) {
		super(message);
		this.name = 'UsageError';
	}
}

export const EXIT = {ok: 0, failure: 1, usage: 2, flagged: 3} as const;
