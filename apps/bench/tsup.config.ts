import { hftTsup } from '@hft/tsup-config';
import { defineConfig } from 'tsup';

export default defineConfig(hftTsup({ entry: ['src/bench.ts', 'src/workers/*.ts'], dts: false }));
