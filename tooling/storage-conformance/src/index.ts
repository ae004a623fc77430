export {
  type MultiProcessOptions,
  type ProcessHarness,
  runMultiProcessConformance,
} from './multi-process.js';
export { sampleRecord } from './sample-record.js';
export { type ConformanceOptions, runTokenStoreConformance, type StoreHarness } from './suite.js';
