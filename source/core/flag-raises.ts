/**
 * Which flags are news: from successive lists of live flags, the raises worth a notification.
 * A raise is a warn or crit flag seen for the first time in an episode (its id with its `fired`
 * count), or a budget going from 80 % to 100 % (`budget_burn` turning crit). Pure: the same lists
 * give the same raises; the notifier (source/notify/) decides how to deliver them.
 */
import {SEVERITY_RANK, type Flag, type Severity} from './flags.js';

export interface FlagRaise {
	flag: Flag;
	/** `raised`: a new episode; `budget-100`: a budget already past 80 % is now past 100 %. */
	reason: 'raised' | 'budget-100';
}

export interface RaiseTrackerOptions {
	/** The least severity that notifies (default warn). */
	minSeverity?: Severity;
}

export class RaiseTracker {
	private readonly seen = new Map<string, {fired: number; severity: Severity}>();
	private readonly min: number;

	constructor(options: RaiseTrackerOptions = {}) {
		this.min = SEVERITY_RANK[options.minSeverity ?? 'warn'];
	}

	/** The raises in `flags` since the last call. Inactive flags are ignored (they cleared). */
	update(flags: readonly Flag[]): FlagRaise[] {
		const out: FlagRaise[] = [];
		for (const f of flags) {
			if (f.active === false || SEVERITY_RANK[f.severity] < this.min) continue;
			const fired = f.fired ?? 1;
			const had = this.seen.get(f.id);
			if (!had || fired > had.fired) out.push({flag: f, reason: 'raised'});
			else if (f.kind === 'budget_burn' && f.severity === 'crit' && had.severity !== 'crit') out.push({flag: f, reason: 'budget-100'});
			this.seen.set(f.id, {fired, severity: had && had.fired === fired && SEVERITY_RANK[had.severity] > SEVERITY_RANK[f.severity] ? had.severity : f.severity});
		}
		return out;
	}
}

/** A one-line title and body for a desktop notification. */
export function raiseText(r: FlagRaise): {title: string; body: string} {
	const f = r.flag;
	const title = r.reason === 'budget-100' ? `burn: budget exceeded (${f.scope.type} ${f.scope.id})` : `burn: ${f.severity} ${f.kind} (${f.scope.type} ${f.scope.id})`;
	return {title, body: f.message};
}
