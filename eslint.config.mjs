// Lint for every TypeScript and JavaScript file of the project: eslint's and typescript-eslint's recommended
// rules. Not the type-aware set: it needs the whole program built and took about four times as long here
// (docs/architecture.md, "Lint").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.data/', '.package/', 'coverage/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      // As tsc's noUnusedLocals/noUnusedParameters: `_` marks a name kept for its position (a parameter, a loop's counted item), and
      // destructuring with a rest is how an object is copied without some of its properties.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // CommonJS scripts (jest's config and helpers that node loads with -r or runs as child processes, the azd hook).
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The web console's ES modules run in the browser.
    files: ['shared/console/static/**/*.js'],
    languageOptions: { sourceType: 'module', globals: globals.browser },
  },
);
