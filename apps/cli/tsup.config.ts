import { hftTsup } from '@hft/tsup-config';
import { defineConfig } from 'tsup';

// One entry (the bin); each command is its own chunk, imported only when that command runs.
// The libraries on the start-up path of every command are bundled in: resolving and loading
// dozens of separate ES modules is most of a short command's wall time (`hft token` is
// measured against `node -e 0` in apps/bench). Optional storage backends, the emulator and the
// heavy runtime dependencies of a few commands stay external and load only when used.
export default defineConfig(
  hftTsup({
    entry: ['src/hft.ts'],
    dts: false,
    noExternal: [
      /^@hft\/(errors|time|config|auth-core|storage-file)(\/.*)?$/,
      'commander',
      'valibot',
      'luxon',
      'write-file-atomic',
    ],
    // Bundled CommonJS dependencies (commander, write-file-atomic) call require().
    // Bundle the workspace packages from their TypeScript sources (the `@hft/source` export
    // condition): module by module, so unused parts (luxon behind @hft/time's formatting, for
    // `hft token`) are left out of the start-up chunks rather than carried in a prebuilt file.
    esbuildOptions(options) {
      options.conditions = ['@hft/source'];
    },
    // axios is only for commands that call Upstox: kept external so it loads only then (and
    // `hft token`'s import trace can prove it does not).
    external: ['axios'],
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
);
