import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'examples/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
      'no-restricted-imports': 'off',
    },
  },
  {
    // Spreading an array into a call passes each element as an argument: past ~100,000 (a long log,
    // a large table) V8 throws. Use appendAll / maxOf / minOf (src/shared/arrays.ts; the webview
    // bundle imports it too). Issue 17.
    files: ['src/**/*.ts', 'webview/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/^(push|unshift|splice)$/] > SpreadElement',
          message: 'push(...items) throws on long arrays: use appendAll(target, items) from src/shared/arrays.ts',
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name=/^(max|min)$/] > SpreadElement",
          message: 'Math.max/min(...values) throws on long arrays: use maxOf/minOf from src/shared/arrays.ts',
        },
        {
          selector: 'CallExpression[callee.property.name=/^(fromCharCode|fromCodePoint)$/] > SpreadElement',
          message: 'String.fromCharCode(...codes) throws on long arrays: decode with Buffer or TextDecoder',
        },
      ],
    },
  },
  {
    // The core and the shared protocol run in the host, the worker, the CLI and tests: no vscode.
    files: ['src/core/**/*.ts', 'src/shared/**/*.ts', 'src/worker/**/*.ts', 'src/cli.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: ['vscode'] }] },
  },
);
