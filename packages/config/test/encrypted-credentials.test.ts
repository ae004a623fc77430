import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRecordCipher } from '@hft/auth-core/store';
import { afterEach, describe, expect, it } from 'vitest';
import { Credentials, loadConfig } from '../src/index.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function temp() {
  const d = await mkdtemp(join(tmpdir(), 'hft-cred-enc-'));
  dirs.push(d);
  return d;
}

const SECRET = 'super-secret-value-123';
const creds = () =>
  Credentials.fromDict({
    client_id: 'my-client',
    client_secret: SECRET,
    redirect_uri: 'http://127.0.0.1:5055/callback',
  });

describe('encrypted credentials files', () => {
  it('writes a sealed 0600 file that fromFile and loadConfig open with the same key', async () => {
    const home = await temp();
    const path = join(home, 'credentials.json');
    const cipher = createRecordCipher({ key: randomBytes(32) });
    await creds().toFile(path, { cipher });
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('my-client');
    expect(text).toContain('hft_sealed');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await Credentials.fromFile(path, { cipher })).clientSecret).toBe(SECRET);
    const { config } = await loadConfig({ env: { HFT_HOME: home }, homedir: home, cwd: home, cipher });
    expect(config.credentials.clientSecret).toBe(SECRET);
    expect(config.credentials.clientId).toBe('my-client');
  });

  it('says which: no key configured, wrong key, altered file', async () => {
    const home = await temp();
    const path = join(home, 'credentials.json');
    await creds().toFile(path, { cipher: createRecordCipher({ key: randomBytes(32) }) });
    await expect(Credentials.fromFile(path)).rejects.toThrow(/encrypted, but no key is configured/);
    await expect(loadConfig({ env: { HFT_HOME: home }, homedir: home, cwd: home })).rejects.toMatchObject({
      code: 'HFT_CONFIG_FILE',
    });
    await expect(
      Credentials.fromFile(path, { cipher: createRecordCipher({ key: randomBytes(32) }) }),
    ).rejects.toThrow(/different key/);
    const tamperedPath = join(home, 'tampered.json');
    const cipher = createRecordCipher({ passphrase: 'pass phrase' });
    await creds().toFile(tamperedPath, { cipher });
    const env = JSON.parse(await readFile(tamperedPath, 'utf8'));
    env.ct = Buffer.from('x'.repeat(40)).toString('base64');
    await import('node:fs/promises').then((fs) =>
      fs.writeFile(tamperedPath, JSON.stringify(env), { mode: 0o600 }),
    );
    await expect(Credentials.fromFile(tamperedPath, { cipher })).rejects.toThrow(/altered/);
  });

  it('still reads plain files when a cipher is given (turning encryption on migrates at next save)', async () => {
    const home = await temp();
    const path = join(home, 'credentials.json');
    await creds().toFile(path);
    const cipher = createRecordCipher({ key: randomBytes(32) });
    const read = await Credentials.fromFile(path, { cipher });
    expect(read.clientSecret).toBe(SECRET);
    await read.toFile(path, { cipher });
    expect(await readFile(path, 'utf8')).not.toContain(SECRET);
  });
});
