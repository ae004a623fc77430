import {
  accountKey,
  assertTokenRecord,
  type KindToken,
  kindExpiry,
  parseAccountKey,
  RECORD_VERSION,
  type TokenKind,
  type TokenRecord,
  type TokenSource,
} from '@hft/auth-core/store';
import { InputError } from '@hft/errors';
import { invalidArgument } from '@hft/errors/assert';
import { parseIsoAsIst, toIstIso, tokenExpiry } from '@hft/time/core';

/**
 * The `version` written in every file of this format: 2 since credential sets (1 held one access
 * token and an extended token without times of its own). Both are read.
 */
export const FORMAT_VERSION = RECORD_VERSION;

/** The versions this format reads (absent `version`: the original Python module's file). */
export const READABLE_VERSIONS: readonly number[] = [1, FORMAT_VERSION];

/** Kinds kept under `tokens` (the daily token and the extended token's secret stay flat). */
const NESTED_KINDS: readonly TokenKind[] = ['extended', 'analytics', 'sandbox'];

/**
 * Marker field of a sealed envelope (see `RecordCipher`), only to tell whose file it is without
 * the key: sealing and opening belong to the shared codec (`file-record-format.ts`).
 */
const SEALED_MARK = 'hft_sealed';

/** Fields of the on-disk record; anything else at the top level of an old file goes to `extra`. */
const KNOWN_FIELDS = new Set([
  'version',
  'account_key',
  'account_name',
  'client_id',
  'access_token',
  'extended_token',
  'user_id',
  'user_name',
  'email',
  'broker',
  'exchanges',
  'products',
  'order_types',
  'user_type',
  'poa',
  'is_active',
  'issued_at',
  'expires_at',
  'source',
  'tokens',
  'extra',
]);

const SOURCES: ReadonlySet<string> = new Set(['oauth', 'request', 'manual', 'console']);

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function wholeMs(value: number, argument: string): number {
  if (!Number.isInteger(value)) {
    throw invalidArgument(
      argument,
      'whole epoch milliseconds (the file keeps ISO 8601 times to the millisecond)',
    );
  }
  return value;
}

/**
 * The on-disk object of `record`: snake_case fields of the original token file, times as ISO 8601
 * with the `+05:30` offset, `version` first, unknown broker fields nested under `extra` (so they
 * can never collide with a field of the format). The daily token keeps the original flat fields
 * (`access_token`, `issued_at`, `expires_at`, `source`) and the extended token its flat
 * `extended_token`, so readers of the original file still find them; every other kind, and the
 * extended token's own times, live under `tokens`. Absent optional fields are left out.
 *
 * @throws InputError when a time is not whole milliseconds within the `Date` range.
 */
export function toFileObject(record: TokenRecord): JsonObject {
  const daily = record.tokens.daily;
  const tokens: JsonObject = {};
  for (const kind of NESTED_KINDS) {
    const held = record.tokens[kind];
    if (!held) continue;
    tokens[kind] = {
      ...(kind === 'extended' ? {} : { access_token: held.token }),
      issued_at: toIstIso(wholeMs(held.issuedAt, `record.tokens.${kind}.issuedAt`)),
      expires_at: toIstIso(wholeMs(held.expiresAt, `record.tokens.${kind}.expiresAt`)),
      source: held.source,
    };
  }
  const out: JsonObject = {
    version: FORMAT_VERSION,
    account_key: record.accountKey,
    account_name: record.accountName,
    client_id: record.clientId,
    access_token: daily?.token,
    extended_token: record.tokens.extended?.token,
    user_id: record.userId,
    user_name: record.userName,
    email: record.email,
    broker: record.broker,
    exchanges: [...record.exchanges],
    products: [...record.products],
    order_types: [...record.orderTypes],
    user_type: record.userType,
    poa: record.poa,
    is_active: record.isActive,
    issued_at: daily && toIstIso(wholeMs(daily.issuedAt, 'record.tokens.daily.issuedAt')),
    expires_at: daily && toIstIso(wholeMs(daily.expiresAt, 'record.tokens.daily.expiresAt')),
    source: daily?.source,
    tokens: Object.keys(tokens).length > 0 ? tokens : undefined,
    extra: record.extra,
  };
  for (const [name, value] of Object.entries(out)) if (value === undefined) delete out[name];
  return out;
}

/**
 * Parses file text into its top-level object.
 * @throws InputError when the text is not JSON or not an object (the store reports it as corrupt).
 */
