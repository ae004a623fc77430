import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory of `@hft/bench` (holding its package.json), from this module's location. */
export function benchRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as {
        name?: string;
      };
      if (name === '@hft/bench') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the @hft/bench package directory');
    dir = parent;
  }
}

/** The built child-process program `dist/workers/<name>.js`. @throws Error when it is not built. */
export function workerPath(name: string): string {
  const path = join(benchRoot(), 'dist', 'workers', `${name}.js`);
  if (!existsSync(path)) throw new Error(`${path} is missing: build @hft/bench first (pnpm build)`);
  return path;
}

/** The built `hft` CLI (`@hft/cli`'s bin). @throws Error when it is not built. */
export function hftBinPath(): string {
  const require = createRequire(join(benchRoot(), 'package.json'));
  const manifestPath = require.resolve('@hft/cli/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    bin?: Record<string, string>;
  };
  const bin = manifest.bin?.hft;
  if (!bin) throw new Error('@hft/cli declares no hft bin');
  const path = resolve(dirname(manifestPath), bin);
  if (!existsSync(path)) throw new Error(`${path} is missing: build @hft/cli first`);
  return path;
}
