import { createFileStore } from '@hft/storage-file';
import { seedAccounts } from './dist/fleet-kit.js';
