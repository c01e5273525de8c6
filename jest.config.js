/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  // expect(pixel).toBeColour(...) in every test file.
  setupFilesAfterEnv: ['<rootDir>/test/helpers/colour.ts'],
  testTimeout: 60000,
  // The plain totals line comes last, after jest's own summary.
  reporters: ['<rootDir>/test/helpers/summary-reporter.js', 'default'],
};