export function parseFileText(text: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputError(
      // The whole message is the problem: "the file is empty", not "file is ..." (argument first).
      text.trim().length === 0 ? 'the file is empty' : 'the file is not valid JSON (truncated or altered)',
      { details: { argument: 'file' } },
    );
  }
  if (!isObject(parsed)) throw invalidArgument('the file', 'a JSON object');
  return parsed;
}

/** What a file is, learned without decrypting or fully decoding it. */
export interface FileIdentity {
  /** The content is a sealed envelope (`RecordCipher`). */
  sealed: boolean;
  /** `version` of a plain file; `undefined` for files of the original Python module. */
  version: number | undefined;
  /**
   * The account key the file belongs to; `undefined` when it cannot be told (an original-format
   * file and no `clientId` option).
   */
  key: string | undefined;
}

/**
 * Tells what `file` holds: sealed or plain, which format version, which account. Plain files of
 * this format carry `account_key`; sealed ones carry it in clear next to the envelope (it is the
 * envelope's additional data, so editing it makes the record fail to open); files of the original
 * module have neither, and their key is `upstox:<clientId>:<user_id>`, the client id taken from
 * the file's own `client_id` or else from the store's `clientId` option.
 *
 * @throws InputError when identifying fields have the wrong type (the file is corrupt).
 */
export function identifyFile(file: JsonObject, clientId: string | undefined): FileIdentity {
  const key = file.account_key;
  if (key !== undefined && (typeof key !== 'string' || !parseAccountKey(key))) {
    throw invalidArgument('account_key', 'an account key upstox:<client_id>:<user_id>');
  }
  if (SEALED_MARK in file) {
    if (typeof file[SEALED_MARK] !== 'number') throw invalidArgument(SEALED_MARK, 'a number');
    return { sealed: true, version: undefined, key };
  }
  const version = file.version;
  if (version !== undefined && (typeof version !== 'number' || !Number.isInteger(version))) {
    throw invalidArgument('version', 'an integer');
  }
  if (key !== undefined) return { sealed: false, version, key };
  if (version !== undefined) throw invalidArgument('account_key', 'present in a version 1 file');
  const client = typeof file.client_id === 'string' && file.client_id.length > 0 ? file.client_id : clientId;
  const user = file.user_id;
  if (typeof user !== 'string' || user.length === 0) throw invalidArgument('user_id', 'a non-empty string');
  if (client === undefined) return { sealed: false, version, key: undefined };
  const legacyKey = accountKey(client, user);
  if (!parseAccountKey(legacyKey)) throw invalidArgument('user_id', 'free of ":"');
  return { sealed: false, version, key: legacyKey };
}

class FieldReader {
  constructor(
    private readonly file: JsonObject,
    private readonly lenient: boolean,
  ) {}

  private value(field: string): unknown {
    const value = this.file[field];
    // Python wrote None for unknown values; our own files never contain null.
    return value === null ? undefined : value;
  }

  requiredString(field: string): string {
    const value = this.value(field);
    if (typeof value !== 'string' || value.length === 0) throw invalidArgument(field, 'a non-empty string');
    return value;
  }

  optionalString(field: string): string | undefined {
    const value = this.value(field);
    if (value !== undefined && typeof value !== 'string') throw invalidArgument(field, 'a string');
    return value;
  }

  optionalBoolean(field: string): boolean | undefined {
    const value = this.value(field);
    if (value !== undefined && typeof value !== 'boolean') throw invalidArgument(field, 'true or false');
    return value;
  }

  strings(field: string): string[] {
    const value = this.value(field);
    if (value === undefined && this.lenient) return [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      throw invalidArgument(field, 'an array of strings');
    }
    return [...(value as string[])];
  }

  time(field: string): number {
    const value = this.value(field);
    if (typeof value !== 'string') throw invalidArgument(field, 'an ISO 8601 date-time');
    return parseIsoAsIst(value, field);
  }

  hasValue(field: string): boolean {
    return this.value(field) !== undefined;
  }
}

function kindSource(value: unknown, field: string): TokenSource {
  if (typeof value !== 'string' || !SOURCES.has(value))
    throw invalidArgument(field, 'one of oauth, request, manual, console');
  return value as TokenSource;
}

