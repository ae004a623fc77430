/**
 * IANA name of India Standard Time (UTC+05:30, no daylight saving). Every IST computation in this
 * package goes through this zone explicitly, so results never depend on the host's `TZ`.
 */
export const IST_ZONE = 'Asia/Kolkata';
