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
export { mergeCredentials, type RemovedKinds, removeKinds } from './credential-writes.js';
export {
  type CipherFromEnvOptions,
  cipherFromEnv,
  createRecordCipher,
  isSealed,
  type RecordCipher,
  type RecordCipherOptions,
  type RecordKeyOptions,
  SEALED_MARK,
} from './crypto/record-cipher.js';
export { type LeasePrimitives, newLeaseOwner, type WithLeaseOptions, withLease } from './lease-lock.js';
export {
  createMemoryBackend,
  createMemoryTokenStore,
  type MemoryBackend,
  type MemoryTokenStoreOptions,
} from './memory-store.js';
export type { RateLimitBackend } from './rate-limit-backend.js';
export {
  createRecordCodec,
  type DecodeContext,
  jsonRecordFormat,
  type RecordCodec,
  type RecordCodecOptions,
  type RecordFormat,
} from './record-codec.js';
export {
  type AccountListing,
  READER_SUMMARIES_MAX,
  type ReaderFirstStoreOptions,
  type RecordReader,
  readerFirstStore,
} from './record-reader.js';
export { upgradeRecord } from './record-upgrade.js';
export { type AuthStatus, type AuthStatusKind, type AuthStatusTokenInfo, statusFromInfo } from './status.js';
export { type KindInfo, type TokenInfo, toKindInfo, toTokenInfo } from './token-info.js';
export {
  DEFAULT_READ_KINDS,
  isTokenKind,
  KIND_RULES,
  type KindRule,
  kindExpiry,
  kindToken,
} from './token-kinds.js';
export {
  accountKey,
  type CredentialSet,
  dailyToken,
  type KindToken,
  kindsOf,
  parseAccountKey,
  RECORD_VERSION,
  TOKEN_KINDS,
  type TokenKind,
  type TokenRecord,
  type TokenSet,
  type TokenSource,
  withVersion,
} from './token-record.js';
export { assertKindToken, assertTokenRecord } from './token-record-check.js';
export type { TokenStore, TokenStoreChange, Unsubscribe, WithLockOptions } from './token-store.js';
export { kindLabel, whyUnusable } from './token-usable.js';
export {
  isStale,
  type WriteIfNewerOptions,
  type WriteIfNewerResult,
  writeIfNewer,
  writeLockKey,
} from './write-if-newer.js';
