import { afterAll, expect } from 'vitest';
import { removeTempRoot } from './helpers/homes.js';
import { assertCliBuilt } from './helpers/paths.js';
import { scanForSecrets } from './helpers/registry.js';

// Runs before each test file: the e2e tests need the built bin.
assertCliBuilt();

// After each test file: nothing it printed or logged may hold a secret.
afterAll(() => {
  const scan = scanForSecrets();
  try {
    expect(scan.findings, 'secrets in CLI output or logs').toEqual([]);
  } finally {
    removeTempRoot();
  }
});
