// The luxon-free part of @hft/time: the clock, the 03:30 IST rule, parsing and writing IST
// timestamps. Hot paths (token reads, `hft token`) import this entry, so luxon (and the ICU time
// zone data it initialises) is never loaded for them. `@hft/time` itself re-exports all of it.
export { type Clock, systemClock } from './clock.js';
export {
  type IsExpiredOptions,
  isExpired,
  type TimeUntilExpiryOptions,
  TOKEN_EXPIRY_HOUR_IST,
  TOKEN_EXPIRY_MINUTE_IST,
  timeUntilExpiry,
  tokenExpiry,
} from './expiry.js';
export { type InstantInput, parseIsoAsIst, parseIstNaive, toEpochMs } from './instant.js';
export { type IstWallTime, istWallTime, nextIstTime, toIstIso } from './ist.js';
export { IST_OFFSET_MS } from './ist-offset.js';
export { IST_ZONE } from './zone.js';
