// ESLint flat config. Rules that the tree already passes; no formatting rules (a style rule that
// would touch hundreds of lines stays off, so merges stay small). Import walls and cycles are
// dependency-cruiser's job (.dependency-cruiser.cjs), which resolves `.js` suffixes to `.ts`.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
	{ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/corpus/**']},
	js.configs.recommended,
	...tseslint.configs.recommended,
	{
		files: ['**/*.{ts,tsx}'],
		plugins: {'react-hooks': reactHooks},
		rules: {
			'react-hooks/rules-of-hooks': 'error',
			'react-hooks/exhaustive-deps': 'warn',
		},
	},
	{
		rules: {
			// `_` marks a value left out on purpose (destructuring, callback positions).
			'@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none'}],
			// `LineSource<any>` is the existential "some state" position; `unknown` breaks variance there.
			'@typescript-eslint/no-explicit-any': 'off',
			// Sanitizers and parsers match control characters on purpose.
			'no-control-regex': 'off',
			// A best-effort clean-up may ignore its own failure.
			'no-empty': ['error', {allowEmptyCatch: true}],
			// New in ESLint 10; flags the `let x = initial; x = await poll()` pattern the tests use.
			'no-useless-assignment': 'off',
		},
	},
	{
		// zod loads on first use (source/core/zod.ts): a value import would load its ~95 modules at
		// every start, also for a warm summary that validates nothing. Types are free.
		files: ['source/**/*.{ts,tsx}'],
		ignores: ['source/core/zod.ts'],
		rules: {
			'@typescript-eslint/no-restricted-imports': ['error', {paths: [{name: 'zod', message: 'Build schemas with lazySchema from core/zod.ts (zod loads on first use).', allowTypeImports: true}]}],
		},
	},
	{
		files: ['**/*.{js,mjs,cjs}'],
		languageOptions: {globals: {process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', performance: 'readonly', module: 'writable', require: 'readonly', __dirname: 'readonly'}},
	},
);
