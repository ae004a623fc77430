import { createManualClock } from '@hft/time/testing';
import { describe, expect, it } from 'vitest';
import { FixedWindowLimiter } from '../src/rate-limiter.js';
import { authGet, expectUpstoxError, get, START, startEmulator } from './helpers.js';

describe('rate limits', () => {
  it('answers 429 UDAPI10005 past the per-second budget and recovers in the next second', async () => {
    const { emu, clock } = await startEmulator({
      rateLimits: { standard: { perSecond: 2, perMinute: null } },
    });
    const token = (await emu.issueToken()).access_token;
    const url = `${emu.url}/v2/user/profile`;
    expect((await authGet(url, token)).status).toBe(200);
    expect((await authGet(url, token)).status).toBe(200);
    const e = await expectUpstoxError(await authGet(url, token), 429, 'UDAPI10005');
    expect(e.message).toBe('Too Many Request Sent');
    clock.advance(999);
    await expectUpstoxError(await authGet(url, token), 429, 'UDAPI10005');
    clock.advance(1);
    expect((await authGet(url, token)).status).toBe(200);
  });

  it('enforces the per-minute and per-30-minute windows', async () => {
    const { emu, clock } = await startEmulator({
      rateLimits: { standard: { perSecond: 5, perMinute: 3, perThirtyMinutes: 4 } },
    });
    const token = (await emu.issueToken()).access_token;
    const url = `${emu.url}/v2/user/ip`;
    for (let i = 0; i < 3; i++) expect((await authGet(url, token)).status).toBe(200);
    await expectUpstoxError(await authGet(url, token), 429, 'UDAPI10005');
    clock.advance(60_000);
    expect((await authGet(url, token)).status).toBe(200);
    await expectUpstoxError(await authGet(url, token), 429, 'UDAPI10005');
    clock.set(START + 30 * 60_000);
    expect((await authGet(url, token)).status).toBe(200);
  });

  it('counts per user and per API', async () => {
    const { emu } = await startEmulator({
      users: [
        {
          userId: 'AAA111',
          userName: 'A',
          email: 'a@example.com',
          mobile: '9000000001',
          otp: '111111',
          pin: '111111',
        },
        {
          userId: 'BBB222',
          userName: 'B',
          email: 'b@example.com',
          mobile: '9000000002',
          otp: '222222',
          pin: '222222',
        },
      ],
      rateLimits: { standard: { perSecond: 1 } },
    });
    const a = (await emu.issueToken({ userId: 'AAA111' })).access_token;
    const a2 = (await emu.issueToken({ userId: 'AAA111' })).access_token;
    const b = (await emu.issueToken({ userId: 'BBB222' })).access_token;
    expect((await authGet(`${emu.url}/v2/user/profile`, a)).status).toBe(200);
    // Same user with another token: same budget.
    await expectUpstoxError(await authGet(`${emu.url}/v2/user/profile`, a2), 429, 'UDAPI10005');
    // Other API, same user: its own budget.
    expect((await authGet(`${emu.url}/v2/user/ip`, a)).status).toBe(200);
    // Other user: its own budget.
    expect((await authGet(`${emu.url}/v2/user/profile`, b)).status).toBe(200);
  });

  it('does not count requests rejected for their token', async () => {
    const { emu } = await startEmulator({ rateLimits: { standard: { perSecond: 1 } } });
    const token = (await emu.issueToken()).access_token;
    for (let i = 0; i < 3; i++)
      await expectUpstoxError(await get(`${emu.url}/v2/user/profile`), 401, 'UDAPI100050');
    expect((await authGet(`${emu.url}/v2/user/profile`, token)).status).toBe(200);
  });

  it('leaves login endpoints unlimited by default and limits them per client_id when configured', async () => {
    const free = await startEmulator();
    for (let i = 0; i < 60; i++) expect((await get(free.emu.authorizeUrl())).status).toBe(200);

    const { emu, clock } = await startEmulator({ rateLimits: { login: { perSecond: 1 } } });
    expect((await get(emu.authorizeUrl())).status).toBe(200);
    await expectUpstoxError(await get(emu.authorizeUrl()), 429, 'UDAPI10005');
    clock.advance(1000);
    expect((await get(emu.authorizeUrl())).status).toBe(200);
  });

  it('applies Upstox defaults (50/s for standard APIs) and can be disabled', async () => {
    const { emu } = await startEmulator();
    const token = (await emu.issueToken()).access_token;
    for (let i = 0; i < 50; i++)
      expect((await authGet(`${emu.url}/v2/user/profile`, token)).status).toBe(200);
    await expectUpstoxError(await authGet(`${emu.url}/v2/user/profile`, token), 429, 'UDAPI10005');

    const off = await startEmulator({ rateLimits: false });
    const t2 = (await off.emu.issueToken()).access_token;
    for (let i = 0; i < 60; i++)
      expect((await authGet(`${off.emu.url}/v2/user/profile`, t2)).status).toBe(200);
  });

  it('FixedWindowLimiter (the order bucket) aligns windows to the clock and ignores denied requests', () => {
    const clock = createManualClock(START + 500);
    const limiter = new FixedWindowLimiter({ perSecond: 10, perMinute: 12, perThirtyMinutes: null }, clock);
    for (let i = 0; i < 10; i++) expect(limiter.take('EMU001')).toBe(true);
    expect(limiter.take('EMU001')).toBe(false);
    expect(limiter.take('OTHER')).toBe(true);
    clock.advance(500); // next second starts at START + 1000
    expect(limiter.take('EMU001')).toBe(true);
    expect(limiter.take('EMU001')).toBe(true);
    expect(limiter.take('EMU001')).toBe(false); // minute budget (12) spent
    clock.advance(59_000);
    expect(limiter.take('EMU001')).toBe(true);
  });
});
