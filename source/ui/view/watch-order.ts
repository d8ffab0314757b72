/**
 * Row order that stays calm: rows are sorted, then held in place for a few seconds while their
 * numbers change, so a glance finds things where they were. A new row goes at once where the sort
 * puts it among the held rows (at the end it could wait below the pane until the next re-sort).
 * Selection is by id elsewhere, so a re-sort never moves it to another item.
 */
import type {SortMode, WatchRow} from './watch-model.js';

export const RESORT_MS = 3000;

export interface OrderMemo {
	/** What was ordered: level, sort and filter. A different key re-sorts at once. */
	key: string;
	ids: string[];
	at: number;
}

export function compareRows(sort: SortMode): (a: WatchRow, b: WatchRow) => number {
	return (a, b) => {
		if (sort === 'name') return a.sort.name.localeCompare(b.sort.name) || a.id.localeCompare(b.id);
		const primary = b.sort[sort] - a.sort[sort];
		if (primary !== 0) return primary;
		const total = b.sort.total - a.sort.total;
		if (total !== 0) return total;
		return a.sort.name.localeCompare(b.sort.name) || a.id.localeCompare(b.id);
	};
}

export function orderRows(
	rows: readonly WatchRow[],
	sort: SortMode,
	memo: OrderMemo | null,
	key: string,
	now: number,
): {rows: WatchRow[]; memo: OrderMemo} {
	const sorted = [...rows].sort(compareRows(sort));
	if (!memo || memo.key !== key || now - memo.at >= RESORT_MS || now < memo.at) {
		return {rows: sorted, memo: {key, ids: sorted.map((r) => r.id), at: now}};
	}
	const byId = new Map(rows.map((r) => [r.id, r]));
	const kept: WatchRow[] = [];
	for (const id of memo.ids) {
		const r = byId.get(id);
		if (r) kept.push(r);
	}
	const old = new Set(memo.ids);
	const cmp = compareRows(sort);
	for (const r of sorted) {
		if (old.has(r.id)) continue;
		// Before the first held row it sorts ahead of; held rows keep their order among themselves.
		let at = kept.findIndex((k) => old.has(k.id) && cmp(r, k) < 0);
		if (at === -1) at = kept.length;
		kept.splice(at, 0, r);
	}
	return {rows: kept, memo: {key, ids: kept.map((r) => r.id), at: memo.at}};
}
