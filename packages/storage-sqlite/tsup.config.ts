import { hftTsup } from '@hft/tsup-config';
import { defineConfig } from 'tsup';

export default defineConfig([
  hftTsup({ entry: ['src/index.ts', 'src/reader.ts'] }),
  // The reader again as one CommonJS file for CommonJS callers (the CLI's `hft token`): its
  // workspace imports are bundled from source, so requiring it starts no ES module loader;
  // sqlite3 (CommonJS) stays a dependency.
  hftTsup({
    entry: { reader: 'src/reader.ts' },
    format: ['cjs'],
    dts: false,
    clean: false,
    splitting: false,
    noExternal: [/^@hft\/(errors|storage-keyv)(\/.*)?$/, '@keyv/serialize'],
    esbuildOptions(options) {
      options.conditions = ['@hft/source'];
    },
  }),
]);
