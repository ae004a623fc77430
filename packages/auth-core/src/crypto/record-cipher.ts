import type * as NodeCrypto from 'node:crypto';
import { ErrorCodes, InputError, StorageError } from '@hft/errors';
import { argumentError, assertNonEmptyString, invalidArgument, isPlainObject } from '@hft/errors/assert';

// node:crypto is loaded on first use rather than imported: loading it costs a few ms of start-up,
// and a short command that only reads a plain record (`hft token`) never needs it.
const crypto = (): typeof NodeCrypto => process.getBuiltinModule('node:crypto');

/** Marker and version of the sealed envelope; a plain record never has this field. */
const MARK = 'hft_sealed';
/**
 * Every sealed envelope contains this text (so does its JSON-escaped copy): a store that checks
 * values outside JavaScript (a Redis script) can tell "certainly not sealed" from "ask
 * {@link isSealed}" without the codec.
 */
export const SEALED_MARK = MARK;
const VERSION = 1;
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;

/**
 * Seals and opens serialised token records with AES-256-GCM. The envelope is JSON (so a sealed
 * file is still a JSON file) carrying a key id, the IV, the 16-byte tag and, for passphrase keys,
 * the scrypt salt. The account key is bound as additional data: a record moved to another account
 * fails to open. A cipher may also hold a previous key, which opens records but never seals them
 * (key rotation: `hft store rekey`).
 */
export interface RecordCipher {
  /** Fingerprint of the key (16 hex chars): tells a wrong key from a tampered record. */
  readonly keyId: string;
  /**
   * Whether stores using this cipher may read a plain (unsealed) record; it is sealed at its
   * next save. Default `false`: a plain record is refused with `HFT_STORAGE_UNSEALED`.
   */
  readonly allowPlaintext?: boolean;
  /** Encrypts `plaintext` with the current key, binding `aad` (the account key). Returns the JSON envelope. */
  seal(plaintext: string, aad: string): string;
  /**
   * Decrypts an envelope made by {@link seal}, with the current key or the previous one.
   * @throws StorageError `HFT_STORAGE_WRONG_KEY` (sealed with another key) or
   *   `HFT_STORAGE_TAMPERED` (right key, but the data, its tag or its account binding was altered).
   */
  open(envelope: string, aad: string, context: { backend: string; key?: string; operation?: string }): string;
}

/** One key: exactly one of `key` and `passphrase`. */
export type RecordKeyOptions =
  | { /** 32 bytes, or their base64. */ key: Uint8Array | string; passphrase?: never }
  | {
      /** Any non-empty passphrase; stretched with scrypt (N=2^15, r=8, p=1). */ passphrase: string;
      key?: never;
    };

