import { describe, expect, it } from 'vitest';
import { parseCallback } from '../src/index.js';
import { safeEqual } from '../src/wire.js';

const base = 'http://127.0.0.1:5055/callback';

describe('parseCallback', () => {
  it('returns code and state when the state matches', () => {
    expect(parseCallback(`${base}?code=abc123&state=s-1`, 's-1')).toEqual({ code: 'abc123', state: 's-1' });
    expect(parseCallback(new URL(`${base}?code=abc123&state=s-1`), 's-1').code).toBe('abc123');
    expect(parseCallback('?code=abc123&state=s-1', 's-1').code).toBe('abc123');
  });

  it('accepts a callback without state only when none was expected', () => {
    expect(parseCallback(`${base}?code=abc123`, undefined)).toEqual({ code: 'abc123' });
  });

  it('rejects a different or missing state without revealing the code', () => {
    for (const url of [`${base}?code=SECRETCODE&state=evil`, `${base}?code=SECRETCODE`]) {
      let caught: unknown;
      try {
        parseCallback(url, 'expected-state');
      } catch (e) {
        caught = e;
      }
      expect(caught).toMatchObject({ name: 'AuthError', code: 'HFT_AUTH_STATE_MISMATCH' });
      expect(String((caught as Error).message)).not.toContain('SECRETCODE');
    }
  });

  it('reports Upstox error parameters and a missing code', () => {
    expect(() =>
      parseCallback(`${base}?error=access_denied&error_description=User+cancelled&state=s`, 's'),
    ).toThrow(/access_denied \(User cancelled\)/);
    expect(() => parseCallback(`${base}?state=s`, 's')).toThrow(
      expect.objectContaining({ code: 'HFT_AUTH_CALLBACK_INVALID' }),
    );
    expect(() => parseCallback(`${base}?code=&state=s`, 's')).toThrow(
      expect.objectContaining({ code: 'HFT_AUTH_CALLBACK_INVALID' }),
    );
  });

  it('rejects input that is not a URL', () => {
    expect(() => parseCallback('code=abc', 's')).toThrow(
      expect.objectContaining({ code: 'HFT_INPUT_INVALID' }),
    );
    expect(() => parseCallback('', 's')).toThrow(expect.objectContaining({ code: 'HFT_INPUT_INVALID' }));
  });
});

describe('safeEqual', () => {
  it('compares strings of any length', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });
});
