// auth-core's argument checks are the shared family of `@hft/errors/assert`; this module only
// forwards it, so files that import `./assert.js` keep their import while they move over.
export {
  assertFiniteNumber,
  assertFunction,
  assertNonEmptyString,
  assertOptional,
  assertOptionalBoolean,
  assertStringArray,
  isPlainObject,
} from '@hft/errors/assert';