/** The nested `tokens.<kind>` entry, or `undefined`. */
function nestedToken(
  file: JsonObject,
  kind: TokenKind,
  flatToken: string | undefined,
): KindToken | undefined {
  const tokens = file.tokens;
  if (tokens === undefined || tokens === null) return undefined;
  if (!isObject(tokens)) throw invalidArgument('tokens', 'an object');
  const entry = tokens[kind];
  if (entry === undefined || entry === null) return undefined;
  if (!isObject(entry)) throw invalidArgument(`tokens.${kind}`, 'an object');
  const read = new FieldReader(entry, false);
  const token = kind === 'extended' ? flatToken : read.requiredString('access_token');
  if (token === undefined) throw invalidArgument('extended_token', `present when tokens.extended is`);
  return {
    token,
    issuedAt: read.time('issued_at'),
    expiresAt: read.time('expires_at'),
    source: kindSource(entry.source, `tokens.${kind}.source`),
  };
}

/**
 * Decodes a plain file object (version 2, version 1, or the original module's format when
 * `version` is absent) into the credential set stored under `key`.
 *
 * Versioned files are read strictly. Original-format files are read leniently, as the Python
 * module wrote them: naive times are IST wall time, `null` means absent, missing lists are empty,
 * a missing `expires_at` follows the 03:30 IST rule, a missing `source` is `oauth`, and unknown
 * top-level fields are kept in `extra`. Files before version 2 hold one daily token and an
 * extended token without times: it gets its real expiry (its JWT `exp`, else a year after the
 * daily token's issue time).
 *
 * @throws InputError naming the first field at fault (the store reports it as corrupt).
 */
export function fromFileObject(file: JsonObject, key: string): TokenRecord {
  const legacy = file.version === undefined;
  const credentialSet = typeof file.version === 'number' && file.version >= 2;
  const read = new FieldReader(file, legacy);
  const parsedKey = parseAccountKey(key);
  const record: TokenRecord = {
    accountKey: key,
    clientId: legacy
      ? (read.optionalString('client_id') ?? parsedKey?.clientId ?? '')
      : read.requiredString('client_id'),
    userId: read.requiredString('user_id'),
    exchanges: read.strings('exchanges'),
    products: read.strings('products'),
    orderTypes: read.strings('order_types'),
    tokens: {},
  };
  if (credentialSet) record.version = file.version as number;

  // The daily token: always there before version 2; optional since (a data-only account).
  if (!credentialSet || read.hasValue('access_token')) {
    const issuedAt = read.time('issued_at');
    record.tokens.daily = {
      token: read.requiredString('access_token'),
      issuedAt,
      expiresAt: legacy && !read.hasValue('expires_at') ? tokenExpiry(issuedAt) : read.time('expires_at'),
      source:
        legacy && !read.hasValue('source') ? 'oauth' : kindSource(read.requiredString('source'), 'source'),
    };
  }
  // An empty extended token is how some writers said "none".
  const flatExtended = read.optionalString('extended_token') || undefined;
  for (const kind of NESTED_KINDS) {
    const held = credentialSet ? nestedToken(file, kind, flatExtended) : undefined;
    if (held) record.tokens[kind] = held;
  }
  if (flatExtended !== undefined && record.tokens.extended === undefined) {
    const daily = record.tokens.daily;
    if (credentialSet || !daily) throw invalidArgument('tokens.extended', 'present when extended_token is');
    record.tokens.extended = {
      token: flatExtended,
      issuedAt: daily.issuedAt,
      expiresAt: kindExpiry('extended', flatExtended, daily.issuedAt),
      source: daily.source,
    };
  }

  const optional = {
    accountName: read.optionalString('account_name'),
    userName: read.optionalString('user_name'),
    email: read.optionalString('email'),
    broker: read.optionalString('broker'),
    userType: read.optionalString('user_type'),
    poa: read.optionalBoolean('poa'),
    isActive: read.optionalBoolean('is_active'),
  };
  for (const [name, value] of Object.entries(optional)) {
    if (value !== undefined) (record as unknown as JsonObject)[name] = value;
  }

  const extra = file.extra;
  if (extra !== undefined && extra !== null && !isObject(extra)) throw invalidArgument('extra', 'an object');
  const collected: JsonObject = isObject(extra) ? { ...extra } : {};
  if (legacy) {
    for (const [name, value] of Object.entries(file)) if (!KNOWN_FIELDS.has(name)) collected[name] = value;
  }
  if (isObject(extra) || Object.keys(collected).length > 0) record.extra = collected;

  assertTokenRecord(record, 'file record');
  return record;
}
