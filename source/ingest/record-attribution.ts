/**
 * What the engine does to a record before it counts (ingest/engine.ts's sink): the provider gets
 * its one name (core/provider.ts) and a record with no issue gets its workspace's, matched by the
 * issue patterns once per workspace (core/attribution.ts).
 *
 * Trackers already give records they read the provider's one name (file-tracker.ts), so only
 * records restored from an older index are copied for it. The index keeps records as read: the
 * tracker writes them through `asRead`, and the next read finds the workspace's issue again with
 * the patterns of that run. A source whose files never state an issue (a transcript:
 * `SourceDefinition.statesIssues`) gets it set on the tracker's record itself (a copy per
 * transcript record was a second record object held for the whole read), and `asRead` drops any
 * issue such a record has; a record of a source that states issues gets a copy (rare: a
 * usage.jsonl line without its issue). No note of which record was changed is kept (a WeakSet
 * entry per transcript record was ~0.1 s of a cold x1 read, with its GC).
 */
import {issueFromWorkspace} from '../core/attribution.js';
import {canonicalProvider} from '../core/provider.js';
import type {SourceKind, UsageRecord} from '../core/record.js';
import type {SourceDefinition} from '../sources/types.js';

export class RecordAttribution {
	private readonly issues = new Map<string, string | null>();
	/** Sources whose files never state an issue (`statesIssues: false`). */
	private readonly issueless: ReadonlySet<SourceKind>;
	// Records come in runs of one provider: its one name is looked up once per run.
	private lastProvider: string | null = null;
	private lastCanonical: string | null = null;

	constructor(
		private readonly patterns: readonly RegExp[],
		sources: readonly Pick<SourceDefinition, 'kind' | 'statesIssues'>[],
	) {
		this.issueless = new Set(sources.filter((s) => !s.statesIssues).map((s) => s.kind));
	}

	/** The record as it counts: the tracker's own (issue set in place) or, for an older index's provider name, a copy. */
	attribute(read: UsageRecord): UsageRecord {
		if (read.provider !== this.lastProvider) {
			this.lastProvider = read.provider;
			this.lastCanonical = canonicalProvider(read.provider);
		}
		const provider = this.lastCanonical;
		const r = provider === read.provider ? read : {...read, provider};
		if (r.issue !== null || !r.workspace) return r;
		let issue = this.issues.get(r.workspace);
		if (issue === undefined) this.issues.set(r.workspace, (issue = issueFromWorkspace(r.workspace, this.patterns)));
		if (issue === null) return r;
		if (r !== read || this.issueless.has(r.source)) {
			r.issue = issue;
			return r;
		}
		return {...r, issue};
	}

	/** The record as its file says (for the index): without an issue `attribute` set in place. */
	asRead(r: UsageRecord): UsageRecord {
		return r.issue !== null && this.issueless.has(r.source) ? {...r, issue: null} : r;
	}
}
