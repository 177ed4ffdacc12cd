// typescript-eslint at its strictest type-aware presets, over every workspace.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/coverage/**',
      '**/*.js',
      '**/*.cjs',
      '!api/public/**/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: [
            'vitest.config.ts',
            'fabric-client/vitest.config.ts',
            'ccaas/vitest.config.ts',
            'operator/vitest.config.ts',
            'api/vitest.config.ts',
            'cluster/vitest.config.ts',
          ],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // STYLE.md: no `!` on data from outside; prefer a check with a message.
      '@typescript-eslint/non-nullable-type-assertion-style': 'off',
      '@typescript-eslint/no-non-null-assertion': 'error',
      // `const { secret: _secret, ...rest } = body` drops a field on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { ignoreRestSiblings: true, varsIgnorePattern: '^_', argsIgnorePattern: '^_' },
      ],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  {
    // The web wallet's script runs in the browser as plain JavaScript (no build step).
    files: ['api/public/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'document',
          'window',
          'fetch',
          'sessionStorage',
          'crypto',
          'FormData',
          'URL',
          'URLSearchParams',
          'console',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    // @kubernetes/client-node's generated models (V1PersistentVolume ...) are classes with no
    // behaviour; the library takes plain objects for them, as its own examples do.
    files: ['cluster/**/*.ts', 'operator/**/*.ts', 'tests/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-class-instance-assignment': 'off' },
  },
  {
    // Tests and scripts talk to the terminal on purpose.
    files: ['tests/**/*.ts', '**/*.test.ts', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
