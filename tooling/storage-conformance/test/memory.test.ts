import { createMemoryBackend, createMemoryTokenStore, type MemoryBackend } from '@hft/auth-core';
import { runTokenStoreConformance } from '../src/index.js';

// The reference run: the suite must pass against the in-memory store before any backend uses it.
runTokenStoreConformance({
  name: 'memory',
  async setup() {
    const backend: MemoryBackend = createMemoryBackend();
    return {
      open: async () => createMemoryTokenStore({ backend }),
      breakBackend: async () => backend.failWith(new Error('simulated outage')),
      repairBackend: async () => backend.failWith(undefined),
      teardown: async () => {},
    };
  },
});