/** Options of {@link createRecordCipher}: the current key, plus optional rotation and migration settings. */
export type RecordCipherOptions = RecordKeyOptions & {
  /** The key records were sealed with before the current one: opens them, never seals. */
  previous?: RecordKeyOptions;
  /** Read plain records too (gradual migration); see {@link RecordCipher.allowPlaintext}. Default false. */
  allowPlaintext?: boolean;
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

function decodeKey(key: Uint8Array | string, argument: string): Buffer {
  const buf = typeof key === 'string' ? Buffer.from(key, 'base64') : Buffer.from(key);
  if (buf.length !== 32) {
    throw invalidArgument(argument, '32 bytes (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)');
  }
  return buf;
}

/** GCM tag length we write and require: a shorter tag would make forging a record feasible. */
const TAG_BYTES = 16;

/** A configured key: a raw key, or a passphrase whose key depends on each envelope's salt. */
interface KeySlot {
  passphrase: boolean;
  /** The key for an envelope with `salt` (ignored for a raw key). */
  forSalt(salt: string | undefined): CipherKey;
}

function keySlot(options: RecordKeyOptions, argument: string): KeySlot {
  if (options.passphrase !== undefined) {
    const passphrase = options.passphrase;
    assertNonEmptyString(passphrase, argument);
    // Keys derived from the passphrase per salt, with their fingerprints (both cost more than a seal).
    const derived = new Map<string, CipherKey>();
    return {
      passphrase: true,
      forSalt(salt) {
        const s = salt as string;
        let entry = derived.get(s);
        if (!entry) {
          entry = cipherKey(crypto().scryptSync(passphrase, Buffer.from(s, 'base64'), 32, SCRYPT));
          derived.set(s, entry);
        }
        return entry;
      },
    };
  }
  const own = cipherKey(decodeKey(options.key as Uint8Array | string, argument));
  return { passphrase: false, forSalt: () => own };
}

/**
 * Creates a {@link RecordCipher} from a raw 32-byte key or a passphrase, optionally with the
 * previous key (`previous`, opens only) and `allowPlaintext`. A passphrase is stretched once per
 * salt and cached, so only the first read of a record pays for scrypt.
 * @throws InputError for a key that is not 32 bytes or an empty passphrase.
 */
export function createRecordCipher(options: RecordCipherOptions): RecordCipher {
  const current = keySlot(options, options.passphrase !== undefined ? 'passphrase' : 'key');
  const previous =
    options.previous === undefined
      ? undefined
      : keySlot(
          options.previous,
          options.previous.passphrase !== undefined ? 'previous.passphrase' : 'previous.key',
        );
  const slots = previous ? [current, previous] : [current];
  const ownSalt = current.passphrase ? crypto().randomBytes(16).toString('base64') : undefined;
  const own = current.forSalt(ownSalt);
  const ownKey = own.key;
  const keyId = own.id;

  return {
    keyId,
    allowPlaintext: options.allowPlaintext === true,
    seal(plaintext, aad) {
      const iv = nextIv();
      const cipher = crypto().createCipheriv('aes-256-gcm', ownKey, iv, { authTagLength: TAG_BYTES });
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
            operation: context.operation ?? 'get',
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
        if (env.salt !== undefined && typeof env.salt !== 'string') throw new Error('salt');
      } catch {
        throw fail(ErrorCodes.STORAGE_TAMPERED, 'the encrypted record is malformed (altered or truncated)');
      }
      const sealedWithPassphrase = env.salt !== undefined;
      const sameKind = slots.filter((slot) => slot.passphrase === sealedWithPassphrase);
      if (sameKind.length === 0) {
        throw fail(
          ErrorCodes.STORAGE_WRONG_KEY,
          sealedWithPassphrase
            ? 'the record was encrypted with a passphrase, but a raw key is configured'
            : 'the record was encrypted with a raw key, but a passphrase is configured',
        );
      }
      const key = sameKind
        .map((slot) => slot.forSalt(env.salt))
        .find((candidate) => candidate.id === env.kid);
      if (key === undefined) {
        throw fail(
          ErrorCodes.STORAGE_WRONG_KEY,
          'the record was encrypted with a different key (check HFT_MASTER_KEY / the passphrase, or set the old one as HFT_MASTER_KEY_PREVIOUS / HFT_MASTER_PASSPHRASE_PREVIOUS)',
        );
      }
      const tampered = () =>
        fail(
          ErrorCodes.STORAGE_TAMPERED,
          'the encrypted record failed authentication: it was altered or moved from another account',
        );
      const tag = Buffer.from(env.tag, 'base64');
      const iv = Buffer.from(env.iv, 'base64');
      // Node accepts GCM tags of 4 to 16 bytes; a truncated tag is a forgery made cheaper.
      if (tag.length !== TAG_BYTES || iv.length !== IV_BYTES) throw tampered();
      try {
        const decipher = crypto().createDecipheriv('aes-256-gcm', key.key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(aadBytes(aad));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(Buffer.from(env.ct, 'base64')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        throw tampered();
      }
    },
  };
}

/** Options of {@link cipherFromEnv}. */
export interface CipherFromEnvOptions {
  /** Let the cipher read plain records (see {@link RecordCipher.allowPlaintext}). Default false. */
  allowPlaintext?: boolean;
}

function keyFromEnv(
  env: Record<string, string | undefined>,
  keyVar: string,
  passphraseVar: string,
): RecordKeyOptions | undefined {
  const key = env[keyVar];
  const passphrase = env[passphraseVar];
  if (key && passphrase) {
    throw argumentError(keyVar, `and ${passphraseVar} are both set: set only one of them`);
  }
  if (key) {
    try {
      decodeKey(key, keyVar);
    } catch (error) {
      throw invalidArgument(keyVar, 'the base64 of 32 bytes (`openssl rand -base64 32`)', { cause: error });
    }
    return { key };
  }
  if (passphrase) return { passphrase };
  return undefined;
}

/**
 * The cipher configured by the environment: `HFT_MASTER_KEY` (base64 of 32 bytes) or
 * `HFT_MASTER_PASSPHRASE`, plus optionally the key before it, `HFT_MASTER_KEY_PREVIOUS` or
 * `HFT_MASTER_PASSPHRASE_PREVIOUS` (opens records, never seals); `undefined` when no current key
 * is set (records stay plain).
 * @throws InputError when both of a pair are set, a key is malformed, or only a previous key is set.
 */
export function cipherFromEnv(
  env: Record<string, string | undefined> = process.env,
  options: CipherFromEnvOptions = {},
): RecordCipher | undefined {
  const current = keyFromEnv(env, 'HFT_MASTER_KEY', 'HFT_MASTER_PASSPHRASE');
  const previous = keyFromEnv(env, 'HFT_MASTER_KEY_PREVIOUS', 'HFT_MASTER_PASSPHRASE_PREVIOUS');
  if (!current) {
    if (previous) {
      throw new InputError(
        'HFT_MASTER_KEY_PREVIOUS / HFT_MASTER_PASSPHRASE_PREVIOUS is set without HFT_MASTER_KEY or HFT_MASTER_PASSPHRASE (a previous key only opens records; set the current one too)',
        { details: { argument: 'HFT_MASTER_KEY_PREVIOUS' } },
      );
    }
    return undefined;
  }
  return createRecordCipher({
    ...current,
    ...(previous ? { previous } : {}),
    ...(options.allowPlaintext ? { allowPlaintext: true } : {}),
  } as RecordCipherOptions);
}
