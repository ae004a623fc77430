import { hftTsup } from '@hft/tsup-config';
import { defineConfig, type Options } from 'tsup';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

// The libraries on the start-up path of every command are bundled in: resolving and loading
// dozens of separate modules is most of a short command's wall time (`hft token` is measured
// against `node -e 0` in apps/bench). Optional storage backends, the emulator and the heavy
// runtime dependencies of a few commands stay external and load only when used.
const BUNDLED = [
  /^@hft\/(errors|time|config|auth-core|storage-file)(\/.*)?$/,
  'commander',
  'valibot',
  'luxon',
  'write-file-atomic',
];

const shared: Options = {
  dts: false,
  noExternal: BUNDLED,
  // Bundle the workspace packages from their TypeScript sources (the `@hft/source` export
  // condition): module by module, so unused parts (luxon behind @hft/time's formatting) stay
  // out of what a short command loads, rather than carried in a prebuilt file.
  esbuildOptions(options) {
    options.conditions = ['@hft/source'];
  },
  // axios is only for commands that call Upstox: kept external so it loads only then.
  external: ['axios'],
};

/** Lazily imported packages the fast path inlines: the default file store is what `hft token` reads. */
const INLINED_WHEN_LAZY = new Set(['@hft/storage-file', 'write-file-atomic']);

/**
 * For the one-file fast path: a dynamic `import()` of any other package stays an `import()` at
 * run time (the logger, the full auth-core, other storage backends: never on the fast path),
 * instead of being inlined into the file every run compiles. The bin's own references to its
 * sibling files stay as written.
 */
const keepLazy: Plugin = {
  name: 'hft-keep-lazy',
  setup(build) {
    build.onResolve({ filter: /^\.\/(main\.js|fast-path\.cjs)$/ }, (args) => ({
      path: args.path,
      external: true,
    }));
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.kind === 'dynamic-import' && !INLINED_WHEN_LAZY.has(args.path)
        ? { path: args.path, external: true }
        : undefined,
    );
  },
};

/** The bin and the fast path: one CommonJS file each, lazy imports left lazy. */
const oneFileCjs: Options = {
  ...shared,
  format: ['cjs'],
  splitting: false,
  clean: false,
  esbuildPlugins: [keepLazy],
};

export default defineConfig([
  // The full program (every command, the parser, help): ES modules, one chunk per command,
  // each imported only when its command runs.
  hftTsup({
    ...shared,
    entry: { main: 'src/main.ts' },
    clean: false,
    // Bundled CommonJS dependencies (commander, write-file-atomic) use require and __filename.
    banner: {
      js: [
        "import { createRequire as __hftCreateRequire } from 'node:module';",
        "import { fileURLToPath as __hftFileURLToPath } from 'node:url';",
        'const require = __hftCreateRequire(import.meta.url);',
        'const __filename = __hftFileURLToPath(import.meta.url);',
      ].join(' '),
    },
  }),
  // The bin and the fast path of `hft token` / `hft status --json`: CommonJS, one file each, so
  // those commands never start Node's ES module loader (see src/hft.cts).
  hftTsup({ ...oneFileCjs, entry: { hft: 'src/hft.cts' } }),
  // The fast path is compiled with V8's code cache (src/code-cache.ts), where Node 20 cannot run
  // `import()`: its lazy imports become `require` (Node >= 20.19 requires ES modules).
  hftTsup({
    ...oneFileCjs,
    entry: { 'fast-path': 'src/fast-path.ts' },
    esbuildOptions(options) {
      shared.esbuildOptions?.(options, { format: 'cjs' });
      options.supported = { ...options.supported, 'dynamic-import': false };
    },
  }),
]);
