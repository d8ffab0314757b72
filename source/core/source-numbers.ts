/**
 * What one source root holds, as the engine counts it: the one shape for per-source numbers.
 * `burn.summary/1`'s `sources`, `burn.sources/1`'s roots, the watch header and the data-quality
 * rule all take theirs from it.
 */
import type {SourceKind} from './record.js';

export interface SourceNumbers {
	kind: SourceKind;
	path: string;
	/** How the root was found: a flag, an env var, or `default`. */
	via: string;
	/** Named by a flag or env var (vs a default location). */
	explicit: boolean;
	/** Files present (deleted ones not counted). */
	files: number;
	/** Records read, before dedup (deleted files' records included: the money was spent). */
	records: number;
	/** Problems in its files, an incomplete last line included. */
	problems: number;
	/** Bytes of its line files read (decompressed for `.gz`); whole-file sources add none. */
	bytes: number;
	/** Epoch ms of the last change seen, or null. */
	lastChangeAt: number | null;
}
