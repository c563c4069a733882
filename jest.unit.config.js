/**
 * The fast layer: `npm run test:unit` runs test/unit alone, offline, in seconds: no Temporal CLI build (no global
 * setup), no dev server, no Postgres. Activities run in @temporalio/testing's MockActivityEnvironment; the model is
 * the offline model over HTTP. `npm test` (jest.config.js) still runs these with everything else.
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/unit'],
  globalSetup: undefined,
  testTimeout: 30000,
};
