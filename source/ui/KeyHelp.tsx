import {Text} from 'ink';
import React from 'react';
import {truncate} from '../core/format.js';
import {FILTER_KEYS, FLAGS_KEYS, fittingHintLine, HELP_KEYS, hintWidth, keyHints, LIST_KEYS, type HintContext} from './keymap.js';
import {usePalette} from './palette.js';

export interface KeyHelpProps {
	width: number;
	editingFilter: boolean;
	filter: string;
	drilled: boolean;
	paused?: boolean;
	/** Live flags exist (`f` opens them). */
	flags?: boolean;
	/** The detail panel holds more than it shows. */
	detailMore?: boolean;
	/** The open overlay, whose keys are hinted instead. */
	overlay?: 'help' | 'flags' | null;
	/** Rows shown of all rows, when a filter hides some. */
	filtered: {shown: number; total: number} | null;
}

/** One line: the keys that do something here (fitted so `q quit` always shows), or the filter being typed. */
export function KeyHelp({width, editingFilter, filter, drilled, paused = false, flags = false, detailMore = false, overlay = null, filtered}: KeyHelpProps) {
	const palette = usePalette();
	const ctx: HintContext = {drilled, paused, flags, detailMore};
	if (editingFilter) {
		return (
			<Text wrap="truncate">
				<Text {...palette.style('prompt')}>/</Text>
				{truncate(`${filter}▏  ${keyHints(FILTER_KEYS, ctx, hintWidth(width)).join(' · ')}`, Math.max(0, width - 1))}
			</Text>
		);
	}
	if (overlay !== null) {
		return (
			<Text dimColor wrap="truncate">
				{truncate(fittingHintLine(overlay === 'help' ? HELP_KEYS : FLAGS_KEYS, ctx, width), width)}
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
