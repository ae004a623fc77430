import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  cipherFromEnv,
  createRecordCipher,
  createRecordCodec,
  isSealed,
  type TokenRecord,
} from '../src/index.js';

const ctx = { backend: 'test', key: 'upstox:c:U1' };
const record: TokenRecord = {
  accountKey: 'upstox:c:U1',
  clientId: 'c',
  accessToken: 'very-secret-access-token',
  userId: 'U1',
  exchanges: ['NSE'],
  products: ['D'],
  orderTypes: ['LIMIT'],
  issuedAt: 1,
  expiresAt: 2,
  source: 'manual',
  extra: { a: 1 },
};

describe('createRecordCipher', () => {
  it('round-trips with a raw key and hides the plaintext', () => {
    const cipher = createRecordCipher({ key: randomBytes(32) });
    const sealed = cipher.seal('hello secret', 'upstox:c:U1');
    expect(sealed).not.toContain('hello');
    expect(isSealed(sealed)).toBe(true);
    expect(isSealed('{"accessToken":"x"}')).toBe(false);
    expect(isSealed('not json hft_sealed')).toBe(false);
    expect(cipher.open(sealed, 'upstox:c:U1', ctx)).toBe('hello secret');
    expect(cipher.keyId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('writes the envelope exactly as JSON.stringify would (raw key and passphrase)', () => {
    for (const cipher of [
      createRecordCipher({ key: randomBytes(32) }),
      createRecordCipher({ passphrase: 'correct horse battery staple' }),
    ]) {
      const sealed = cipher.seal('{"a":"b"}', 'upstox:c:U1');
      expect(sealed).toBe(JSON.stringify(JSON.parse(sealed)));
      expect(Object.keys(JSON.parse(sealed))).toEqual(
        expect.arrayContaining(['hft_sealed', 'alg', 'kid', 'iv', 'tag', 'ct']),
      );
    }
  });

  it('never reuses an IV, across refills of the IV pool, and every seal still opens', () => {
    const cipher = createRecordCipher({ key: randomBytes(32) });
    const sealed = Array.from({ length: 1000 }, () => cipher.seal('same text', 'upstox:c:U1'));
    const ivs = sealed.map((text) => (JSON.parse(text) as { iv: string }).iv);
    expect(new Set(ivs).size).toBe(1000);
    for (const iv of ivs) expect(Buffer.from(iv, 'base64')).toHaveLength(12);
    // Opened after all were made: an IV handed out earlier was not changed by a later refill.
    for (const text of sealed) expect(cipher.open(text, 'upstox:c:U1', ctx)).toBe('same text');
  });

  it('accepts a base64 key and a passphrase; a passphrase record opens in another instance', () => {
    const b64 = randomBytes(32).toString('base64');
    expect(
      createRecordCipher({ key: b64 }).open(createRecordCipher({ key: b64 }).seal('x', 'k'), 'k', ctx),
    ).toBe('x');
    const a = createRecordCipher({ passphrase: 'correct horse battery staple' });
    const b = createRecordCipher({ passphrase: 'correct horse battery staple' });
    expect(b.open(a.seal('payload', 'k'), 'k', ctx)).toBe('payload');
  });

  it('tells a wrong key from a tampered record', () => {
    const a = createRecordCipher({ key: randomBytes(32) });
    const b = createRecordCipher({ key: randomBytes(32) });
    const sealed = a.seal('payload', 'k');
    expect(() => b.open(sealed, 'k', ctx)).toThrow(
      expect.objectContaining({ code: 'HFT_STORAGE_WRONG_KEY' }),
    );
    const env = JSON.parse(sealed);
    const flipped = Buffer.from(env.ct, 'base64');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    env.ct = flipped.toString('base64');
    expect(() => a.open(JSON.stringify(env), 'k', ctx)).toThrow(
      expect.objectContaining({ code: 'HFT_STORAGE_TAMPERED' }),
    );
    // Moved to another account: the binding fails.
    expect(() => a.open(sealed, 'other-account', ctx)).toThrow(
      expect.objectContaining({ code: 'HFT_STORAGE_TAMPERED' }),
    );
    expect(() => a.open('{"hft_sealed":1}', 'k', ctx)).toThrow(
      expect.objectContaining({ code: 'HFT_STORAGE_TAMPERED' }),
    );
    const wrongPass = createRecordCipher({ passphrase: 'other' });
    const rightPass = createRecordCipher({ passphrase: 'right' });
    expect(() => wrongPass.open(rightPass.seal('x', 'k'), 'k', ctx)).toThrow(
      expect.objectContaining({ code: 'HFT_STORAGE_WRONG_KEY' }),
    );
    expect(() => a.open(rightPass.seal('x', 'k'), 'k', ctx)).toThrow(
      expect.objectContaining({ code: 'HFT_STORAGE_WRONG_KEY' }),
    );
  });

  it('rejects bad keys, and reads the environment', () => {
    expect(() => createRecordCipher({ key: randomBytes(16) })).toThrow(
      expect.objectContaining({ code: 'HFT_INPUT_INVALID' }),
    );
    expect(() => createRecordCipher({ passphrase: '' })).toThrow(
      expect.objectContaining({ code: 'HFT_INPUT_INVALID' }),
    );
    expect(cipherFromEnv({})).toBeUndefined();
    expect(cipherFromEnv({ HFT_MASTER_KEY: randomBytes(32).toString('base64') })?.keyId).toMatch(
      /^[0-9a-f]{16}$/,
    );
    expect(() => cipherFromEnv({ HFT_MASTER_KEY: 'short' })).toThrow(/HFT_MASTER_KEY/);
    expect(() => cipherFromEnv({ HFT_MASTER_KEY: 'a', HFT_MASTER_PASSPHRASE: 'b' })).toThrow(/only one/);
  });
});

describe('createRecordCodec', () => {
  it('encodes plain or sealed, and decodes both (migration on next save)', () => {
    const cipher = createRecordCipher({ key: randomBytes(32) });
    const plain = createRecordCodec({ backend: 'test' });
    const sealed = createRecordCodec({ backend: 'test', cipher });
    const plainText = plain.encode(record.accountKey, record);
    const sealedText = sealed.encode(record.accountKey, record);
    expect(sealedText).not.toContain(record.accessToken);
    expect(sealed.decode(record.accountKey, plainText)).toEqual(record);
    expect(sealed.decode(record.accountKey, sealedText)).toEqual(record);
    expect(() => plain.decode(record.accountKey, sealedText)).toThrow(
      expect.objectContaining({ code: 'HFT_STORAGE_WRONG_KEY' }),
    );
  });

  it('reports unreadable values as HFT_STORAGE_CORRUPT naming the key', () => {
    const codec = createRecordCodec({ backend: 'test' });
    expect(() => codec.decode('upstox:c:U1', '{"accessToken":')).toThrow(/upstox:c:U1 is unreadable/);
    expect(() => codec.decode('upstox:c:U1', '{"accessToken":"x"}')).toThrow(
      expect.objectContaining({ code: 'HFT_STORAGE_CORRUPT' }),
    );
  });
});
