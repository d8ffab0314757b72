import {Box, Text} from 'ink';
import React from 'react';
import {truncate} from '../core/format.js';
import {headerLine, type HeaderInfo, type HeaderPart} from './view/watch-header.js';
import {FIDELITY_GLYPH} from './view/watch-model.js';
import {usePalette, type Role} from './palette.js';

const ROLE: Record<HeaderPart['role'], Role> = {title: 'title', crumb: 'crumb', live: 'live', paused: 'paused', rate: 'rate', dim: 'dim', fidelity: 'plain', quota: 'plain'};

export interface HeaderProps {
	info: HeaderInfo;
	width: number;
	lines: number;
}

/** Breadcrumbs and the live numbers; a second line names the sources when there is room. */
export function Header({info, width, lines}: HeaderProps) {
	const palette = usePalette();
	if (lines <= 0) return null;
	const {left, right} = headerLine(info, width, FIDELITY_GLYPH[info.fidelity]);
	const used = [...left, ...right].reduce((s, p) => s + Array.from(p.text).length, 0) + right.length;
	const gap = Math.max(1, width - used);
	return (
		<Box flexDirection="column">
			<Text wrap="truncate">
				{left.map((p, i) => (
					<Text key={`l${i}`} {...palette.style(ROLE[p.role])}>
						{p.text}
					</Text>
				))}
				{' '.repeat(gap)}
				{right.map((p, i) => (
					<Text key={`r${i}`} {...palette.style(ROLE[p.role])}>
						{(i === 0 ? '' : ' ') + p.text}
					</Text>
				))}
			</Text>
			{lines > 1 && (
				<Text dimColor wrap="truncate">
					{truncate(info.sources, width)}
				</Text>
			)}
		</Box>
	);
}
