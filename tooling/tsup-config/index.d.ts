import type { Options } from 'tsup';
/** Shared tsup settings: ESM only, declaration files, Node 20 target, source maps. */
export declare function hftTsup(overrides?: Options): Options;
