// ESLint (flat config): @eslint/js recommended + typescript-eslint recommended (syntax only, not
// type-checked, so `npm run lint` stays fast; `tsc --noEmit` does the type checking).
// Formatting is Prettier's job (`.prettierrc.json`); nothing here is about layout.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** What a workflow may not import (at run time): workflow code runs in Temporal's deterministic sandbox. */
const NOT_IN_WORKFLOWS = 'workflow code runs in the deterministic sandbox: do I/O in an activity (type-only imports are fine)';

export default tseslint.config(
  {
    ignores: ['dist/', 'node_modules/', 'chaos/results/', 'bench/results/', 'test/screenshots/', '.data/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_`-prefixed names are the project's way to say "unused on purpose" (tsc's noUnused* already checks the rest).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Workflow code: no Node built-ins, no I/O clients, no activity/client/worker SDKs.
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['fs', 'path', 'crypto', 'pg', 'openai', '@temporalio/activity', '@temporalio/client', '@temporalio/worker'].map((name) => ({
            name,
            message: NOT_IN_WORKFLOWS,
            allowTypeImports: true,
          })),
          patterns: [
            {
              group: ['node:*', 'fs/*', 'path/*', 'crypto/*', 'pg/*', 'openai/*', '@temporalio/activity/*', '@temporalio/client/*', '@temporalio/worker/*'],
              message: NOT_IN_WORKFLOWS,
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    // CommonJS: bin/, the Jest configs and reporter.
    files: ['**/*.js'],
    ignores: ['web/**'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: {
      // These files are CommonJS; require() is how they load modules.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: { ...globals.node } },
  },
  {
    // The chat page: plain browser JavaScript, loaded as a classic script.
    files: ['web/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser } },
  },
);
