/**
 * Short labels that tell run ids apart. Ids are usually shown by their first 8 characters, but
 * time-ordered ids (Codex's UUIDv7 sessions) share those for runs started within a minute or so:
 * those show their last characters instead (`…a91f03c`), which are random.
 */
import {sanitize} from './sanitize.js';

const len = (s: string) => Array.from(s).length;

export function runLabels(ids: Iterable<string>, width = 8): Map<string, string> {
	const all = [...new Set(ids)].map((id) => [id, sanitize(id)] as const);
	const head = (s: string) => Array.from(s).slice(0, width).join('');
	const tail = (s: string) => `…${Array.from(s).slice(-(width - 1)).join('')}`;
	const heads = new Map<string, number>();
	for (const [, s] of all) heads.set(head(s), (heads.get(head(s)) ?? 0) + 1);
	const out = new Map<string, string>();
	for (const [id, s] of all) out.set(id, len(s) <= width || heads.get(head(s)) === 1 ? head(s) : tail(s));
	return out;
}
