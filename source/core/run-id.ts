/**
 * Short labels that tell run ids apart. Ids are usually shown by their first 8 characters, but
 * time-ordered ids (Codex's UUIDv7 sessions) share those for runs started within a minute or so:
 * those show their last characters instead (`…a91f03c`), which are random.
 */
import {sanitize} from './sanitize.js';

const len = (s: string) => Array.from(s).length;

export function runLabels(ids: Iterable<string>, width = 8): Map<string, string> {
	// Ids are almost always ASCII: cut them by code unit, and each id's head once (a big history has tens of thousands of runs).
	const ascii = (s: string) => /^[\x00-\x7f]*$/.test(s);
	const all = [...new Set(ids)].map((id) => {
		const s = sanitize(id);
		return {id, s, ascii: ascii(s), head: ascii(s) ? s.slice(0, width) : Array.from(s).slice(0, width).join('')};
	});
	const tail = (s: string, plain: boolean) => `…${plain ? s.slice(-(width - 1)) : Array.from(s).slice(-(width - 1)).join('')}`;
	const heads = new Map<string, number>();
	for (const {head} of all) heads.set(head, (heads.get(head) ?? 0) + 1);
	const out = new Map<string, string>();
	for (const {id, s, ascii: plain, head} of all) out.set(id, (plain ? s.length : len(s)) <= width || heads.get(head) === 1 ? head : tail(s, plain));
	return out;
}

const byDoc = new WeakMap<object, Map<string, string>>();

/** `runLabels` of a document's runs, worked out once per document (every frame and panel asks for them). */
export function docRunLabels(byRun: Record<string, unknown>): Map<string, string> {
	let labels = byDoc.get(byRun);
	if (!labels) byDoc.set(byRun, (labels = runLabels(Object.keys(byRun))));
	return labels;
}
