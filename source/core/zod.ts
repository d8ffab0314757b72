/**
 * zod, loaded when a schema is first used. zod 4's ESM build is ~95 modules (~100 ms of a warm
 * `summary --once` that validates nothing); a run that parses no new line or sheet should not pay
 * for it. `require` is synchronous, so a schema is still built where it is first needed, and every
 * schema comes from this one (CommonJS) copy of zod.
 */
import {createRequire} from 'node:module';
import type * as Zod from 'zod';

const requireZod = createRequire(import.meta.url);
let loaded: typeof Zod.z | undefined;

/** The `z` namespace, loaded on the first call. */
export function zod(): typeof Zod.z {
	return (loaded ??= (requireZod('zod') as typeof Zod).z);
}

/** A schema (or anything built from `z`) made on first use and kept. */
export function lazySchema<T>(build: (z: typeof Zod.z) => T): () => T {
	let made: T | undefined;
	return () => (made ??= build(zod()));
}
