import { describe, expect, it } from 'vitest';
import { classifyFileName, encodeSegment, lockFileFor, namedFileFor } from '../src/file-names.js';

describe('file names', () => {
  it('encodes every character that could split, escape or collide', () => {
    expect(encodeSegment('abc-XYZ_09')).toBe('abc-XYZ_09');
    expect(encodeSegment('../a.b')).toBe('%2E%2E%2Fa%2Eb');
    expect(encodeSegment("*!~'()")).toBe('%2A%21%7E%27%28%29');
    expect(encodeSegment('ü')).toBe('%C3%BC');
  });

  it('reads keys back from canonical names only', () => {
    const name = namedFileFor('client.1', 'USER 1');
    expect(name).toBe('upstox_token.client%2E1.USER%201.json');
    expect(classifyFileName(name)).toEqual({ kind: 'named', key: 'upstox:client.1:USER 1' });
    expect(classifyFileName('upstox_token.json')).toEqual({ kind: 'default' });
    // Another spelling of the same key, a bad escape, temp and moved-aside files are not ours.
    for (const other of [
      'upstox_token.client%2e1.USER%201.json',
      'upstox_token.a%ZZ.b.json',
      'upstox_token.a.b.json.123456',
      'upstox_token.json.corrupt-20260101T000000.000Z',
      'upstox_token.a%3Ab.c.json',
      'upstox_token.a.json',
    ]) {
      expect(classifyFileName(other), other).toEqual({ kind: 'other' });
    }
  });

  it('names lock files after the encoded key', () => {
    expect(lockFileFor('upstox:c:*')).toBe('upstox%3Ac%3A%2A.lock');
  });
});
