/**
 * Flags as text for the screen: one line each for the strip (the most severe first, the run id
 * said once, asides dropped before the sentence is cut) and whole, wrapped, with their evidence
 * for the flags view and the detail panel. Pure; every string from a file is sanitized.
 */
import {SEVERITY_RANK, type Flag, type Severity} from '../../core/flags.js';
import {truncate} from '../../core/format.js';
import {sanitize} from '../../core/sanitize.js';
import {clockTime} from './watch-rates.js';

export const SEVERITY_GLYPH: Record<Severity, string> = {info: '·', warn: '!', crit: '‼'};
const SEVERITY_WORD: Record<Severity, string> = {info: 'info', warn: 'warning', crit: 'critical'};

const len = (s: string) => Array.from(s).length;

/** Strip order: a crit is never hidden behind an older warn; the newest first within a severity. */
export function stripOrder(flags: readonly Flag[]): Flag[] {
	return [...flags].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.lastAt - a.lastAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The message without its leading `Run 3c1e0f7a… ` when the subject already names the run, so
 * the id is said once: `MT-101 3c1e0f7a is burning $0.23/min …`.
 */
export function flagSentence(flag: Flag, subject: string): {text: string; joined: boolean} {
	const message = sanitize(flag.message);
	if (flag.scope.type === 'run') {
		const m = /^Run \S+ /.exec(message);
		if (m) return {text: `${subject} ${message.slice(m[0].length)}`, joined: true};
	}
	return {text: `${subject}: ${message}`, joined: false};
}

/** Parenthesised asides (`(robust z 5.7)`) go first when a line is too long: the advice matters more. */
export function withoutAsides(text: string): string {
	return text.replace(/ \([^()]*\)/g, '');
}

/** Below this width a cut sentence keeps only who it is about: the strip says what and how much first. */
export const NARROW_STRIP = 60;

/**
 * What the flag is and its number, for a narrow strip: `‼ MT-101 3c1e0f7a: spend spike $0.230/min`;
 * the run label goes when even that does not fit (`‼ MT-101: spend spike $0.230/min`).
 */
export function flagHeadline(flag: Flag, subject: string, room: number): string {
	const origin = flag.external ? `[${sanitize(flag.external)}] ` : '';
	const what = `${sanitize(flag.kind).replace(/_/g, ' ')} ${amount(flag.value, flag.unit)}`;
	const line = (who: string) => `${SEVERITY_GLYPH[flag.severity]} ${origin}${who}: ${what}`;
	const words = subject.split(' ');
	// An issue and a run label (`MT-101 3c1e0f7a`): the issue says enough when room is short.
	const short = flag.scope.type === 'run' && words.length === 2 && words[0] !== 'run' ? words[0]! : subject;
	return len(line(subject)) <= room ? line(subject) : truncate(line(short), room);
}

/** One strip line, at most `width` columns; `more` is appended whole (`(+2 more · f)`). */
export function stripLine(flag: Flag, subject: string, width: number, more = ''): string {
	const origin = flag.external ? `[${sanitize(flag.external)}] ` : '';
	const {text} = flagSentence(flag, subject);
	const full = `${SEVERITY_GLYPH[flag.severity]} ${origin}${text}`;
	const room = Math.max(0, width - len(more));
	if (len(full) <= room) return full + more;
	if (len(withoutAsides(full)) <= room) return withoutAsides(full) + more;
	// Narrow: a sentence cut after a few words says nothing; what the flag is and its number do.
	return (width < NARROW_STRIP ? flagHeadline(flag, subject, room) : truncate(withoutAsides(full), room)) + more;
}

/**
 * The strip: the most severe flags first, one a line, the last line counting the rest. A single
 * flag with more than one line wraps its sentence over them instead of cutting it.
 */
export function stripLines(flags: readonly Flag[], subjects: ReadonlyMap<string, string>, width: number, lines: number): Array<{text: string; severity: Severity}> {
	if (lines <= 0) return [];
	const sorted = stripOrder(flags);
	const subjectOf = (f: Flag) => subjects.get(f.id) ?? sanitize(f.scope.id);
	if (sorted.length === 1 && lines > 1) {
		const f = sorted[0]!;
		const origin = f.external ? `[${sanitize(f.external)}] ` : '';
		const full = `${SEVERITY_GLYPH[f.severity]} ${origin}${flagSentence(f, subjectOf(f)).text}`;
		if (len(full) > width) {
			const wrapped = wrap(full, width, '  ');
			const text = wrapped.length <= lines ? wrapped : wrap(withoutAsides(full), width, '  ');
			const shown = text.slice(0, lines);
			if (text.length > lines) shown[lines - 1] = truncate(`${shown[lines - 1]!} ${text.slice(lines).join(' ').trimStart()}`, width);
			return shown.map((t) => ({text: t, severity: f.severity}));
		}
	}
	const shown = sorted.slice(0, lines);
	const rest = sorted.length - shown.length;
	return shown.map((f, i) => ({text: stripLine(f, subjectOf(f), width, i === shown.length - 1 && rest > 0 ? ` (+${rest} more · f)` : ''), severity: f.severity}));
}

/** Word-wraps to `width` columns; lines after the first start with `indent`. Long words are cut. */
export function wrap(text: string, width: number, indent = ''): string[] {
	const out: string[] = [];
	let line = '';
	const limit = () => Math.max(1, width - (out.length === 0 ? 0 : len(indent)));
	for (const word of text.split(/\s+/).filter(Boolean)) {
		let w = word;
		while (len(w) > limit() && line === '') {
			const chars = Array.from(w);
			const n = limit();
			out.push((out.length === 0 ? '' : indent) + chars.slice(0, n).join(''));
			w = chars.slice(n).join('');
		}
		if (w === '') continue;
		const next = line === '' ? w : `${line} ${w}`;
		if (len(next) <= limit()) line = next;
		else {
			out.push((out.length === 0 ? '' : indent) + line);
			line = w;
		}
	}
	if (line !== '') out.push((out.length === 0 ? '' : indent) + line);
	return out.map((l) => truncate(l, width));
}

export interface TextLine {
	text: string;
	role: 'heading' | 'plain' | 'dim' | Severity;
}

function amount(v: number, unit: string): string {
	if (unit === 'usd') return `$${v.toFixed(2)}`;
	if (unit === 'usd/min') return `$${v.toFixed(v < 1 ? 3 : 2)}/min`;
	if (unit === 'percent') return `${Math.round(v)}%`;
	if (unit === 'minutes') return `${Math.round(v)} min`;
	if (unit === 'ratio') return `${Number(v.toPrecision(2))}×`;
	if (unit === 'count') return String(Number(v.toPrecision(3)));
	return `${Number(v.toPrecision(3))} ${unit}`;
}

/** A flag whole: what, who and when; the full sentence; the numbers behind it; its evidence. */
export function flagDetailLines(flag: Flag, subject: string, width: number): TextLine[] {
	const out: TextLine[] = [];
	const origin = flag.external ? ` · from ${sanitize(flag.external)}` : '';
	const when = flag.firstAt === flag.lastAt ? clockTime(flag.firstAt) : `${clockTime(flag.firstAt)}–${clockTime(flag.lastAt)}`;
	const head = `${SEVERITY_GLYPH[flag.severity]} ${SEVERITY_WORD[flag.severity]} · ${sanitize(flag.kind)} · ${subject} · ${when}${origin}${flag.active === false ? ' · cleared' : ''}`;
	out.push({text: truncate(head, width), role: flag.severity});
	for (const l of wrap(flagSentence(flag, subject).text, width - 2)) out.push({text: `  ${l}`, role: 'plain'});
	if (!flag.external) {
		const base = flag.baseline?.median !== undefined ? ` · usual ${amount(flag.baseline.median, flag.unit)}${flag.baseline.window ? ` (${sanitize(flag.baseline.window)}${flag.baseline.n !== undefined ? `, ${flag.baseline.n} samples` : ''})` : ''}` : '';
		const rate = flag.unit === 'usd/min' || flag.unit === 'tokens/min' ? ' (the rule’s smoothed rate, 2-min half-life)' : '';
		for (const l of wrap(`value ${amount(flag.value, flag.unit)}${rate} · threshold ${amount(flag.threshold, flag.unit)}${base}${flag.fired && flag.fired > 1 ? ` · fired ${flag.fired}×` : ''}`, width - 2)) out.push({text: `  ${l}`, role: 'dim'});
	}
	for (const e of flag.evidence ?? []) {
		for (const l of wrap(`${clockTime(e.at, true)} ${sanitize(e.text)}`, width - 4, '  ')) out.push({text: `  ${l}`, role: 'dim'});
	}
	return out;
}

/** Every flag whole, most severe first, a blank line between. */
export function flagsViewLines(flags: readonly Flag[], subjects: ReadonlyMap<string, string>, width: number): TextLine[] {
	if (flags.length === 0) return [{text: 'No live flags: nothing unusual in the last 10 minutes of evidence.', role: 'dim'}];
	const out: TextLine[] = [];
	stripOrder(flags).forEach((f, i) => {
		if (i > 0) out.push({text: '', role: 'plain'});
		out.push(...flagDetailLines(f, subjects.get(f.id) ?? sanitize(f.scope.id), width));
	});
	return out;
}
