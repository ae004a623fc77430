export {
  type MultiProcessOptions,
  type ProcessHarness,
  runMultiProcessConformance,
} from './multi-process.js';
export {
  dailyOf,
  type FlatTokenFields,
  type SampleOverrides,
  sampleRecord,
  withDaily,
} from './sample-record.js';
export { type ConformanceOptions, runTokenStoreConformance, type StoreHarness } from './suite.js';
