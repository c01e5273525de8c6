const fs = require('node:fs');

// Prints jest's totals as one plain closing line, `N passed, N failed, N skipped`, that CI logs can read. Written
// synchronously: jest exits right after the reporters (forceExit), before a buffered write would reach the log.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    fs.writeSync(1, `\n${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`);
  }
}
module.exports = SummaryReporter;
