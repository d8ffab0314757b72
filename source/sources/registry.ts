/**
 * Every source burn reads, in reading order. Add a source here and discovery, `summary`,
 * `sources` and the live engine pick it up.
 */
import {bosunDefinition} from './bosun-definition.js';
import {claudeDefinition} from './claude-definition.js';
import {codexDefinition} from './codex-definition.js';
import {geminiDefinition} from './gemini-definition.js';
import {opencodeDefinition} from './opencode-definition.js';
import {instrumentationDefinition} from './instrumentation-definition.js';
import {symphonyDefinition} from './symphony-definition.js';
import type {SourceDefinition} from './types.js';

export const SOURCES: readonly SourceDefinition[] = [symphonyDefinition, claudeDefinition, codexDefinition, opencodeDefinition, geminiDefinition, bosunDefinition, instrumentationDefinition];

export function sourceDefinition(kind: SourceDefinition['kind']): SourceDefinition | undefined {
	return SOURCES.find((s) => s.kind === kind);
}
