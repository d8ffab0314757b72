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
});
