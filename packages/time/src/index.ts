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
export {
  formatIst,
  fromDateTime,
  IST_DISPLAY_FORMAT,
  type IstWallTime,
  istWallTime,
  nextIstTime,
  toDateTime,
  toIstIso,
} from './ist.js';
export { TimeUtils } from './time-utils.js';
export { IST_ZONE } from './zone.js';
