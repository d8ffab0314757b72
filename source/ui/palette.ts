/**
 * The one semantic palette: components ask for a role ("warn", "chart", "paused"), never a colour.
 * `NO_COLOR` (https://no-color.org: set and not empty) drops every colour but keeps bold, dim and
 * inverse, so the selection and emphasis stay visible; glyphs (· ! ‼, ● ◐ ○) carry the meaning.
 */
import {createContext, useContext} from 'react';
import type {Severity} from '../core/flags.js';
import type {FidelityMark} from './view/watch-model.js';

export interface TextStyle {
	color?: string;
	bold?: boolean;
	dimColor?: boolean;
}

/** The only colour literals in the UI. */
const COLOURS = {brand: 'red', accent: 'cyan', good: 'green', caution: 'yellow', bad: 'red', note: 'blue', quiet: 'gray'} as const;

const ROLES = {
	/** The app's name in the header. */
	title: {bold: true, color: COLOURS.brand},
	crumb: {bold: true},
	live: {color: COLOURS.good},
	paused: {bold: true, color: COLOURS.caution},
	/** The headline number (spend rate). */
	rate: {bold: true, color: COLOURS.accent},
	heading: {bold: true, color: COLOURS.accent},
	/** The filter prompt. */
	prompt: {color: COLOURS.accent},
	chart: {color: COLOURS.accent},
	dim: {dimColor: true},
	plain: {},
	strong: {bold: true},
	warning: {color: COLOURS.caution},
	problem: {color: COLOURS.bad},
	'severity.info': {color: COLOURS.note},
	'severity.warn': {color: COLOURS.caution},
	'severity.crit': {color: COLOURS.bad},
	'fidelity.measured': {color: COLOURS.good},
	'fidelity.partial': {color: COLOURS.caution},
	'fidelity.unknown': {color: COLOURS.quiet},
} as const satisfies Record<string, TextStyle>;

export type Role = keyof typeof ROLES;

export interface Palette {
	readonly colour: boolean;
	style(role: Role): TextStyle;
}

function makePalette(colour: boolean): Palette {
	const styles = {} as Record<Role, TextStyle>;
	for (const [role, style] of Object.entries(ROLES) as Array<[Role, TextStyle]>) {
		const {color, ...rest} = style;
		styles[role] = colour || color === undefined ? {...style} : {...rest};
	}
	return {colour, style: (role) => styles[role]};
}

export const COLOUR_PALETTE: Palette = makePalette(true);
export const PLAIN_PALETTE: Palette = makePalette(false);

/** `NO_COLOR` set to anything but the empty string turns colour off. */
export function paletteFor(env: NodeJS.ProcessEnv): Palette {
	return env.NO_COLOR !== undefined && env.NO_COLOR !== '' ? PLAIN_PALETTE : COLOUR_PALETTE;
}

export const severityRole = (s: Severity): Role => `severity.${s}`;
export const fidelityRole = (f: FidelityMark): Role => `fidelity.${f}`;

export const PaletteContext = createContext<Palette>(COLOUR_PALETTE);

export function usePalette(): Palette {
	return useContext(PaletteContext);
}
