/**
 * The table columns of each watch level. Priorities decide what a narrow pane drops first
 * (lower is kept longer); when nothing is priced the cost column goes early, since every cell
 * would read `unpriced`.
 */
import type {ColumnSpec} from '../../core/layout.js';

/** `list`: issues/runs/models/providers; `runs`: the runs of one item; `turns`: the turns of one run. */
export type Level = 'list' | 'runs' | 'turns';

export type RateUnit = 'usd/h' | 'tok/min';

export function rateHeader(unit: RateUnit): string {
	return unit === 'usd/h' ? '$/h' : 'tok/m';
}

const tokenColumns = (base: number): ColumnSpec[] => [
	{id: 'input', header: 'Input', short: 'In', width: 6, priority: base + 1, align: 'right'},
	{id: 'output', header: 'Output', short: 'Out', width: 6, priority: base, align: 'right'},
	{id: 'cache', header: 'Cache', short: 'Cch', width: 6, priority: base + 2, align: 'right'},
];

/** Columns that may go when no row has anything to say in them (every cell `—`). */
export const OPTIONAL_COLUMNS: ReadonlySet<string> = new Set(['provider', 'role', 'exit', 'started', 'duration']);

/** Which column shows what a sort orders by (its header gets `▾`); null when no column does (a run's recent spend). */
export function sortColumn(sort: 'recent' | 'total' | 'last' | 'name', level: Level): string | null {
	if (sort === 'name') return 'name';
	if (sort === 'last') return level === 'turns' ? 'name' : 'last';
	if (sort === 'total') return 'cost';
	return level === 'list' ? 'rate' : level === 'turns' ? 'name' : null;
}

export function watchColumns(level: Level, nameHeader: string, unit: RateUnit): ColumnSpec[] {
	const priced = unit === 'usd/h';
	const cost: ColumnSpec = {id: 'cost', header: 'Cost', width: 9, priority: priced ? 1 : 9, align: 'right'};
	const flag: ColumnSpec = {id: 'flag', header: '!', width: 1, priority: 0, align: 'left'};
	const fidelity: ColumnSpec = {id: 'fidelity', header: 'F', width: 1, priority: 0, align: 'left'};
	if (level === 'list') {
		// The Runs view names its model and provider when there is room (an id alone says little).
		const runInfo: ColumnSpec[] =
			nameHeader === 'Run'
				? [
						{id: 'model', header: 'Model', width: 17, priority: 5, align: 'left'},
						{id: 'provider', header: 'Provider', short: 'Prov', width: 9, priority: 8, align: 'left'},
					]
				: [];
		return [
			flag,
			{id: 'name', header: nameHeader, width: 8, priority: 0, align: 'left', flex: true},
			...runInfo,
			{id: 'turns', header: 'Turns', short: 'T', width: 5, priority: 6, align: 'right'},
			...tokenColumns(4),
			cost,
			{id: 'rate', header: rateHeader(unit), width: 7, priority: 2, align: 'right'},
			{id: 'last', header: 'Last', width: 5, priority: 3, align: 'right'},
			fidelity,
		];
	}
	if (level === 'runs') {
		return [
			flag,
			{id: 'name', header: 'Run', width: 8, priority: 0, align: 'left'},
			{id: 'provider', header: 'Provider', short: 'Prov', width: 9, priority: 8, align: 'left'},
			{id: 'model', header: 'Model', width: 17, priority: 1, align: 'left', flex: true},
			{id: 'role', header: 'Role', width: 4, priority: 7, align: 'left'},
			{id: 'turns', header: 'Turns', short: 'T', width: 5, priority: 5, align: 'right'},
			...tokenColumns(6),
			cost,
			{id: 'started', header: 'Start', width: 5, priority: 10, align: 'right'},
			{id: 'last', header: 'Last', width: 5, priority: 3, align: 'right'},
			{id: 'exit', header: 'Exit', width: 9, priority: 9, align: 'left'},
			fidelity,
		];
	}
	return [
		flag,
		{id: 'name', header: 'Time', width: 8, priority: 0, align: 'left'},
		{id: 'model', header: 'Model', width: 8, priority: 3, align: 'left', flex: true},
		...tokenColumns(4),
		cost,
		{id: 'duration', header: 'Dur', width: 6, priority: 2, align: 'right'},
		fidelity,
	];
}
