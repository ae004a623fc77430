// The storage side of auth-core: everything a TokenStore backend or a fast reader needs, and
// nothing that loads the HTTP stack (axios). `hft token` and the storage packages import this.
export { parseSummary, summarizeRecord } from './account-summary.js';
export { type AccountSummary, listAccounts, namesOf, resolveAccount, resolveAccountKey } from './accounts.js';
export {
  type ChangeFanout,
  type ChangeFanoutOptions,
  type ChangeListener,
  createChangeFanout,
} from './change-fanout.js';
export {
  type CipherFromEnvOptions,
  cipherFromEnv,
  createRecordCipher,
  isSealed,
  type RecordCipher,
  type RecordCipherOptions,
  type RecordKeyOptions,
} from './crypto/record-cipher.js';
export { type LeasePrimitives, newLeaseOwner, type WithLeaseOptions, withLease } from './lease-lock.js';
export {
  createMemoryBackend,
  createMemoryTokenStore,
  type MemoryBackend,
  type MemoryTokenStoreOptions,
} from './memory-store.js';
export {
  createRecordCodec,
  type DecodeContext,
  jsonRecordFormat,
  type RecordCodec,
  type RecordCodecOptions,
  type RecordFormat,
} from './record-codec.js';
export { type AuthStatus, type AuthStatusTokenInfo, statusFromInfo } from './status.js';
export { type TokenInfo, toTokenInfo } from './token-info.js';
export { accountKey, parseAccountKey, type TokenRecord, type TokenSource } from './token-record.js';
export { assertTokenRecord } from './token-record-check.js';
export type { TokenStore, TokenStoreChange, Unsubscribe, WithLockOptions } from './token-store.js';
export {
  isStale,
  type WriteIfNewerOptions,
  type WriteIfNewerResult,
  writeIfNewer,
  writeLockKey,
} from './write-if-newer.js';
