import type * as NodeCrypto from 'node:crypto';
import { ErrorCodes, InputError, StorageError } from '@hft/errors';
import { isPlainObject } from '../assert.js';

// node:crypto is loaded on first use rather than imported: loading it costs a few ms of start-up,
// and a short command that only reads a plain record (`hft token`) never needs it.
const crypto = (): typeof NodeCrypto => process.getBuiltinModule('node:crypto');

/** Marker and version of the sealed envelope; a plain record never has this field. */
const MARK = 'hft_sealed';
const VERSION = 1;
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;

/**
 * Seals and opens serialised token records with AES-256-GCM. The envelope is JSON (so a sealed
 * file is still a JSON file) carrying a key id, the IV, the tag and, for passphrase keys, the
 * scrypt salt. The account key is bound as additional data: a record moved to another account
 * fails to open.
 */
export interface RecordCipher {
  /** Fingerprint of the key (16 hex chars): tells a wrong key from a tampered record. */
  readonly keyId: string;
  /** Encrypts `plaintext`, binding `aad` (the account key). Returns the JSON envelope. */
  seal(plaintext: string, aad: string): string;
  /**
   * Decrypts an envelope made by {@link seal}.
   * @throws StorageError `HFT_STORAGE_WRONG_KEY` (sealed with another key) or
   *   `HFT_STORAGE_TAMPERED` (right key, but the data or its account binding was altered).
   */
  open(envelope: string, aad: string, context: { backend: string; key?: string }): string;
}

/** Options of {@link createRecordCipher}: exactly one of `key` and `passphrase`. */
export type RecordCipherOptions =
  | { /** 32 bytes, or their base64. */ key: Uint8Array | string; passphrase?: never }
  | {
      /** Any non-empty passphrase; stretched with scrypt (N=2^15, r=8, p=1). */ passphrase: string;
      key?: never;
    };

interface Envelope {
  [MARK]: number;
  alg: 'A256GCM';
  kid: string;
  iv: string;
  tag: string;
  ct: string;
  salt?: string;
}

/** True when `text` is a sealed envelope (rather than a plain JSON record). */
export function isSealed(text: string): boolean {
  if (!text.includes(MARK)) return false;
  try {
    const parsed: unknown = JSON.parse(text);
    return isPlainObject(parsed) && typeof parsed[MARK] === 'number';
  } catch {
    return false;
  }
}

const IV_BYTES = 12;
const IV_POOL_BYTES = IV_BYTES * 256;
let ivPool = Buffer.alloc(0);
let ivOffset = 0;

/**
 * A fresh random 96-bit GCM IV. Taken from a pool the CSPRNG refills 256 IVs at a time: one
 * `randomBytes` call per seal costs more than the AES work on a token-sized record. Every IV is
 * used once, so this is as random as asking each time.
 */
function nextIv(): Buffer {
  if (ivOffset + IV_BYTES > ivPool.length) {
    // A new buffer, not a refill in place: IVs already handed out must not change under a caller.
    ivPool = crypto().randomFillSync(Buffer.allocUnsafe(IV_POOL_BYTES));
    ivOffset = 0;
  }
  const iv = ivPool.subarray(ivOffset, ivOffset + IV_BYTES);
  ivOffset += IV_BYTES;
  return iv;
}

// The account keys a process seals for are few; their bytes are made once.
const aadCache = new Map<string, Buffer>();
function aadBytes(aad: string): Buffer {
  let bytes = aadCache.get(aad);
  if (bytes === undefined) {
    bytes = Buffer.from(aad, 'utf8');
    if (aadCache.size < 1024) aadCache.set(aad, bytes);
  }
  return bytes;
}

function fingerprint(key: Buffer): string {
  return crypto().createHash('sha256').update('hft-key-id\0').update(key).digest('hex').slice(0, 16);
}

/** A key ready for use: a KeyObject (each cipher then uses it as is) and its fingerprint. */
interface CipherKey {
  key: NodeCrypto.KeyObject;
  id: string;
}

function cipherKey(bytes: Buffer): CipherKey {
  return { key: crypto().createSecretKey(bytes), id: fingerprint(bytes) };
}

function decodeKey(key: Uint8Array | string): Buffer {
  const buf = typeof key === 'string' ? Buffer.from(key, 'base64') : Buffer.from(key);
  if (buf.length !== 32) {
    throw new InputError('key must be 32 bytes (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)', {
      details: { argument: 'key' },
    });
  }
  return buf;
}

/**
 * Creates a {@link RecordCipher} from a raw 32-byte key or a passphrase. A passphrase is
 * stretched once per salt and cached, so only the first read of a record pays for scrypt.
 * @throws InputError for a key that is not 32 bytes or an empty passphrase.
 */
