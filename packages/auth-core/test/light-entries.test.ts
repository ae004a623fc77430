import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as endpoints from '../src/endpoints.js';
import { DEFAULT_BASE_URL, DEFAULT_ORDER_BASE_URL } from '../src/index.js';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
// Static runtime imports and re-exports; `import type` / `export type` are erased by the build.
const IMPORT = /^\s*(?:import|export)\s+(?!type\s)[^'";]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'/gm;

/** Every package (bare specifier) `entry` loads, following its relative imports. */
function packagesLoadedBy(entry: string): string[] {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = (match[1] ?? match[2]) as string;
      if (specifier.startsWith('.')) visit(join(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else if (!specifier.startsWith('node:')) packages.add(specifier);
    }
  };
  visit(join(SRC, entry));
  return [...packages].sort();
}

describe('light entries', () => {
  it('@hft/auth-core/endpoints loads no package at all', () => {
    expect(packagesLoadedBy('endpoints.ts')).toEqual([]);
  });

  it('@hft/auth-core/store loads no axios', () => {
    const loaded = packagesLoadedBy('store.ts');
    expect(loaded).not.toContain('axios');
    // The walker does follow imports: the store kit uses the coded errors.
    expect(loaded).toContain('@hft/errors');
  });

  it('the root entry loads axios (so the walker would see it)', () => {
    expect(packagesLoadedBy('index.ts')).toContain('axios');
  });

  it('the endpoints entry and the root export the same host defaults', () => {
    expect(endpoints.DEFAULT_BASE_URL).toBe(DEFAULT_BASE_URL);
    expect(endpoints.DEFAULT_ORDER_BASE_URL).toBe(DEFAULT_ORDER_BASE_URL);
    expect(Object.keys(endpoints).sort()).toEqual(['DEFAULT_BASE_URL', 'DEFAULT_ORDER_BASE_URL']);
  });
});
