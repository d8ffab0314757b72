/**
 * One name per provider. Agents and orchestrators name the same provider differently: Symphony's
 * usage.jsonl says `claude` or `codex` (the agent), the transcripts say `anthropic` or `openai`
 * (the company that served the call), bosun writes its executor's name. Rows `--by provider` are
 * the company that served and bills the call, so the agent names fold into it (docs/counting-truth.md).
 * A name not listed is kept as written (lowercase names only; case is folded): OpenCode's
 * `providerID` (e.g. `openrouter`) is already the company.
 */
const CANONICAL: Readonly<Record<string, string>> = {
	anthropic: 'anthropic',
	claude: 'anthropic',
	'claude-code': 'anthropic',
	openai: 'openai',
	codex: 'openai',
	'codex-cli': 'openai',
	google: 'google',
	gemini: 'google',
	'gemini-cli': 'google',
};

/** The provider's one name (`claude` → `anthropic`, `codex` → `openai`, `gemini` → `google`). */
export function canonicalProvider(name: string | null): string | null {
	if (name === null) return null;
	return CANONICAL[name.toLowerCase()] ?? name;
}
