import { describe, expect, it } from 'vitest';
import { buildAuthorizationUrl, generateState } from '../src/index.js';

describe('buildAuthorizationUrl', () => {
  it('builds the v2 dialog URL with every required parameter', () => {
    const url = new URL(
      buildAuthorizationUrl({
        clientId: 'my-key',
        redirectUri: 'http://127.0.0.1:5055/callback',
        state: 's1',
      }),
    );
    expect(url.origin).toBe('https://api.upstox.com');
    expect(url.pathname).toBe('/v2/login/authorization/dialog');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'my-key',
      redirect_uri: 'http://127.0.0.1:5055/callback',
      response_type: 'code',
      state: 's1',
    });
  });

  it('always sends response_type=code, omits state when absent, honours a base URL with a slash', () => {
    const url = new URL(
      buildAuthorizationUrl({
        clientId: 'k',
        redirectUri: 'https://app.example/cb?x=1',
        baseUrl: 'http://127.0.0.1:9/',
      }),
    );
    expect(url.href.startsWith('http://127.0.0.1:9/v2/login/authorization/dialog?')).toBe(true);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.has('state')).toBe(false);
    expect(url.searchParams.get('redirect_uri')).toBe('https://app.example/cb?x=1');
  });

  it.each([
    [{ clientId: '', redirectUri: 'http://127.0.0.1/cb' }, 'clientId'],
    [{ clientId: 'k', redirectUri: 'not a url' }, 'redirectUri'],
    [{ clientId: 'k', redirectUri: 'ftp://x/cb' }, 'redirectUri'],
    [{ clientId: 'k', redirectUri: 'http://127.0.0.1/cb', baseUrl: 'nope' }, 'baseUrl'],
    [{ clientId: 'k', redirectUri: 'http://127.0.0.1/cb', state: '' }, 'state'],
  ])('rejects bad input %#, naming %s', (params, argument) => {
    expect(() => buildAuthorizationUrl(params)).toThrow(
      expect.objectContaining({ code: 'HFT_INPUT_INVALID' }),
    );
    expect(() => buildAuthorizationUrl(params)).toThrow(argument);
  });
});

describe('generateState', () => {
  it('is URL-safe, at least 128 bits, and different every time', () => {
    const states = new Set(Array.from({ length: 500 }, () => generateState()));
    expect(states.size).toBe(500);
    for (const s of states) {
      expect(s).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(s, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    }
  });
});
