// Two projects: the project's own tests (test/) and the conformance suites (suites/).
// ts-jest transpiles only (tsconfig isolatedModules); type checking is `npm run typecheck`.
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };

/** @type {import('jest').Config} */
module.exports = {
  // Jest's default on 2 cores is one worker, and most test files spend their time waiting on a
  // mock's clock or sockets: one worker used 5.9 CPU-minutes in 9.5 minutes; two finished in 7.2
  // minutes while other work loaded the machine.
  maxWorkers: 2,
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
