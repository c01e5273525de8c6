/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  // expect(pixel).toBeColour(...) in every test file.
  setupFilesAfterEnv: ['<rootDir>/test/helpers/colour.ts'],
  testTimeout: 60000,
  // The exit code is jest's verdict on the tests: not held up by a child process a test is still stopping, nor
  // changed by a library that sets process.exitCode in the shared process (the suites run in band on 2 cores).
  forceExit: true,
  // A plain totals line for CI logs (test/helpers/summary-reporter.js), just before jest's own summary.
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
};
