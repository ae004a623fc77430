// `@hft/auth-core/endpoints`: the one owner of the Upstox host defaults, on an entry that loads
// nothing else (no axios), so `@hft/config` and fast readers can default to the same hosts the
// client does.
export { DEFAULT_BASE_URL, DEFAULT_ORDER_BASE_URL } from './upstox/endpoints.js';
