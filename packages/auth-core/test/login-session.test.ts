import { completeLogin as playDialog, startUpstoxEmulator } from '@hft/upstox-emulator';
import { describe, expect, it } from 'vitest';
import { createMemoryTokenStore, TokenManager } from '../src/index.js';
import { onCleanup } from './helpers.js';

async function setup() {
  const emu = await startUpstoxEmulator();
  onCleanup(() => emu.close());
  const manager = new TokenManager({
    clientId: emu.defaultApp.clientId,
    clientSecret: emu.defaultApp.clientSecret,
    redirectUri: emu.defaultApp.redirectUris[0]!,
    store: createMemoryTokenStore(),
    baseUrl: emu.url,
  });
  onCleanup(() => manager.close());
  // Plays the browser on the emulator's real dialog; resolves with the redirect URL.
  const code = async (state: string) => new URL(await playDialog(emu.authorizeUrl({ state })));
  return { emu, manager, code };
}

describe('completeLogin: one entry for the callback, a pasted URL, its query or the bare code', () => {
  it('takes the full redirect URL and checks its state against the states handed out', async () => {
    const { manager, code } = await setup();
    const state = new URL(manager.getAuthorizationUrl()).searchParams.get('state')!;
    const record = await manager.completeLogin((await code(state)).href, { requireState: true });
    expect(manager.getAccessToken()).toBe(record.tokens.daily!.token);
  });

  it('takes the query string alone and the bare code', async () => {
    const { manager, code } = await setup();
    const state = new URL(manager.getAuthorizationUrl()).searchParams.get('state')!;
    const redirect = await code(state);
    await manager.completeLogin(redirect.search);
    const again = await code('unused');
    await manager.completeLogin(again.searchParams.get('code')!);
    expect(manager.isTokenValid()).toBe(true);
  });

  it('refuses a forged state, a missing state when required, junk and nothing, without an exchange', async () => {
    const { manager, code, emu } = await setup();
    manager.getAuthorizationUrl();
    const forged = await code('forged');
    await expect(manager.completeLogin(forged.href)).rejects.toMatchObject({
      code: 'HFT_AUTH_STATE_MISMATCH',
    });
    const bare = new URL(forged.href);
    bare.searchParams.delete('state');
    await expect(manager.completeLogin(bare.href, { requireState: true })).rejects.toMatchObject({
      code: 'HFT_AUTH_STATE_MISMATCH',
    });
    await expect(manager.completeLogin('not a code!')).rejects.toMatchObject({ code: 'HFT_INPUT_INVALID' });
    await expect(manager.completeLogin('   ')).rejects.toMatchObject({ code: 'HFT_INPUT_INVALID' });
    await expect(manager.completeLogin('https://[')).rejects.toMatchObject({ code: 'HFT_INPUT_INVALID' });
    expect(emu.requests.filter((r) => r.path === '/v2/login/authorization/token')).toHaveLength(0);
  });
});
