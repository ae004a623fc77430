export { keyvLease } from './keyv-lease.js';
export { type KeyvTokenStoreOptions, keyvTokenStore } from './keyv-token-store.js';
export { type LocalBus, localBus } from './local-bus.js';
