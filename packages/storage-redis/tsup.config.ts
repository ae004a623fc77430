import { hftTsup } from '@hft/tsup-config';
import { defineConfig } from 'tsup';

export default defineConfig([
  hftTsup({ entry: ['src/index.ts', 'src/reader.ts'] }),
  // The reader again as one CommonJS file for CommonJS callers (the CLI's `hft token`): its
  // workspace imports are bundled from source, so requiring it starts no ES module loader;
  // node-redis's reply decoder (three small files of @redis/client) is bundled too.
  hftTsup({
    entry: { reader: 'src/reader.ts' },
    format: ['cjs'],
    dts: false,
    clean: false,
    splitting: false,
    noExternal: [
      /^@hft\/(errors|storage-keyv)(\/.*)?$/,
      '@keyv/serialize',
      /^@redis\/client\/dist\/lib\/RESP\//,
    ],
    esbuildOptions(options) {
      options.conditions = ['@hft/source'];
    },
  }),
]);
