import {Text} from 'ink';
import React from 'react';
import {truncate} from '../core/format.js';
import {FILTER_KEYS, fittingHintLine, hintWidth, keyHints, LIST_KEYS} from './keymap.js';
import {usePalette} from './palette.js';

export interface KeyHelpProps {
	width: number;
	editingFilter: boolean;
	filter: string;
	drilled: boolean;
	sortTitle: string;
	/** Rows shown of all rows, when a filter hides some. */
	filtered: {shown: number; total: number} | null;
}

/** One line: the keys that do something here, or the filter being typed. */
export function KeyHelp({width, editingFilter, filter, drilled, sortTitle, filtered}: KeyHelpProps) {
	const palette = usePalette();
	const ctx = {drilled, sortTitle};
	const size = hintWidth(width);
	if (editingFilter) {
		return (
			<Text wrap="truncate">
				<Text {...palette.style('prompt')}>/</Text>
				{truncate(`${filter}▏  ${keyHints(FILTER_KEYS, ctx, size).join(' · ')}`, Math.max(0, width - 1))}
			</Text>
		);
	}
	const prefix = filter !== '' && filtered ? `filter "${filter}" ${filtered.shown}/${filtered.total} · ` : '';
	const line = fittingHintLine(LIST_KEYS, ctx, width, prefix);
	return (
		<Text dimColor wrap="truncate">
			{truncate(line, width)}
		</Text>
	);
}
