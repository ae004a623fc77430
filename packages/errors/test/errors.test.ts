import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  AuthError,
  BrokerError,
  ConfigError,
  ErrorCodes,
  HftError,
  hasErrorCode,
  InputError,
  isHftError,
  NetworkError,
  StorageError,
} from '../src/index.js';

describe('HftError', () => {
  it('carries a stable code, a name, a cause, and hides details from JSON', () => {
    const cause = new Error('low level');
    const err = new HftError(ErrorCodes.INPUT_INVALID, 'bad thing', { cause, details: { secretish: 'x' } });
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('HFT_INPUT_INVALID');
    expect(err.name).toBe('HftError');
    expect(err.cause).toBe(cause);
    expect(err.details).toEqual({ secretish: 'x' });
    expect(Object.keys(err)).not.toContain('details');
    expect(Object.keys(err)).not.toContain('cause');
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: 'HftError',
      code: 'HFT_INPUT_INVALID',
      message: 'bad thing',
    });
  });

  it('freezes details so callers cannot mutate a thrown error', () => {
    const err = new HftError(ErrorCodes.INPUT_INVALID, 'm', { details: { a: 1 } });
    expect(Object.isFrozen(err.details)).toBe(true);
  });

  it('does not show details in util.inspect output', () => {
    const err = new InputError('timestamp must be finite', { details: { argument: 'hidden-detail' } });
    expect(inspect(err)).not.toContain('hidden-detail');
  });
});

describe('subclasses', () => {
  it.each([
    [new InputError('x', { details: { argument: 'issuedAt' } }), 'InputError', ErrorCodes.INPUT_INVALID],
    [new ConfigError('x'), 'ConfigError', ErrorCodes.CONFIG_INVALID],
    [new AuthError(ErrorCodes.AUTH_EXPIRED, 'x'), 'AuthError', ErrorCodes.AUTH_EXPIRED],
    [
      new BrokerError('x', {
        details: { status: 401, brokerCode: 'UDAPI100050', endpoint: 'GET /v2/user/profile', errors: [] },
      }),
      'BrokerError',
      ErrorCodes.BROKER_ERROR,
    ],
    [
      new NetworkError(ErrorCodes.NETWORK_TIMEOUT, 'x', { details: { endpoint: 'GET /v2/user/profile' } }),
      'NetworkError',
      ErrorCodes.NETWORK_TIMEOUT,
    ],
    [new StorageError('x', { backend: 'file' }), 'StorageError', ErrorCodes.STORAGE_UNAVAILABLE],
  ] as const)('%s has its name and code and is an HftError', (err, name, code) => {
    expect(err).toBeInstanceOf(HftError);
    expect(err.name).toBe(name);
    expect(err.code).toBe(code);
    expect(isHftError(err)).toBe(true);
    expect(hasErrorCode(err, code)).toBe(true);
    expect(String(err)).toBe(`${name}: x`);
  });

  it('BrokerError exposes status, brokerCode and endpoint', () => {
    const err = new BrokerError('Upstox rejected the token', {
      details: { status: 401, brokerCode: 'UDAPI100050', endpoint: 'GET /v2/user/profile', errors: [] },
    });
    expect(err.status).toBe(401);
    expect(err.brokerCode).toBe('UDAPI100050');
    expect(err.endpoint).toBe('GET /v2/user/profile');
  });

  it('ConfigError keeps every issue', () => {
    const issues = [
      { field: 'credentials.clientId', source: 'UPSTOX_CLIENT_ID', message: 'must not be empty' },
      { field: 'storage', source: 'HFT_STORAGE', message: 'unknown scheme "ftp:"' },
    ];
    const err = new ConfigError('2 problems', { details: { issues } });
    expect(err.issues).toEqual(issues);
  });

  it('StorageError names its backend and accepts a specific code', () => {
    const err = new StorageError('corrupt', {
      backend: 'file',
      code: ErrorCodes.STORAGE_CORRUPT,
      details: { backend: 'file', paths: ['/a', '/b'] },
    });
    expect(err.backend).toBe('file');
    expect(err.code).toBe('HFT_STORAGE_CORRUPT');
    expect(err.details.paths).toEqual(['/a', '/b']);
  });

  it('isHftError recognises coded errors from another copy of the package and rejects others', () => {
    const foreign = Object.assign(new Error('x'), { code: 'HFT_AUTH_EXPIRED' });
    expect(isHftError(foreign)).toBe(true);
    expect(isHftError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isHftError('HFT_AUTH_EXPIRED')).toBe(false);
    expect(hasErrorCode(new AuthError(ErrorCodes.AUTH_EXPIRED, 'x'), ErrorCodes.AUTH_STATE_MISMATCH)).toBe(
      false,
    );
  });

  it('every code is unique and prefixed HFT_', () => {
    const values = Object.values(ErrorCodes);
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) expect(v).toMatch(/^HFT_[A-Z_]+$/);
  });
});

describe('instanceof across package copies', () => {
  // A bundled app and a separately installed package each carry their own copy of these classes.
  const foreign = (name: string, code: string) =>
    Object.assign(new Error('from another copy'), { name, code });

  it('recognises a subclass by its name and HFT_ code, whatever copy made it', () => {
    const storage = foreign('StorageError', 'HFT_STORAGE_UNAVAILABLE');
    expect(storage instanceof StorageError).toBe(true);
    expect(storage instanceof HftError).toBe(true);
    expect(storage instanceof AuthError).toBe(false);
    expect(foreign('AuthError', 'HFT_AUTH_EXPIRED') instanceof AuthError).toBe(true);
  });

  it('rejects errors without an HFT_ code, and non-errors', () => {
    expect(foreign('StorageError', 'ECONNREFUSED') instanceof StorageError).toBe(false);
    expect(new Error('plain') instanceof HftError).toBe(false);
    expect({ name: 'StorageError', code: 'HFT_STORAGE_UNAVAILABLE' } instanceof StorageError).toBe(false);
    expect(new StorageError('x', { backend: 'file' }) instanceof StorageError).toBe(true);
    expect(new InputError('x') instanceof ConfigError).toBe(false);
  });
});
