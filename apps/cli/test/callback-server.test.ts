import { connect } from 'node:net';
import { generateState, parseCallback } from '@hft/auth-core';
import { afterEach, describe, expect, it } from 'vitest';
import { type CallbackServer, startCallbackServer } from '../src/login/callback-server.js';

const servers: CallbackServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()?.close();
});

/**
 * A callback server on a free loopback port whose handler is the CLI's own check (the real
 * `parseCallback` against a fresh state); the exchange is recorded instead of sent.
 */
async function start(host = '127.0.0.1') {
  const state = generateState();
  const exchanged: string[] = [];
  const ignored: string[] = [];
  const server = await startCallbackServer(
    { host, port: 0, path: '/callback' },
    async (url) => {
      const { code } = parseCallback(url, state);
      exchanged.push(code);
      return `Logged in with ${code}.`;
    },
    { onIgnored: (reason) => ignored.push(reason) },
  );
  servers.push(server);
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${server.port}`;
  return {
    server,
    state,
    exchanged,
    ignored,
    origin,
    good: `${origin}/callback?code=good-code&state=${state}`,
  };
}

/** Sends `request` byte for byte over a raw socket; resolves with the status code (0: no answer). */
function raw(port: number, request: string, host = '127.0.0.1'): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let text = '';
    socket.setEncoding('utf8');
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('data', (chunk) => {
      text += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () =>
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0), text }),
    );
    socket.write(request);
  });
}

const still = (result: Promise<string>) =>
  Promise.race([
    result.then(
      () => 'settled',
      () => 'settled',
    ),
    new Promise((r) => setImmediate(() => r('waiting'))),
  ]);

describe('login callback server: Host header', () => {
  it('a malformed Host ("[") is refused with 421 and the server keeps serving', async () => {
    const { server, state, exchanged, good } = await start();
    for (const host of ['[', '[::1', 'http://x', '%', ' ', `127.0.0.1:${server.port}:1`]) {
      const res = await raw(
        server.port,
        `GET /callback?code=x&state=${state} HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
      );
      expect(res.status, host).toBe(421);
    }
    expect(exchanged).toEqual([]);
    const res = await fetch(good);
    expect(res.status).toBe(200);
    await res.text();
    expect(await server.result).toBe('Logged in with good-code.');
  });

  it('a Host naming another host (DNS rebinding) is refused with 421, even with the right state', async () => {
    const { server, state, exchanged } = await start();
    const port = server.port;
    for (const host of [
      `evil.example:${port}`,
      'evil.example',
      `127.0.0.1:${port + 1}`,
      '127.0.0.1',
      `[::1]:${port}`,
      `0.0.0.0:${port}`,
      `127.0.0.2:${port}`,
      `localhost.:${port}`,
      `localhost.evil.example:${port}`,
    ]) {
      const res = await raw(port, `GET /callback?code=x&state=${state} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      expect(res.status, host).toBe(421);
      expect(res.text).toContain('addressed to another host');
    }
    expect(exchanged).toEqual([]);
    expect(await still(server.result)).toBe('waiting');
  });

  it('no Host, or two Host headers: 400; nothing handled', async () => {
    const { server, state, exchanged } = await start();
    const port = server.port;
    const path = `/callback?code=x&state=${state}`;
    expect((await raw(port, `GET ${path} HTTP/1.1\r\n\r\n`)).status).toBe(400);
    expect((await raw(port, `GET ${path} HTTP/1.0\r\n\r\n`)).status).toBe(400);
    expect((await raw(port, `GET ${path} HTTP/1.1\r\nHost:\r\n\r\n`)).status).toBe(421);
    const twice = await raw(
      port,
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nHost: evil.example:${port}\r\n\r\n`,
    );
    expect(twice.status).toBe(400);
    expect(exchanged).toEqual([]);
    expect(await still(server.result)).toBe('waiting');
  });

  it('an absolute-form request target is refused with 400', async () => {
    const { server, state, exchanged } = await start();
    const port = server.port;
    for (const target of [
      `http://evil.example/callback?code=x&state=${state}`,
      `//evil.example/callback`,
      '*',
    ]) {
      const res = await raw(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      expect(res.status, target).toBe(400);
    }
    expect(exchanged).toEqual([]);
  });

  it('serves the bound address and localhost with the bound port (any case)', async () => {
    const { server, state, exchanged } = await start();
    const port = server.port;
    const res = await raw(
      port,
      `GET /callback?code=c1&state=${state} HTTP/1.1\r\nHost: LocalHost:${port}\r\n\r\n`,
    );
    expect(res.status).toBe(200);
    expect(exchanged).toEqual(['c1']);

    const other = await start();
    const res2 = await raw(
      other.server.port,
      `GET /callback?code=c2&state=${other.state} HTTP/1.1\r\nHost: 127.0.0.1:${other.server.port}\r\n\r\n`,
    );
    expect(res2.status).toBe(200);
    expect(other.exchanged).toEqual(['c2']);
  });

  it('on ::1 it serves [::1]:port and localhost:port, not 127.0.0.1:port', async () => {
    const { server, state, exchanged } = await start('::1');
    const port = server.port;
    const foreign = await raw(
      port,
      `GET /callback?code=x&state=${state} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`,
      '::1',
    );
    expect(foreign.status).toBe(421);
    const ok = await raw(
      port,
      `GET /callback?code=v6&state=${state} HTTP/1.1\r\nHost: [::1]:${port}\r\n\r\n`,
      '::1',
    );
    expect(ok.status).toBe(200);
    expect(exchanged).toEqual(['v6']);
  });
});

