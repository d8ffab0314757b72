/**
 * A16 data quality, per source: parse problems, schema-version mismatches, unpriced share, and a
 * source that went silent while the rest of the system is still producing data. One flag per
 * source (the worst finding), every finding in its evidence.
 */
import type {Flag, Severity} from '../flags.js';
import type {SourceKind} from '../record.js';
import {minutes} from './params.js';
import {round} from './spend.js';
import type {Detector} from './types.js';

interface SourceFold {
	firstAt: number;
	lastAt: number;
	priced: number;
	unpriced: number;
	/** Records that state no token counts (usage unavailable): not a pricing gap. */
	noUsage: number;
	/** Record times of the last hour before lastAt (for "it was busy"). */
	recent: number[];
}

interface Finding {
	severity: Severity;
	value: number;
	threshold: number;
	unit: string;
	message: string;
}

const RANK: Record<Severity, number> = {info: 0, warn: 1, crit: 2};

export function dataQuality(): Detector {
	const sources = new Map<SourceKind, SourceFold>();
	const runSource = new Map<string, SourceKind>();
	return {
		state: {sources, runSource},
		onRecord(r, ctx) {
			let s = sources.get(r.source);
			if (!s) sources.set(r.source, (s = {firstAt: r.at, lastAt: r.at, priced: 0, unpriced: 0, noUsage: 0, recent: []}));
			s.lastAt = Math.max(s.lastAt, r.at);
			s.firstAt = Math.min(s.firstAt, r.at);
			if (r.usageSource === 'unavailable') s.noUsage++;
			else if (ctx.costOf(r) === null) s.unpriced++;
			else s.priced++;
			s.recent.push(r.at);
			while (s.recent.length > 0 && s.recent[0]! < s.lastAt - minutes(60)) s.recent.shift();
			runSource.set(r.runId, r.source);
		},
		// Which source a run belongs to is read only for running runs: a kept evaluation needs none of it.
		atNowState: () => ({sources, runSource: new Map()}),
		atNow(now, ctx, data, out) {
			const p = ctx.params.dataQuality;
			const kinds = new Set<SourceKind>([...sources.keys(), ...data.sources.map((s) => s.kind)]);
			const newest = Math.max(-Infinity, ...[...sources.values()].map((s) => s.lastAt));
			for (const kind of [...kinds].sort()) {
				const fold = sources.get(kind);
				const infos = data.sources.filter((s) => s.kind === kind);
				const findings: Finding[] = [];
				const records = infos.reduce((n, s) => n + s.records, 0);
				const problems = infos.reduce((n, s) => n + s.problems, 0);
				const schema = infos.reduce((n, s) => n + (s.problemsByKind?.['schema-version'] ?? 0), 0);
				const parseShare = records + problems > 0 ? problems / (records + problems) : 0;
				if (parseShare > p.parseErrorShare) {
					findings.push({
						severity: 'warn',
						value: round(parseShare * 100),
						threshold: p.parseErrorShare * 100,
						unit: 'percent',
						message: `${kind} had ${problems} unreadable line${problems === 1 ? '' : 's'} next to ${records} record${records === 1 ? '' : 's'} read (${(parseShare * 100).toFixed(1)}%): totals may undercount; see the Problems list.`,
					});
				}
				if (schema > 0) {
					findings.push({
						severity: 'warn',
						value: schema,
						threshold: 0,
						unit: 'count',
						message: `${kind} data uses a newer schema version than burn knows (${schema} file${schema === 1 ? '' : 's'}): numbers are read best-effort; update burn.`,
					});
				}
				if (fold && data.priced) {
					const n = fold.priced + fold.unpriced;
					const share = n > 0 ? fold.unpriced / n : 0;
					if (share > p.unpricedInfo) {
						findings.push({
							severity: share > p.unpricedWarn ? 'warn' : 'info',
							value: round(share * 100),
							threshold: (share > p.unpricedWarn ? p.unpricedWarn : p.unpricedInfo) * 100,
							unit: 'percent',
							message: `${fold.unpriced} of ${n} ${kind} records have no price (${(share * 100).toFixed(1)}%): their cost is missing from the dollar totals.`,
						});
					}
				}
				if (fold && fold.noUsage > 0) {
					const n = fold.priced + fold.unpriced + fold.noUsage;
					findings.push({
						severity: 'info',
						value: fold.noUsage,
						threshold: 0,
						unit: 'count',
						message: `${fold.noUsage} of ${n} ${kind} records state no token counts (usage unavailable): their spend is unknown, not zero.`,
					});
				}
				if (fold) {
					const silentFor = now - fold.lastAt;
					const running = [...(data.runningRuns ?? [])].some((id) => runSource.get(id) === kind);
					const othersAlive = newest > fold.lastAt && now - newest < minutes(ctx.params.stall.minMinutes);
					if (silentFor > minutes(p.silentMinutes) && fold.recent.length >= p.silentMinRecords && (running || othersAlive)) {
						findings.push({
							severity: running ? 'warn' : 'info',
							value: round(silentFor / 60_000),
							threshold: p.silentMinutes,
							unit: 'minutes',
							message: `${kind} has written nothing for ${Math.round(silentFor / 60_000)} min after ${fold.recent.length} records in its last hour, while ${running ? 'a run of it is still going' : 'other sources are active'}: check that it still writes where burn looks.`,
						});
					}
				}
				if (findings.length === 0) continue;
				findings.sort((a, b) => RANK[b.severity] - RANK[a.severity]);
				const top = findings[0]!;
				const at = fold?.lastAt ?? now;
				const flag: Flag = {
					id: `data_quality:source:${kind}`,
					kind: 'data_quality',
					scope: {type: 'source', id: kind},
					severity: top.severity,
					value: top.value,
					threshold: top.threshold,
					unit: top.unit,
					baseline: null,
					firstAt: fold?.firstAt ?? at,
					lastAt: top.unit === 'minutes' ? now : at,
					message: top.message + (findings.length > 1 ? ` (+${findings.length - 1} more finding${findings.length > 2 ? 's' : ''})` : ''),
					active: true,
					evidence: findings.map((f) => ({at, text: f.message})),
				};
				out.flags.push(flag);
			}
		},
	};
}
