/** burn's config directory: `$XDG_CONFIG_HOME/burn`, else `~/.config/burn` (its own file: the statusline loads it without the sheet parser). */
import {homedir} from 'node:os';
import {join} from 'node:path';

export function configDir(env: NodeJS.ProcessEnv): string {
	const xdg = env.XDG_CONFIG_HOME?.trim();
	return join(xdg ? xdg : join(env.HOME || homedir(), '.config'), 'burn');
}
