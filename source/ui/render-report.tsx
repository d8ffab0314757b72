import {renderToString} from 'ink';
import React from 'react';
import type {ReportLine} from '../core/report.js';
import {COLOUR_PALETTE, PaletteContext, type Palette} from './palette.js';
import {SummaryReport} from './SummaryReport.js';

/** The text report as a string (no live renderer: summary --once writes to pipes too). */
export function renderReportText(lines: ReportLine[], width: number, palette: Palette = COLOUR_PALETTE): string {
	return renderToString(
		<PaletteContext.Provider value={palette}>
			<SummaryReport lines={lines} />
		</PaletteContext.Provider>,
		{columns: width},
	);
}
