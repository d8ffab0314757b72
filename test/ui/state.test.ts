import {describe, expect, it} from 'vitest';
import {initialUiState, reduce, selectedIndex, type KeyInfo, type RowRef, type UiState} from '../../source/ui/state.js';
import {factoryStore} from '../helpers/watch-fixture.js';

const snapshot = factoryStore().getSnapshot();
const rows: RowRef[] = ['a', 'b', 'c'].map((id) => ({id, drill: {dim: 'issue', id}}));
const key = (s: UiState, input: string, k: KeyInfo = {}) => reduce(s, {type: 'key', input, key: k, rows, page: 2, snapshot});

describe('UI reducer', () => {
	it('quits on q and Ctrl-C, but q is text while filtering', () => {
		expect(key(initialUiState, 'q').quit).toBe(true);
		expect(key(initialUiState, 'c', {ctrl: true}).quit).toBe(true);
		const editing = key(initialUiState, '/');
		const typed = key(editing, 'q');
		expect(typed.quit).toBe(false);
		expect(typed.filter).toBe('q');
		expect(key(typed, 'c', {ctrl: true}).quit).toBe(true);
	});

	it('applies fast key presses in order from state, not from a stale closure', () => {
		let s = initialUiState;
		for (const k of [{downArrow: true}, {downArrow: true}, {downArrow: true}, {upArrow: true}]) s = key(s, '', k);
		expect(rows[selectedIndex(s, rows)]!.id).toBe('b');
		s = key(s, '', {return: true});
		expect(s.path).toEqual([{dim: 'issue', id: 'b'}]);
		s = key(s, '', {escape: true});
		expect(s.path).toEqual([]);
		expect(rows[selectedIndex(s, rows)]!.id).toBe('b');
	});

	it('pauses with the snapshot it was given and resumes', () => {
		const paused = key(initialUiState, 'p');
		expect(paused.frozen).toBe(snapshot);
		expect(key(paused, 'p').frozen).toBeNull();
	});

	it('cycles sort and views, and a view switch leaves any drill-down', () => {
		expect(key(initialUiState, 's').sort).toBe('total');
		expect(key(key(key(key(initialUiState, 's'), 's'), 's'), 's').sort).toBe('recent');
		const drilled = key(initialUiState, '', {return: true});
		const runs = key(drilled, '', {tab: true});
		expect(runs.view).toBe('runs');
		expect(runs.path).toEqual([]);
		expect(key(initialUiState, '', {tab: true, shift: true}).view).toBe('providers');
		expect(key(initialUiState, '3').view).toBe('models');
	});

	it('page and home/end moves clamp to the rows', () => {
		let s = key(initialUiState, '', {pageDown: true});
		expect(selectedIndex(s, rows)).toBe(2);
		s = key(s, 'g');
		expect(selectedIndex(s, rows)).toBe(0);
		s = key(s, 'G');
		expect(selectedIndex(s, rows)).toBe(2);
	});

	it('strips control characters from typed filter text', () => {
		const s = key(key(initialUiState, '/'), 'a\u001b[2Jb\u0007');
		expect(s.filter).toBe('a[2Jb');
	});

	it('replays plain keys that arrived in one read, one by one', () => {
		const s = key(initialUiState, 'jj\r');
		expect(s.path).toEqual([{dim: 'issue', id: 'c'}]);
		const filtered = key(initialUiState, '/ab\u007fc\r');
		expect(filtered).toMatchObject({filter: 'ac', editingFilter: false});
		expect(key(initialUiState, 'x\u0003').quit).toBe(true);
	});

	it('drilling into a filtered row and backing out keeps the filter it had (Esc, ←), level by level', () => {
		let s = key(initialUiState, '/b\r');
		expect(s.filter).toBe('b');
		s = key(s, '', {return: true});
		expect(s).toMatchObject({path: [{dim: 'issue', id: 'a'}], filter: ''});
		s = key(s, '/x\r');
		s = key(s, '', {return: true});
		expect(s.path).toHaveLength(2);
		s = key(s, '', {leftArrow: true});
		expect(s.filter).toBe('x');
		s = key(s, '', {escape: true});
		expect(s).toMatchObject({path: [], filter: 'b', filterStack: []});
		// On the top level Esc clears the filter, as before.
		expect(key(s, '', {escape: true}).filter).toBe('');
		// A view switch starts clean.
		expect(key(key(s, '', {return: true}), '2')).toMatchObject({filter: '', filterStack: []});
	});

	it('the help overlay scrolls within its text and closes; q still quits', () => {
		const over = (s: UiState, input: string, k: KeyInfo = {}) => reduce(s, {type: 'key', input, key: k, rows, page: 5, snapshot, overlayLines: 12});
		let s = over(initialUiState, '?');
		expect(s).toMatchObject({help: true, scroll: 0});
		s = over(s, 'j');
		s = over(s, '', {downArrow: true});
		expect(s.scroll).toBe(2);
		s = over(s, '', {pageDown: true});
		expect(s.scroll).toBe(7);
		// The last page is as far as it goes (12 lines, 5 shown).
		expect(over(s, 'j').scroll).toBe(7);
		expect(over(s, 'g').scroll).toBe(0);
		expect(over(s, 'G').scroll).toBe(7);
		// j is a scroll key here, not a selection move underneath.
		expect(over(s, 'j').selection).toEqual(s.selection);
		expect(over(s, '', {escape: true})).toMatchObject({help: false, scroll: 0});
		expect(over(s, 'q').quit).toBe(true);
	});

	it('f opens the flags view, which scrolls like help and closes with f, Esc, Enter or ←', () => {
		const over = (s: UiState, input: string, k: KeyInfo = {}) => reduce(s, {type: 'key', input, key: k, rows, page: 3, snapshot, overlayLines: 10});
		const open = over(initialUiState, 'f');
		expect(open).toMatchObject({flagsOpen: true, scroll: 0});
		expect(over(open, '', {pageDown: true}).scroll).toBe(3);
		for (const [input, k] of [['f', {}], ['', {escape: true}], ['', {return: true}], ['', {leftArrow: true}]] as Array<[string, KeyInfo]>) {
			expect(over(open, input, k).flagsOpen).toBe(false);
		}
		// Enter closes the view; it does not drill into the row underneath.
		expect(over(open, '', {return: true}).path).toEqual([]);
	});
});
