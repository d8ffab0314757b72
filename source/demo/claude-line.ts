/**
 * Claude Code transcript lines (docs/transcript-formats.md §1.3) for the demo: a user prompt and the
 * assistant call that answered it, with the usage block Claude Code writes.
 */
export interface ClaudeTurn {
	sessionId: string;
	cwd: string;
	n: number;
	at: number;
	model: string;
	/** Uncached input. */
	input: number;
	cacheRead: number;
	cacheWrite: number;
	output: number;
	/** The assistant asks for this tool (the next prompt carries its result). */
	tool?: string;
	command?: string;
	/** The result of the previous turn's tool call, carried by this turn's prompt. */
	result?: 'ok' | 'error';
}

export function claudeLines(t: ClaudeTurn): string[] {
	const id = String(t.n).padStart(4, '0');
	const base = {isSidechain: false, sessionId: t.sessionId, cwd: t.cwd, version: '2.1.240', userType: 'external'};
	const user = {
		type: 'user',
		uuid: `u-${id}`,
		parentUuid: t.n > 1 ? `a-${String(t.n - 1).padStart(4, '0')}` : null,
		...base,
		timestamp: new Date(t.at - 4_000).toISOString(),
		message: {
			role: 'user',
			content: t.result
				? [{type: 'tool_result', tool_use_id: `toolu_DEMO${String(t.n - 1).padStart(4, '0')}`, content: t.result === 'error' ? 'exit code 1' : 'ok', is_error: t.result === 'error'}]
				: 'continue with the next failing test',
		},
	};
	const assistant = {
		type: 'assistant',
		uuid: `a-${id}`,
		parentUuid: `u-${id}`,
		...base,
		timestamp: new Date(t.at).toISOString(),
		requestId: `req_DEMO${t.sessionId.slice(0, 4)}${id}`,
		message: {
			id: `msg_DEMO${t.sessionId.slice(0, 4)}${id}`,
			type: 'message',
			role: 'assistant',
			model: t.model,
			content: t.tool ? [{type: 'tool_use', id: `toolu_DEMO${id}`, name: t.tool, input: {command: t.command ?? 'npm test'}}] : [{type: 'text', text: 'Done.'}],
			stop_reason: t.tool ? 'tool_use' : 'end_turn',
			usage: {
				input_tokens: t.input,
				cache_creation_input_tokens: t.cacheWrite,
				cache_read_input_tokens: t.cacheRead,
				cache_creation: {ephemeral_5m_input_tokens: t.cacheWrite, ephemeral_1h_input_tokens: 0},
				output_tokens: t.output,
				service_tier: 'standard',
			},
		},
	};
	return [JSON.stringify(user), JSON.stringify(assistant)];
}
