/**
 * YAML parsing with the `yaml` package loaded on first use: most runs read no YAML file (no
 * price sheet, no flags config), and loading it costs ~70 modules at every start. Synchronous,
 * like the parsers that call it (the package is CommonJS for Node either way).
 */
import {createRequire} from 'node:module';

const load = createRequire(import.meta.url);
let yaml: typeof import('yaml') | null = null;

export function parseYaml(text: string): unknown {
	yaml ??= load('yaml') as typeof import('yaml');
	return yaml.parse(text);
}
