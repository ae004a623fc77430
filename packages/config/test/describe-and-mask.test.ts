import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_FIELDS,
  describeConfig,
  formatStorage,
  maskSecret,
  maskUrlPassword,
  NOT_SET,
  parseConfig,
} from '../src/index.js';
import { CREDS, SECRET } from './helpers.js';

describe('maskSecret', () => {
  it('turns any non-empty string into **** and nothing into an empty string', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (secret) => {
        expect(maskSecret(secret)).toBe('****');
      }),
    );
    expect(maskSecret('')).toBe('');
    expect(maskSecret(undefined)).toBe('');
    expect(maskSecret(null)).toBe('');
  });
});

describe('maskUrlPassword', () => {
  it.each([
    ['redis://:hunter2@localhost:6379', 'redis://:****@localhost:6379'],
    ['rediss://user:hunter2@cache.example.com:6380/0', 'rediss://user:****@cache.example.com:6380/0'],
    ['redis://localhost:6379?password=hunter2&db=1', 'redis://localhost:6379?password=****&db=1'],
    ['redis://localhost:6379', 'redis://localhost:6379'],
    ['redis://user@localhost', 'redis://user@localhost'],
    ['not a url //user:hunter2@host', 'not a url //****@host'],
  ])('%s -> %s', (input, expected) => {
    expect(maskUrlPassword(input)).toBe(expected);
  });
});

describe('formatStorage', () => {
  it('prints every kind in the form HFT_STORAGE accepts, with the redis password masked', () => {
    expect(formatStorage({ kind: 'file', dir: '/t' })).toBe('file:/t');
    expect(formatStorage({ kind: 'sqlite', path: '/d.db' })).toBe('sqlite:/d.db');
    expect(formatStorage({ kind: 'redis', url: 'redis://:pw@h:1' })).toBe('redis://:****@h:1');
  });
});

describe('describeConfig', () => {
  it('returns one row per field, in order, with sources, secrets and redis passwords masked', () => {
    const result = parseConfig({
      homedir: '/home/u',
      cwd: '/w',
      env: { HFT_STORAGE: 'redis://:r3dis-pass@cache:6379', UPSTOX_CLIENT_SECRET: SECRET },
      credentialsFile: { path: '/home/u/.hft/credentials.json', data: { client_id: CREDS.client_id } },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const rows = describeConfig(result.config, result.sources);
    expect(rows.map((row) => row.field)).toEqual([...CONFIG_FIELDS]);
    const byField = Object.fromEntries(rows.map((row) => [row.field, row]));
    expect(byField.storage).toEqual({
      field: 'storage',
      value: 'redis://:****@cache:6379',
      source: 'HFT_STORAGE',
    });
    expect(byField['credentials.clientSecret']).toEqual({
      field: 'credentials.clientSecret',
      value: '****',
      source: 'UPSTOX_CLIENT_SECRET',
    });
    expect(byField['credentials.clientId']).toEqual({
      field: 'credentials.clientId',
      value: CREDS.client_id,
      source: '/home/u/.hft/credentials.json',
    });
    expect(byField['credentials.redirectUri']).toEqual({
      field: 'credentials.redirectUri',
      value: NOT_SET,
      source: 'default',
    });
    expect(byField.configFile?.value).toBe(NOT_SET);
    expect(byField.account?.value).toBe(NOT_SET);
    expect(byField.home).toEqual({ field: 'home', value: '/home/u/.hft', source: 'default' });
    const printed = JSON.stringify(rows);
    expect(printed).not.toContain(SECRET);
    expect(printed).not.toContain('r3dis-pass');
  });

  it('shows "default" for a field missing from partial sources', () => {
    const result = parseConfig({ homedir: '/home/u', cwd: '/w', env: { HFT_LOG_LEVEL: 'debug' } });
    if (!result.ok) throw new Error('expected ok');
    const rows = describeConfig(result.config, {});
    expect(rows.find((row) => row.field === 'logLevel')).toEqual({
      field: 'logLevel',
      value: 'debug',
      source: 'default',
    });
  });
});