export function createRecordCipher(options: RecordCipherOptions): RecordCipher {
  const fromPassphrase = options.passphrase !== undefined;
  if (fromPassphrase && (typeof options.passphrase !== 'string' || options.passphrase.length === 0)) {
    throw new InputError('passphrase must be a non-empty string', { details: { argument: 'passphrase' } });
  }
  // Keys derived from the passphrase per salt, with their fingerprints (both cost more than a seal).
  const derived = new Map<string, CipherKey>();
  const deriveFor = (salt: string): CipherKey => {
    let entry = derived.get(salt);
    if (!entry) {
      entry = cipherKey(
        crypto().scryptSync(options.passphrase as string, Buffer.from(salt, 'base64'), 32, SCRYPT),
      );
      derived.set(salt, entry);
    }
    return entry;
  };
  const ownSalt = fromPassphrase ? crypto().randomBytes(16).toString('base64') : undefined;
  const own = fromPassphrase
    ? deriveFor(ownSalt as string)
    : cipherKey(decodeKey(options.key as Uint8Array | string));
  const ownKey = own.key;
  const keyId = own.id;

  return {
    keyId,
    seal(plaintext, aad) {
      const iv = nextIv();
      const cipher = crypto().createCipheriv('aes-256-gcm', ownKey, iv);
      cipher.setAAD(aadBytes(aad));
      // GCM is a stream mode: final() adds nothing, so the update is the whole ciphertext.
      const ct = cipher.update(plaintext, 'utf8');
      cipher.final();
      // Every value is base64 or hex, which JSON needs no escapes for: the envelope is written
      // directly (the same text JSON.stringify gives, without scanning the ciphertext again).
      return (
        `{"${MARK}":${VERSION},"alg":"A256GCM","kid":"${keyId}","iv":"${iv.toString('base64')}",` +
        `"tag":"${cipher.getAuthTag().toString('base64')}","ct":"${ct.toString('base64')}"` +
        `${ownSalt === undefined ? '' : `,"salt":"${ownSalt}"`}}`
      );
    },
    open(text, aad, context) {
      const fail = (
        code: typeof ErrorCodes.STORAGE_WRONG_KEY | typeof ErrorCodes.STORAGE_TAMPERED,
        why: string,
      ) =>
        new StorageError(`${context.backend} store: ${why}${context.key ? ` (${context.key})` : ''}`, {
          backend: context.backend,
          code,
          details: {
            backend: context.backend,
            operation: 'get',
            ...(context.key ? { key: context.key } : {}),
          },
        });
      let env: Envelope;
      try {
        const parsed: unknown = JSON.parse(text);
        if (!isPlainObject(parsed) || parsed[MARK] !== VERSION) throw new Error('not an envelope');
        env = parsed as unknown as Envelope;
        for (const field of ['kid', 'iv', 'tag', 'ct'] as const) {
          if (typeof env[field] !== 'string') throw new Error(field);
        }
      } catch {
        throw fail(ErrorCodes.STORAGE_TAMPERED, 'the encrypted record is malformed (altered or truncated)');
      }
      let key: CipherKey;
      if (env.salt !== undefined) {
        if (!fromPassphrase)
          throw fail(
            ErrorCodes.STORAGE_WRONG_KEY,
            'the record was encrypted with a passphrase, but a raw key is configured',
          );
        key = deriveFor(env.salt);
      } else {
        if (fromPassphrase)
          throw fail(
            ErrorCodes.STORAGE_WRONG_KEY,
            'the record was encrypted with a raw key, but a passphrase is configured',
          );
        key = own;
      }
      if (key.id !== env.kid) {
        throw fail(
          ErrorCodes.STORAGE_WRONG_KEY,
          'the record was encrypted with a different key (check HFT_MASTER_KEY / the passphrase)',
        );
      }
      try {
        const decipher = crypto().createDecipheriv('aes-256-gcm', key.key, Buffer.from(env.iv, 'base64'));
        decipher.setAAD(aadBytes(aad));
        decipher.setAuthTag(Buffer.from(env.tag, 'base64'));
        return Buffer.concat([decipher.update(Buffer.from(env.ct, 'base64')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        throw fail(
          ErrorCodes.STORAGE_TAMPERED,
          'the encrypted record failed authentication: it was altered or moved from another account',
        );
      }
    },
  };
}

/**
 * The cipher configured by the environment: `HFT_MASTER_KEY` (base64 of 32 bytes) or
 * `HFT_MASTER_PASSPHRASE`; `undefined` when neither is set (records stay plain).
 * @throws InputError when both are set or the key is malformed.
 */
export function cipherFromEnv(
  env: Record<string, string | undefined> = process.env,
): RecordCipher | undefined {
  const key = env.HFT_MASTER_KEY;
  const passphrase = env.HFT_MASTER_PASSPHRASE;
  if (key && passphrase) {
    throw new InputError('Set only one of HFT_MASTER_KEY and HFT_MASTER_PASSPHRASE', {
      details: { argument: 'HFT_MASTER_KEY' },
    });
  }
  if (key) {
    try {
      return createRecordCipher({ key });
    } catch (error) {
      throw new InputError('HFT_MASTER_KEY must be the base64 of 32 bytes (`openssl rand -base64 32`)', {
        cause: error,
        details: { argument: 'HFT_MASTER_KEY' },
      });
    }
  }
  if (passphrase) return createRecordCipher({ passphrase });
  return undefined;
}
