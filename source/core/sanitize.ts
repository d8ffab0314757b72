/**
 * Strings from files never reach the terminal raw (house style, Ink rule 9): escape sequences and
 * control characters are removed, so a model name like `x\x1b[2J` cannot clear the screen.
 */
// CSI / OSC / other ESC sequences, then any remaining C0/C1 control character.
const ESCAPES = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])|\u009b[0-?]*[ -/]*[@-~]/g;
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

export function sanitize(text: string): string {
	return text.replace(ESCAPES, '').replace(CONTROLS, '');
}
