import { hftVitest } from '@hft/vitest-config';
import { defineConfig } from 'vitest/config';

export default defineConfig(hftVitest());
