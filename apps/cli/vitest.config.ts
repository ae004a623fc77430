import { hftVitest } from '@hft/vitest-config';
import { defineConfig } from 'vitest/config';

// setup.ts checks that dist/hft.cjs is built and, after each file, scans everything the CLI
// printed or logged for secrets.
export default defineConfig(hftVitest({ setupFiles: ['test/setup.ts'] }));
