/**
 * What the engine does to a record before it counts (ingest/engine.ts's sink): the provider gets
 * its one name (core/provider.ts) and a record with no issue gets its workspace's, matched by the
 * issue patterns once per workspace (core/attribution.ts).
 *
 * Trackers already give records they read the provider's one name (file-tracker.ts), so only
 * records restored from an older index are copied for it. An issue found from the workspace is
 * set on the tracker's record itself (a copy per transcript record was a second record object
 * held for the whole read); the index keeps records as read, so the tracker writes those through
 * `asRead` (no issue), and the next read finds it again with the patterns of that run.
 */
import {issueFromWorkspace} from '../core/attribution.js';
import {canonicalProvider} from '../core/provider.js';
import type {UsageRecord} from '../core/record.js';

export class RecordAttribution {
	private readonly issues = new Map<string, string | null>();
	private readonly fromWorkspace = new WeakSet<UsageRecord>();
	// Records come in runs of one provider: its one name is looked up once per run.
	private lastProvider: string | null = null;
	private lastCanonical: string | null = null;

	constructor(private readonly patterns: readonly RegExp[]) {}

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
		r.issue = issue;
		if (r === read) this.fromWorkspace.add(read);
		return r;
	}

	/** The record as its file says (for the index): without an issue `attribute` set in place. */
	asRead(r: UsageRecord): UsageRecord {
		return this.fromWorkspace.has(r) ? {...r, issue: null} : r;
	}
}
