/** A web-test-runner reporter that ends with a plain `<label>: N passed, N failed` line. */
export function summaryReporter(label) {
  return {
    onTestRunFinished({ sessions }) {
      let passed = 0;
      let failed = 0;
      const walk = (suite) => {
        for (const test of suite.tests) if (!test.skipped) test.passed ? passed++ : failed++;
        suite.suites.forEach(walk);
      };
      for (const session of sessions) {
        const before = failed;
        if (session.testResults) walk(session.testResults);
        // a file that failed to load, or failed outside any test, still counts as a failure
        if (!session.passed && failed === before) failed++;
      }
      console.log(`\n${label}: ${passed} passed, ${failed} failed`);
    },
  };
}
