import type {Flag} from '../core/flags.js';
import type {ActivityEvent, SourceKind, UsageRecord} from '../core/record.js';
import type {Problem} from '../core/problems.js';

/**
 * Where a chunk of bytes sits in its file. A resumable source is handed the bytes from the last
 * committed offset and consumes only complete lines (house style: sources are resumable).
 */
export interface ChunkPosition {
	path: string;
	/** Byte offset of `chunk[0]` in the (decompressed) file. */
	offset: number;
	/** 1-based line number of the first line in the chunk. */
	line: number;
}

export interface ParseResult<S> {
	records: UsageRecord[];
	events: ActivityEvent[];
	problems: Problem[];
	/** Bytes of complete lines consumed; the rest waits for its newline. */
	consumedBytes: number;
	consumedLines: number;
	state: S;
}

/** An append-only, line-based source: `(bytes, resumeState) → { records, consumedBytes, resumeState }`. */
export interface LineSource<S = unknown> {
	kind: SourceKind;
	/** Bump when parsing changes, so a persistent index re-reads only the affected files. */
	parserVersion: number;
	initialState(path: string): S;
	/** `chunk` is the reader's buffer, reused once `parse` returns: copy any bytes kept past it. */
	parse(chunk: Buffer, state: S, at: ChunkPosition): ParseResult<S>;
}

/** Where a source looks, and whether the user named the place. */
export interface SourceRoot {
	kind: SourceKind;
	path: string;
	/** Named by a flag or env var (vs a default location). */
	explicit: boolean;
	/** How the root was found, for `burn sources` and "nothing found" messages. */
	via: string;
}

/** The outcome of reading a whole-file source once. */
export interface DocumentResult {
	records: UsageRecord[];
	events: ActivityEvent[];
	problems: Problem[];
	/** Flags another tool raised (bosun's alerts, `external`), shown beside burn's own. */
	flags?: Flag[];
}

/**
 * A source that is re-read whole when its file changes: JSON documents (Gemini ≤ v0.38 chats,
 * OpenCode legacy storage) and SQLite databases (OpenCode). The engine retracts the file's
 * previous records and counts the new read.
 */
export interface DocumentSource {
	kind: SourceKind;
	parserVersion: number;
	read(path: string): Promise<DocumentResult>;
}

/**
 * A line file that can only be judged whole (bosun's stream: an attempt's readings decide how it
 * counts). Ingest reads it with its one line reader, hands every complete line to `parse` (which
 * collects into the state and returns no records), then asks `finish` for the result. Like a
 * document, it is re-read whole when it changes.
 */
export interface WholeLineSource<S = unknown> {
	kind: SourceKind;
	parserVersion: number;
	initialState(path: string): S;
	/** `chunk` is the reader's buffer, reused once `parse` returns: copy any bytes kept past it. */
	parse(chunk: Buffer, state: S, at: ChunkPosition): ParseResult<S>;
	/** `line`: the line number after the last complete line; `tailBytes`: an unfinished last line. */
	finish(state: S, end: {path: string; line: number; tailBytes: number}): DocumentResult;
}

export type FileReader =
	| {type: 'lines'; source: LineSource<any>}
	| {type: 'document'; source: DocumentSource}
	| {type: 'whole-lines'; source: WholeLineSource<any>};

/** What discovery needs to know: the user's flags, environment, home and working directory. */
export interface LocateContext {
	cwd: string;
	home: string;
	env: NodeJS.ProcessEnv;
	/** Source flag values by flag name (`usage`, `claudeDir`, …), already split. */
	flags: Record<string, string[]>;
	exists(path: string): boolean;
}

/**
 * One kind of source: where it looks and how each file is read. Registered in
 * `sources/registry.ts`; discovery and the engine are generic over these.
 */
export interface SourceDefinition {
	kind: SourceKind;
	/** Human name for `burn sources` and messages. */
	label: string;
	/** The flag(s) that name this source's roots; any of them set turns default discovery off. */
	flagNames: readonly string[];
	/** Roots named by flags (explicit) or, when no source flag is set at all, the default ones. */
	roots(ctx: LocateContext, mode: 'explicit' | 'default'): SourceRoot[];
	/** Whether discovery descends into subdirectories of a root. */
	recursive: boolean;
	/**
	 * Whether its files can state a record's issue (usage.jsonl's `issueIdentifier`, bosun's task
	 * id). A transcript knows its workspace only: its records' issues come from the workspace
	 * (ingest/record-attribution.ts), which is what lets the engine set them in place.
	 */
	statesIssues: boolean;
	/** Does a file (path relative to its root, `/`-separated) belong to this source? */
	matches(relPath: string): boolean;
	readerFor(path: string): FileReader;
}
