export * from './core.js';
export { formatIst, fromDateTime, IST_DISPLAY_FORMAT, toDateTime } from './luxon-view.js';
export { TimeUtils } from './time-utils.js';
