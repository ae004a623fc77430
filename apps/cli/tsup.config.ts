import { hftTsup } from '@hft/tsup-config';
import { defineConfig } from 'tsup';

// One entry (the bin); each command is its own chunk, imported only when that command runs.
export default defineConfig(hftTsup({ entry: ['src/hft.ts'], dts: false }));
