import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';

/** A secret that must never show up in any printed or serialised output. */
export const SECRET = 'S3cr3t-VALUE-9f8e7d6c';

/** Valid credentials in the file format. */
export const CREDS = {
  client_id: 'my-api-key-123',
  client_secret: SECRET,
  redirect_uri: 'http://127.0.0.1:5000/callback',
};

const created: string[] = [];

afterEach(async () => {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh temporary directory, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hft-config-test-'));
  created.push(dir);
  return dir;
}

/** Writes `content` (JSON-encoded unless a string) with `mode`, creating parent directories. */
export async function writeAt(path: string, content: unknown, mode = 0o600): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content), { mode });
  await chmod(path, mode);
  return path;
}
