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
  version: 2,
  accountKey: 'upstox:c:U1',
  clientId: 'c',
  userId: 'U1',
  exchanges: ['NSE'],
  products: ['D'],
  orderTypes: ['LIMIT'],
  tokens: { daily: { token: 'very-secret-access-token', issuedAt: 1, expiresAt: 2, source: 'manual' } },
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

  it('refuses a tag shorter than 16 bytes (4 and 15 bytes: tampered), even when its bytes are right', () => {
    const cipher = createRecordCipher({ key: randomBytes(32) });
    const env = JSON.parse(cipher.seal('payload', 'k')) as Record<string, string>;
    const tag = Buffer.from(env.tag as string, 'base64');
    expect(tag).toHaveLength(16);
    for (const bytes of [4, 15]) {
      // A truncated GCM tag is a valid shorter tag for the same data: Node would accept it.
      const truncated = JSON.stringify({ ...env, tag: tag.subarray(0, bytes).toString('base64') });
      expect(() => cipher.open(truncated, 'k', ctx)).toThrow(
        expect.objectContaining({ code: 'HFT_STORAGE_TAMPERED' }),
      );
    }
    expect(cipher.open(JSON.stringify(env), 'k', ctx)).toBe('payload');
  });

  it('opens with the previous key but never seals with it (raw keys and passphrases)', () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const sealedOld = createRecordCipher({ key: oldKey }).seal('old', 'k');
    const rotating = createRecordCipher({ key: newKey, previous: { key: oldKey } });
    expect(rotating.open(sealedOld, 'k', ctx)).toBe('old');
    const sealedNow = rotating.seal('new', 'k');
    expect(createRecordCipher({ key: newKey }).open(sealedNow, 'k', ctx)).toBe('new');
    expect(() => createRecordCipher({ key: oldKey }).open(sealedNow, 'k', ctx)).toThrow(
      expect.objectContaining({ code: 'HFT_STORAGE_WRONG_KEY' }),
    );
    expect(rotating.keyId).toBe(createRecordCipher({ key: newKey }).keyId);

    // From a passphrase to a raw key, and between passphrases.
    const byPassphrase = createRecordCipher({ passphrase: 'old pass' }).seal('p', 'k');
    expect(
      createRecordCipher({ key: newKey, previous: { passphrase: 'old pass' } }).open(byPassphrase, 'k', ctx),
    ).toBe('p');
    const passRotating = createRecordCipher({ passphrase: 'new pass', previous: { passphrase: 'old pass' } });
    expect(passRotating.open(byPassphrase, 'k', ctx)).toBe('p');
    const resealed = passRotating.seal('q', 'k');
    expect(() => createRecordCipher({ passphrase: 'old pass' }).open(resealed, 'k', ctx)).toThrow(
      expect.objectContaining({ code: 'HFT_STORAGE_WRONG_KEY' }),
    );
    expect(createRecordCipher({ passphrase: 'new pass' }).open(resealed, 'k', ctx)).toBe('q');
  });

  it('reads the previous key from the environment (HFT_MASTER_KEY_PREVIOUS / _PASSPHRASE_PREVIOUS)', () => {
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const sealedOld = createRecordCipher({ key: oldKey }).seal('x', 'k');
    const rotating = cipherFromEnv({ HFT_MASTER_KEY: newKey, HFT_MASTER_KEY_PREVIOUS: oldKey });
    expect(rotating?.open(sealedOld, 'k', ctx)).toBe('x');
    expect(() => cipherFromEnv({ HFT_MASTER_KEY: newKey })?.open(sealedOld, 'k', ctx)).toThrow(
      /HFT_MASTER_KEY_PREVIOUS/,
    );
    const byPass = createRecordCipher({ passphrase: 'before' }).seal('y', 'k');
    expect(
      cipherFromEnv({ HFT_MASTER_KEY: newKey, HFT_MASTER_PASSPHRASE_PREVIOUS: 'before' })?.open(
        byPass,
        'k',
        ctx,
      ),
    ).toBe('y');
    expect(() => cipherFromEnv({ HFT_MASTER_KEY_PREVIOUS: oldKey })).toThrow(/without HFT_MASTER_KEY/);
    expect(() => cipherFromEnv({ HFT_MASTER_KEY: newKey, HFT_MASTER_KEY_PREVIOUS: 'short' })).toThrow(
      /HFT_MASTER_KEY_PREVIOUS must be the base64 of 32 bytes/,
    );
    expect(() =>
      cipherFromEnv({
        HFT_MASTER_KEY: newKey,
        HFT_MASTER_KEY_PREVIOUS: oldKey,
        HFT_MASTER_PASSPHRASE_PREVIOUS: 'p',
      }),
    ).toThrow(/only one/);
    expect(cipherFromEnv({ HFT_MASTER_KEY: newKey })?.allowPlaintext).toBe(false);
    expect(cipherFromEnv({ HFT_MASTER_KEY: newKey }, { allowPlaintext: true })?.allowPlaintext).toBe(true);
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
  it('encodes plain or sealed; with a key set, a plain value is refused (HFT_STORAGE_UNSEALED)', () => {
    const key = randomBytes(32);
    const plain = createRecordCodec({ backend: 'test' });
    const sealed = createRecordCodec({ backend: 'test', cipher: createRecordCipher({ key }) });
    const plainText = plain.encode(record.accountKey, record);
    const sealedText = sealed.encode(record.accountKey, record);
    expect(sealedText).not.toContain(record.tokens.daily!.token);
    expect(sealed.decode(record.accountKey, sealedText)).toEqual(record);
    expect(() => sealed.decode(record.accountKey, plainText)).toThrow(
      expect.objectContaining({
        code: 'HFT_STORAGE_UNSEALED',
        message: expect.stringMatching(/upstox:c:U1 is not encrypted.*hft store seal/),
      }),
    );
    expect(() => plain.decode(record.accountKey, sealedText)).toThrow(
      expect.objectContaining({ code: 'HFT_STORAGE_WRONG_KEY' }),
    );
    // The documented opt-in for a gradual migration: plain values read, sealed at the next save.
    const migrating = createRecordCodec({
      backend: 'test',
      cipher: createRecordCipher({ key, allowPlaintext: true }),
    });
    expect(migrating.decode(record.accountKey, plainText)).toEqual(record);
    expect(migrating.decode(record.accountKey, sealedText)).toEqual(record);
  });

  it('refuses to overwrite a sealed value that does not open with the configured keys', () => {
    const key = randomBytes(32);
    const right = createRecordCodec({ backend: 'test', cipher: createRecordCipher({ key }) });
    const stored = right.encode(record.accountKey, record);
    const wrong = createRecordCodec({
      backend: 'test',
      cipher: createRecordCipher({ key: randomBytes(32) }),
    });
    const none = createRecordCodec({ backend: 'test' });
    for (const codec of [wrong, none]) {
      expect(() => codec.checkOverwrite(record.accountKey, stored)).toThrow(
        expect.objectContaining({
          code: 'HFT_STORAGE_WRONG_KEY',
          message: expect.stringMatching(/upstox:c:U1 .*nothing was written/),
          details: expect.objectContaining({ operation: 'set', key: record.accountKey }),
        }),
      );
    }
    // The right key, the previous key, nothing stored, and a plain value may all be replaced.
    right.checkOverwrite(record.accountKey, stored);
    createRecordCodec({
      backend: 'test',
      cipher: createRecordCipher({ key: randomBytes(32), previous: { key } }),
    }).checkOverwrite(record.accountKey, stored);
    wrong.checkOverwrite(record.accountKey, undefined);
    wrong.checkOverwrite(record.accountKey, none.encode(record.accountKey, record));
    none.checkOverwrite(record.accountKey, none.encode(record.accountKey, record));
  });

  it('reports unreadable values as HFT_STORAGE_CORRUPT naming the key', () => {
    const codec = createRecordCodec({ backend: 'test' });
    expect(() => codec.decode('upstox:c:U1', '{"accessToken":')).toThrow(/upstox:c:U1 is unreadable/);
    expect(() => codec.decode('upstox:c:U1', '{"accessToken":"x"}')).toThrow(
      expect.objectContaining({ code: 'HFT_STORAGE_CORRUPT' }),
    );
  });
});
