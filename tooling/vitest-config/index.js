/** File each package's run writes; `tooling/scripts/test.mjs` sums them into one line. */
export const REPORT_FILE = '.vitest-report.json';

const SOURCE_CONDITIONS = ['@hft/source', 'module', 'node', 'development|production'];

/**
 * Shared vitest settings. Tests live in `test/`, run in forked processes (native modules and
 * child processes behave as in production), and every run writes a JSON report beside the
 * package so the root `pnpm test` can print one `N passed, N failed` line for the whole tree.
 *
 * @param {import('vitest/config').ViteUserConfig['test']} [test] per-package overrides of `test`
 * @returns {import('vitest/config').ViteUserConfig}
 */
export function hftVitest(test = {}) {
  return {
    // Workspace packages resolve to their TypeScript sources (the `@hft/source` export
    // condition), so a package's tests never wait for, or run against a stale, build of another.
    resolve: { conditions: SOURCE_CONDITIONS },
    ssr: { resolve: { conditions: SOURCE_CONDITIONS } },
    test: {
      include: ['test/**/*.test.ts'],
      pool: 'forks',
      testTimeout: 20_000,
      hookTimeout: 30_000,
      reporters: ['default', 'json'],
      outputFile: { json: REPORT_FILE },
      ...test,
    },
  };
}
