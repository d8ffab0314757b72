import {renderToString} from 'ink';
import React from 'react';
import type {ReportLine} from '../core/report.js';
import {SummaryReport} from './SummaryReport.js';

/** The text report as a string (no live renderer: summary --once writes to pipes too). */
export function renderReportText(lines: ReportLine[], width: number): string {
	return renderToString(<SummaryReport lines={lines} />, {columns: width});
}
