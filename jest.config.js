// Two projects: the project's own tests (test/) and the conformance suites (suites/).
// ts-jest transpiles only (tsconfig isolatedModules); type checking is `npm run typecheck`.
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'test',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      transform,
    },
    {
      displayName: 'suites',
      testEnvironment: 'node',
      roots: ['<rootDir>/suites'],
      testMatch: ['**/*.suite.ts'],
      // One run of the catalog feeds every suite file of the jest run (src/cli/jest-suite.ts).
      globalSetup: '<rootDir>/suites/global-setup.ts',
      globalTeardown: '<rootDir>/suites/global-teardown.ts',
      transform,
    },
  ],
};
