import js from '@eslint/js';
import graphql from '@graphql-eslint/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const CODE = ['**/*.{js,mjs,cjs,ts,mts,cts}'];
/** @type {(config: import('typescript-eslint').ConfigArray[number]) => import('typescript-eslint').ConfigArray[number]} */
const forCode = (config) => (config.files ? config : { ...config, files: CODE });

export default tseslint.config(
  // k6 scripts run in k6's own JavaScript runtime (not Node, no TypeScript); PostGraphile's bench folder is a separate project.
  { ignores: ['dist/', 'bench/peer/', 'bench/results/', 'loadtests/'] },
  // Those that name no files of their own apply to JavaScript and TypeScript only, not to the SDL (its block is below).
  ...[js.configs.recommended, ...tseslint.configs.recommendedTypeChecked].map(forCode),
  {
    files: CODE,
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.mjs', '.dependency-cruiser.cjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Apollo's and Fastify's hooks are Promise-returning interfaces: an async hook without await is how they are written.
      '@typescript-eslint/require-await': 'off',
      // As tsc's noUnusedParameters: a leading underscore names what is there to be left out.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // node:test's describe and it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
    },
  },
  {
    // Migrations see the database as it was when they were written, not as the application's types say it is (Kysely's own advice: Kysely<any>).
    files: ['migrations/**/*.ts', 'src/db/migrator.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Loaded on demand: the OpenTelemetry SDK only when tracing is on, and the gateway only after tracing started (its patches apply at require time).
    files: ['src/main.ts', 'src/observability/tracing.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests and the bench read GraphQL answers as untyped JSON and assert on them field by field.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    // The emitted SDL (not released.graphql, the frozen contract): every schema element a client sees in
    // Sandbox or an IDE carries a description: types (Query, Mutation and Subscription included), fields,
    // arguments and input fields, enum values, directives and their arguments.
    files: ['schema/schema.graphql'],
    languageOptions: { parser: graphql.parser },
    plugins: { '@graphql-eslint': graphql },
    rules: {
      '@graphql-eslint/require-description': [
        'error',
        {
          types: true,
          FieldDefinition: true,
          InputValueDefinition: true,
          EnumValueDefinition: true,
          DirectiveDefinition: true,
        },
      ],
    },
  },
  {
    // dependency-cruiser reads its configuration as a CommonJS module.
    files: ['.dependency-cruiser.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable' } },
  },
  prettier,
);
