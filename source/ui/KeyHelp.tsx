import {Text} from 'ink';
import React from 'react';
import {truncate} from '../core/format.js';

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
	if (editingFilter) {
		return (
			<Text wrap="truncate">
				<Text color="cyan">/</Text>
				{truncate(`${filter}▏  Enter keep · Esc clear`, Math.max(0, width - 1))}
			</Text>
		);
	}
	const wide = width >= 100;
	const parts = wide
		? ['↑↓ select', drilled ? 'Enter drill · Esc back' : 'Enter drill', 'Tab/1-4 view', `s sort: ${sortTitle}`, '/ filter', 'p pause', '? help', 'q quit']
		: width >= 60
			? ['↑↓', drilled ? '⏎ in · Esc back' : '⏎ drill', 'Tab view', `s ${sortTitle}`, '/ filter', 'p pause', '? help', 'q quit']
			: [drilled ? '⏎ Esc' : '⏎', 'Tab', 's', '/', 'p', '?', 'q'];
	const prefix = filter !== '' && filtered ? `filter "${filter}" ${filtered.shown}/${filtered.total} · ` : '';
	return (
		<Text dimColor wrap="truncate">
			{truncate(prefix + parts.join(width >= 60 ? ' · ' : ' '), width)}
		</Text>
	);
}
