// `@hft/auth-core/wire`: the wire layer under the documented API, for code that builds its own
// Upstox calls or tests the protocol. Kept apart from the root entry so that the root's names are
// the ones the README documents; names here may change between minor versions.
export { orderPathRow } from './client/order-paths.js';
export {
  carriesAlgoName,
  pathOf,
  type RequestCategory,
  requestCategory,
  usesOrderHost,
} from './client/request-category.js';
export { createClientThrottle } from './client/shared-throttle.js';
export { createThrottle, type Throttle } from './client/throttle.js';
export { assertHttpUrl } from './upstox/authorize-url.js';
export { safeEqual } from './upstox/callback.js';
export { UpstoxPaths } from './upstox/endpoints.js';
export {
  brokerError,
  DEFAULT_TIMEOUT_MS,
  expectSuccess,
  flattenHeaders,
  nonJsonError,
  parseErrorEnvelope,
  parseRetryAfter,
  sendUpstox,
  transportError,
  type UpstoxRawResponse,
  type UpstoxRequest,
} from './upstox/http.js';