describe('login callback server: state', () => {
  it('a wrong state, then no state: 400 each and still waiting; then the right one completes the login', async () => {
    const { server, origin, exchanged, ignored, good } = await start();
    const wrong = await fetch(`${origin}/callback?code=forged-code&state=forged-state-0123456789`);
    expect(wrong.status).toBe(400);
    const page = await wrong.text();
    expect(page).toContain('Not this login');
    expect(page).toContain('still waiting');
    expect(page).not.toContain('forged-code');
    const missing = await fetch(`${origin}/callback?code=forged-code`);
    expect(missing.status).toBe(400);
    await missing.text();
    const forgedError = await fetch(`${origin}/callback?error=access_denied&state=nope`);
    expect(forgedError.status).toBe(400);
    await forgedError.text();
    expect(exchanged).toEqual([]);
    expect(ignored).toHaveLength(3);
    expect(ignored.join('\n')).not.toContain('forged-code');
    expect(await still(server.result)).toBe('waiting');

    const res = await fetch(good);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Logged in');
    expect(await server.result).toBe('Logged in with good-code.');
    expect(exchanged).toEqual(['good-code']);

    // Once settled, the server is gone: nothing more can reach the login.
    await expect(fetch(good)).rejects.toThrow();
    expect(exchanged).toEqual(['good-code']);
  });

  it('an <img>-style GET from a web page with a forged state cannot end the login', async () => {
    const { server, state, origin, exchanged, good } = await start();
    // What a browser sends for <img src="http://127.0.0.1:PORT/callback?code=x&state=y"> on a
    // foreign page: the right Host (it is our address), a foreign Referer, an image Accept.
    const img = await raw(
      server.port,
      [
        `GET /callback?code=x&state=y HTTP/1.1`,
        `Host: 127.0.0.1:${server.port}`,
        'Accept: image/avif,image/webp,image/*,*/*;q=0.8',
        'Referer: https://evil.example/page.html',
        'Sec-Fetch-Dest: image',
        'Sec-Fetch-Mode: no-cors',
        'Sec-Fetch-Site: cross-site',
        '',
        '',
      ].join('\r\n'),
    );
    expect(img.status).toBe(400);
    expect(exchanged).toEqual([]);
    expect(await still(server.result)).toBe('waiting');
    expect(state).not.toBe('y');
    const res = await fetch(good);
    expect(res.status).toBe(200);
    await res.text();
    expect(await server.result).toBe('Logged in with good-code.');
    expect(origin).toContain(String(server.port));
  });

  it('forged callbacks sent together with the real one: the real one still wins', async () => {
    const { server, origin, exchanged, good } = await start();
    const forged = Array.from({ length: 20 }, (_, i) => fetch(`${origin}/callback?code=f${i}&state=s${i}`));
    const all = await Promise.all([...forged.slice(0, 10), fetch(good), ...forged.slice(10)]);
    const statuses = await Promise.all(
      all.map(async (r) => {
        await r.text();
        return r.status;
      }),
    );
    expect(statuses.filter((s) => s === 400)).toHaveLength(20);
    expect(statuses[10]).toBe(200);
    expect(exchanged).toEqual(['good-code']);
    expect(await server.result).toBe('Logged in with good-code.');
  });

  it('an error callback with the right state ends the login (400, result rejects)', async () => {
    const { server, state, origin, exchanged } = await start();
    const res = await fetch(`${origin}/callback?error=access_denied&state=${state}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Upstox redirected with an error: access_denied.');
    await expect(server.result).rejects.toMatchObject({ code: 'HFT_AUTH_CALLBACK_INVALID' });
    expect(exchanged).toEqual([]);
  });
});
