import type { ViteUserConfig } from 'vitest/config';
/** File each package's run writes; `tooling/scripts/test.mjs` sums them into one line. */
export declare const REPORT_FILE: string;
/** Shared vitest settings (test/ layout, forks pool, JSON report for the root summary). */
export declare function hftVitest(test?: ViteUserConfig['test']): ViteUserConfig;
