import { hftTsup } from '@hft/tsup-config';
import { defineConfig } from 'tsup';

export default defineConfig(hftTsup({ entry: ['src/index.ts', 'src/stored-entry.ts'] }));
