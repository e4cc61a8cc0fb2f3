// Type-aware rules are left out on purpose: they double lint time on this 2-core machine,
// and `tsc` already type-checks every project in its build target.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'libs/contracts/src/gen/**', '.nx/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain Node scripts (tools/dev, deploy) are not TypeScript; give them Node's globals.
    files: ['**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: {
        ...Object.fromEntries(['process', 'console', 'fetch', 'require', '__dirname', 'Buffer', 'URL', 'setTimeout', 'clearTimeout'].map((name) => [name, 'readonly'])),
        module: 'writable',
      },
    },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
