import { describe, expect, it } from 'vitest';
import { pathOf, requestCategory, usesOrderHost } from '../src/client/request-category.js';

describe('pathOf', () => {
  it('takes the path of relative and absolute URLs, without the query', () => {
    expect(pathOf(undefined)).toBe('/');
    expect(pathOf('')).toBe('/');
    expect(pathOf('/v2/user/profile')).toBe('/v2/user/profile');
    expect(pathOf('/v2/market-quote/ltp?instrument_key=NSE_EQ|INE002A01018')).toBe('/v2/market-quote/ltp');
    expect(pathOf('v2/user/profile?x=1')).toBe('/v2/user/profile');
    expect(pathOf('https://api-hft.upstox.com/v2/order/place?x=1')).toBe('/v2/order/place');
    expect(pathOf('HTTP://127.0.0.1:8080/v3/order/cancel')).toBe('/v3/order/cancel');
  });
});

describe('request buckets', () => {
  it('puts order placement in the order bucket and on the order host', () => {
    expect(requestCategory('/v2/order/place')).toBe('order');
    expect(requestCategory('/v3/order/gtt/place')).toBe('order');
    expect(requestCategory('/v3/gtt/place')).toBe('standard');
    expect(requestCategory('/v2/order/place/')).toBe('order');
    expect(requestCategory('/v2/user/profile')).toBe('standard');
    expect(usesOrderHost('/v3/order/modify')).toBe(true);
    expect(usesOrderHost('/v2/order/retrieve-all')).toBe(false);
  });
});
