export { sampleRecord } from './sample-record.js';
export { type ConformanceOptions, runTokenStoreConformance, type StoreHarness } from './suite.js';
