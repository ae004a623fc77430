#!/usr/bin/env node
// Root `pnpm test`: builds what the tests need (turbo `test` depends on `build`), runs every
// package's tests, then prints one line `N passed, N failed` summed over all packages. CI reads
// that line, so a package whose tests crashed before writing a report counts as a failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const REPORT = '.vitest-report.json';

function workspaceDirs() {
  const dirs = [];
  for (const group of ['packages', 'apps', 'tooling']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      const pkgPath = join(base, name, 'package.json');
      if (!existsSync(pkgPath)) continue;
      const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
      if (pkg.scripts?.test) dirs.push({ dir: join(base, name), name: pkg.name });
    }
  }
  return dirs;
}

const packages = workspaceDirs();
for (const { dir } of packages) rmSync(join(dir, REPORT), { force: true });

// Two test tasks at a time: the suites start real servers and child processes and some measure
// propagation and lock leases in real time; more at once on a 2-core machine only adds noise.
const turbo = spawnSync(
  'pnpm',
  ['exec', 'turbo', 'run', 'test', '--continue', '--concurrency=2', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  },
);

const filtered = process.argv.slice(2).some((a) => a.startsWith('--filter'));
let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
for (const { dir, name } of packages) {
  const file = join(dir, REPORT);
  if (!existsSync(file)) {
    if (!filtered) {
      failed += 1;
      rows.push(`${name}: no report (${relative(root, file)}); counted as 1 failed`);
    }
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // A suite that failed to load has no tests counted; count it so it cannot pass silently.
  const brokenSuites = (r.testResults ?? []).filter(
    (s) => s.status === 'failed' && (s.assertionResults ?? []).length === 0,
  ).length;
  failed += brokenSuites;
  rows.push(
    `${name}: ${r.numPassedTests} passed, ${r.numFailedTests + brokenSuites} failed, ${r.numPendingTests} skipped`,
  );
}

console.log('\nTest results by package:');
for (const row of rows) console.log(`  ${row}`);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(turbo.status === 0 && failed === 0 ? 0 : 1);
