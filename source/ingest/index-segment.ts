/**
 * One body of the persistent index: the entries of some files (in practice one file per
 * segment, so an append rewrites only that file's segment) and their records' columns.
 *
 * Layout: `json` bytes of JSON (files, string and value tables, the columns' forms, the keys'
 * suffixes), padding to 8 bytes, and the records' typed-array columns (record-codec.ts). Version 3
 * (one `index.json`) and 4 wrote every column at full width and whole keys; they still load
 * (their gone files' history with them).
 */
import {createHash} from 'node:crypto';
import {ProblemLog, type ProblemLogJson} from '../core/problems.js';
import type {ActivityEvent, UsageRecord} from '../core/record.js';
import {MAX_PROBLEMS_PER_FILE, type FileIdentity, type TrackerSnapshot} from './file-tracker.js';
import {ColumnWriter, legacyColumnBytes, legacyColumns} from './record-codec.js';
import {ColumnReader} from './record-reader.js';

export interface FileEntryJson {
	path: string;
	parser: string;
	id: [number, number, number, number, number | null, number | null];
	offset: number;
	line: number;
	state: unknown;
	fp: string | null;
	tail: number;
	/** Records of this file: the next `records` rows of the columns. */
	records: number;
	/** Parsed records folded away (superseded versions within the file). */
	folded: number;
	/** Earliest and latest time of every record parsed (folded versions included); null: none. */
	span: [number, number] | null;
	events: ActivityEvent[];
	problems: ProblemLogJson;
	/** The file was gone from disk when the index was written. */
	gone?: true;
}

interface BodyJson {
	strings: string[];
	/** Meta, quota and unknown-field objects, each stored once. */
	values: unknown[];
	/** Every record's key after the prefix it shares with the previous key (version 3 and 4: whole keys), in file order. */
	keys: string[];
	/** How each column is stored (record-codec.ts; absent before version 5: the fixed layout). */
	columns?: unknown;
	files: FileEntryJson[];
}

/** A decoded body: its entries, each with the first row of its records in `columns`. */
export interface DecodedBody {
	files: Array<{f: FileEntryJson; first: number}>;
	columns: ColumnReader;
}

/** An encoded body: its parts as they are written, their length and SHA-1. */
export interface EncodedBody {
	parts: Buffer[];
	/** Bytes of JSON before the padding and columns. */
	json: number;
	bytes: number;
	sha1: string;
}

export function encodeBody(snapshots: Iterable<TrackerSnapshot>): EncodedBody {
	const columns = new ColumnWriter();
	const files: FileEntryJson[] = [];
	for (const s of snapshots) {
		const id = s.identity;
		// Folded already: the tracker folds its records after every read (and restored ones were
		// folded when written), so a second pass over every key here would change nothing.
		const kept = s.records;
		for (const r of kept) columns.add(r, s.path);
		files.push({
			path: s.path,
			parser: s.parser,
			id: [id.dev, id.ino, id.size, id.mtimeMs, id.walSize ?? null, id.walMtimeMs ?? null],
			offset: s.offset,
			line: s.line,
			state: s.state,
			fp: s.fingerprint,
			tail: s.tailBytes,
			records: kept.length,
			folded: s.folded,
			span: s.span ? [s.span.from, s.span.to] : null,
			events: s.events,
			problems: s.problems.toJson(),
			...(s.gone ? {gone: true as const} : {}),
		});
	}
	const {specs, suffixes, binary} = columns.encode();
	// The values are already JSON (their interning keys): joined as they are, the same bytes as
	// stringifying the whole body, without serialising every meta object a second time.
	const json = Buffer.from(
		`{"strings":${JSON.stringify(columns.strings.items)},"values":[${columns.values.keys.join(',')}],"columns":${JSON.stringify(specs)},"keys":${JSON.stringify(suffixes)},"files":${JSON.stringify(files)}}`,
	);
	// The parts are hashed and written as they are (no concatenated copies of a large body).
	const parts = [json, Buffer.alloc(pad8(json.length) - json.length, 0x20), binary];
	const hash = createHash('sha1');
	for (const b of parts) hash.update(b);
	return {parts, json: json.length, bytes: parts.reduce((n, b) => n + b.length, 0), sha1: hash.digest('hex')};
}

/**
 * Decodes a body (8-byte aligned in its buffer: the columns are views, not copies); throws when
 * malformed. `legacy`: written by version 3 or 4 (every column at full width, whole keys).
 */
export function decodeBody(body: Buffer, jsonBytes: unknown, legacy = false): DecodedBody {
	if (typeof jsonBytes !== 'number' || jsonBytes > body.length) throw new Error('bad header');
	const parsed = JSON.parse(body.toString('utf8', 0, jsonBytes)) as BodyJson;
	if (!Array.isArray(parsed?.strings) || !Array.isArray(parsed.values) || !Array.isArray(parsed.keys) || !Array.isArray(parsed.files)) {
		throw new Error('bad body');
	}
	const files: DecodedBody['files'] = [];
	let n = 0;
	for (const f of parsed.files) {
		if (typeof f.path !== 'string' || typeof f.parser !== 'string' || !Array.isArray(f.id) || !Number.isInteger(f.records) || f.records < 0) {
			throw new Error('bad entry');
		}
		files.push({f, first: n});
		n += f.records;
	}
	const binary = body.subarray(pad8(jsonBytes));
	if (legacy && binary.length !== legacyColumnBytes(n)) throw new Error('bad columns');
	return {files, columns: new ColumnReader(n, binary, legacy ? legacyColumns(n) : parsed.columns, parsed.keys, parsed.strings, parsed.values)};
}

/** One entry as a tracker restores it, its records decoded from the columns. */
export function decodeEntry(f: FileEntryJson, first: number, columns: ColumnReader, parser: string): TrackerSnapshot {
	const path = f.path;
	// push, not `new Array(n)`: a large preallocated array starts in V8's slow dictionary mode.
	const records: UsageRecord[] = [];
	for (let j = 0; j < f.records; j++) records.push(columns.record(first + j, path));
	const [dev, ino, size, mtimeMs, walSize, walMtimeMs] = f.id;
	const identity: FileIdentity = {dev, ino, size, mtimeMs};
	if (walSize !== null) identity.walSize = walSize;
	if (walMtimeMs !== null) identity.walMtimeMs = walMtimeMs;
	return {
		path,
		parser,
		identity,
		offset: f.offset,
		line: f.line,
		state: f.state,
		fingerprint: f.fp,
		tailBytes: f.tail,
		records,
		folded: typeof f.folded === 'number' ? f.folded : 0,
		span: Array.isArray(f.span) ? {from: f.span[0], to: f.span[1]} : null,
		events: f.events,
		problems: ProblemLog.fromJson(f.problems, MAX_PROBLEMS_PER_FILE),
		...(f.gone === true ? {gone: true} : {}),
	};
}

export function pad8(n: number): number {
	return Math.ceil(n / 8) * 8;
}
