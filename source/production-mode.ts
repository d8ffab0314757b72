/**
 * Imported first by the entry point, before anything loads react or ink (ESM evaluates imports
 * in order, so this runs before the commands' imports): React and Ink pick their production
 * builds from NODE_ENV, and their development builds are several times slower. A NODE_ENV left
 * over from the user's shell must not make the tool slow; only a test run keeps its own.
 */
if (process.env.NODE_ENV !== 'test') process.env.NODE_ENV = 'production';

export {};
