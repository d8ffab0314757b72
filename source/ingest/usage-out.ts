/**
 * The file `burn backfill` writes: what is already in it (so a rerun appends only what is new),
 * repair of a half-written last line (an interrupted run), and batched appends with one fsync.
 */
import {closeSync, existsSync, fsyncSync, ftruncateSync, openSync, statSync, writeSync} from 'node:fs';
import {specFingerprint} from '../core/usage-writer.js';
import {forEachCompleteLine, isBlank, parseJsonLine} from '../sources/lines.js';
import type {LineSource} from '../sources/types.js';
import {readLineFile} from './line-reader.js';

export interface ExistingRun {
	maxTurn: number;
	/** Fingerprint → how many written records have it. */
	fingerprints: Map<string, number>;
}

export interface ExistingOutput {
	runs: Map<string, ExistingRun>;
	records: number;
	/** Lines that are not usable records (left as they are; `burn validate` names them). */
	unreadable: number;
	/** Bytes of an incomplete last line that were cut off (0 when the file ended cleanly). */
	repairedBytes: number;
}

/** Reads what `path` holds and cuts off a trailing line without its LF, so appends start clean. */
export async function prepareOutput(path: string): Promise<ExistingOutput> {
	const out: ExistingOutput = {runs: new Map(), records: 0, unreadable: 0, repairedBytes: 0};
	if (!existsSync(path)) return out;
	const reader: LineSource<null> = {
		kind: 'symphony',
		parserVersion: 1,
		initialState: () => null,
		parse(chunk, state) {
			const {consumedBytes, consumedLines} = forEachCompleteLine(chunk, (start, end) => {
				if (isBlank(chunk, start, end)) return;
				const parsed = parseJsonLine(chunk, start, end);
				const v = parsed.ok ? (parsed.value as Record<string, unknown> | null) : null;
				if (!v || typeof v !== 'object' || typeof v.runID !== 'string' || typeof v.turn !== 'number' || typeof v.endedAt !== 'string') {
					out.unreadable++;
					return;
				}
				out.records++;
				let run = out.runs.get(v.runID);
				if (!run) out.runs.set(v.runID, (run = {maxTurn: 0, fingerprints: new Map()}));
				run.maxTurn = Math.max(run.maxTurn, v.turn);
				const fp = specFingerprint({
					endedAt: v.endedAt,
					model: String(v.model),
					inputTokens: (v.inputTokens as number | null | undefined) ?? null,
					outputTokens: (v.outputTokens as number | null | undefined) ?? null,
					totalTokens: (v.totalTokens as number | null | undefined) ?? null,
				});
				run.fingerprints.set(fp, (run.fingerprints.get(fp) ?? 0) + 1);
			});
			return {records: [], events: [], problems: [], consumedBytes, consumedLines, state};
		},
	};
	const read = await readLineFile(path, reader, null, () => {});
	if (read.tailBytes > 0) {
		const size = statSync(path).size;
		const fd = openSync(path, 'r+');
		try {
			ftruncateSync(fd, size - read.tailBytes);
			fsyncSync(fd);
		} finally {
			closeSync(fd);
		}
		out.repairedBytes = read.tailBytes;
	}
	return out;
}

/** Appends lines in batches (one write each) and fsyncs once at the end. */
export class UsageAppender {
	private readonly fd: number;
	private pending: string[] = [];
	written = 0;

	constructor(
		path: string,
		private readonly batchSize = 1000,
	) {
		this.fd = openSync(path, 'a');
	}

	add(record: object): void {
		this.pending.push(JSON.stringify(record));
		if (this.pending.length >= this.batchSize) this.flush();
	}

	flush(): void {
		if (this.pending.length === 0) return;
		const buf = Buffer.from(this.pending.join('\n') + '\n', 'utf8');
		let off = 0;
		while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
		this.written += this.pending.length;
		this.pending = [];
	}

	close(): void {
		try {
			this.flush();
			fsyncSync(this.fd);
		} finally {
			closeSync(this.fd);
		}
	}
}
