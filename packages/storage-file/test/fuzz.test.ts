import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertTokenRecord, createRecordCipher, type TokenRecord } from '@hft/auth-core/store';
import { ErrorCodes, isHftError } from '@hft/errors';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileTokenStore, DEFAULT_TOKEN_FILE } from '../src/index.js';

// Property-based fuzz of the file record format, through the store and real files. Each property
// is bounded (numRuns and a time cap); on a failure fast-check prints `{ seed, path }`: pass them
// in the property's parameters to replay it.
const budget = (numRuns: number): fc.Parameters<unknown> => ({ numRuns, interruptAfterTimeLimit: 1_000 });

const MARK = 'QzFuzzSecret';
const secretArb = fc.stringMatching(/^[A-Za-z0-9._~-]{4,30}$/).map((tail) => `${MARK}${tail}`);
const idArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,10}$/);
const listArb = fc.array(fc.constantFrom('NSE', 'BSE', 'D', 'I', 'MARKET', 'LIMIT'), { maxLength: 3 });
/** Whole milliseconds from 1906 to 2191: the file keeps ISO 8601 times to the millisecond. */
const msArb = fc.integer({ min: -2e12, max: 7e12 });
const textArb = fc.string({ maxLength: 10 });
const extraArb = fc.dictionary(
  fc.stringMatching(/^[a-z_]{1,8}$/),
  fc.oneof(
    fc.string({ maxLength: 6 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constant([1, 'two']),
  ),
  { maxKeys: 3 },
);

/** A record as versions before credential sets held it: one flat daily token, an extended token. */
interface FlatRecord {
  accountKey: string;
  clientId: string;
  userId: string;
  accessToken: string;
  extendedToken?: string;
  accountName?: string;
  userName?: string;
  email?: string;
  broker?: string;
  userType?: string;
  poa?: boolean;
  isActive?: boolean;
  exchanges: string[];
  products: string[];
  orderTypes: string[];
  issuedAt: number;
  expiresAt: number;
  source: 'oauth' | 'request' | 'manual';
  extra?: Record<string, unknown>;
}

const YEAR_MS = 365 * 86_400_000;

/** The credential set a flat record reads as (its extended token, not a JWT, lives a year). */
function credentialSetOf(flat: FlatRecord): TokenRecord {
  const { accessToken, extendedToken, issuedAt, expiresAt, source, ...profile } = flat;
  const record: TokenRecord = {
    ...profile,
    tokens: { daily: { token: accessToken, issuedAt, expiresAt, source } },
  };
  if (extendedToken !== undefined) {
    record.tokens.extended = { token: extendedToken, issuedAt, expiresAt: issuedAt + YEAR_MS, source };
  }
  return record;
}

const kindTokenArb = fc.record({
  token: secretArb,
  issuedAt: msArb,
  expiresAt: msArb,
  source: fc.constantFrom('oauth', 'request', 'manual', 'console' as const),
});

/** A credential set of the current version: one to four kinds, profile fields drawn or left out. */
const recordArb: fc.Arbitrary<TokenRecord> = fc
  .record(
    {
      version: fc.constant(2),
      clientId: fc.constant('cid'),
      userId: idArb,
      exchanges: listArb,
      products: listArb,
      orderTypes: listArb,
      tokens: fc
        .record(
          { daily: kindTokenArb, extended: kindTokenArb, analytics: kindTokenArb, sandbox: kindTokenArb },
          { requiredKeys: [] },
        )
        .filter((tokens) => Object.keys(tokens).length > 0),
      accountName: textArb,
      userName: textArb,
      email: textArb,
      broker: fc.constant('UPSTOX'),
      userType: textArb,
      poa: fc.boolean(),
      isActive: fc.boolean(),
      extra: extraArb,
    },
    { requiredKeys: ['version', 'clientId', 'userId', 'exchanges', 'products', 'orderTypes', 'tokens'] },
  )
  .map((fields) => ({ accountKey: `upstox:cid:${fields.userId}`, ...fields }) as TokenRecord);

const flatArb: fc.Arbitrary<FlatRecord> = fc
  .record(
    {
      clientId: fc.constant('cid'),
      userId: idArb,
      accessToken: secretArb,
      exchanges: listArb,
      products: listArb,
      orderTypes: listArb,
      issuedAt: msArb,
      expiresAt: msArb,
      source: fc.constantFrom('oauth', 'request', 'manual' as const),
      accountName: textArb,
      extendedToken: secretArb,
      userName: textArb,
      email: textArb,
      broker: fc.constant('UPSTOX'),
      userType: textArb,
      poa: fc.boolean(),
      isActive: fc.boolean(),
      extra: extraArb,
    },
    {
      requiredKeys: [
        'clientId',
        'userId',
        'accessToken',
        'exchanges',
        'products',
        'orderTypes',
        'issuedAt',
        'expiresAt',
        'source',
      ],
    },
  )
  .map((fields) => ({ accountKey: `upstox:cid:${fields.userId}`, ...fields }) as FlatRecord);

const IST_MS = 5.5 * 3_600_000;
/** Naive IST wall time as Python's `isoformat()` wrote it: `T` or a space, sometimes microseconds. */
const naive = (ms: number, micro: string, space: boolean) => {
  const wall = new Date(ms + IST_MS).toISOString().slice(0, 23);
  return `${space ? wall.replace('T', ' ') : wall}${micro}`;
};

/** The 03:30 IST rule, written out independently of `@hft/time` (IST has no DST). */
function ruleExpiry(issuedAt: number): number {
  const day = 86_400_000;
  const wall = issuedAt + IST_MS;
  const mark = Math.floor(wall / day) * day + 3.5 * 3_600_000;
  return (wall < mark ? mark : mark + day) - IST_MS;
}

/** An original-module file for `record`, in one of the ways that module wrote them, and what it must read as. */
const legacyArb = fc
  .record({
    record: flatArb,
    micro: fc.constantFrom('', '456', '000'),
    space: fc.boolean(),
    nulls: fc.boolean(),
    omitExpiry: fc.boolean(),
    omitSource: fc.boolean(),
    omitLists: fc.boolean(),
    emptyExtended: fc.boolean(),
    withClientId: fc.boolean(),
  })
  .map(({ record, micro, space, nulls, omitExpiry, omitSource, omitLists, emptyExtended, withClientId }) => {
    const file: Record<string, unknown> = {
      access_token: record.accessToken,
      user_id: record.userId,
      issued_at: naive(record.issuedAt, micro, space),
      ...(record.extra ?? {}),
    };
    if (withClientId) file.client_id = 'cid';
    if (!omitExpiry) file.expires_at = naive(record.expiresAt, micro, space);
    if (!omitSource) file.source = record.source;
    if (!omitLists)
      Object.assign(file, {
        exchanges: record.exchanges,
        products: record.products,
        order_types: record.orderTypes,
      });
    const optional: Array<[string, keyof FlatRecord]> = [
      ['user_name', 'userName'],
      ['email', 'email'],
      ['broker', 'broker'],
      ['user_type', 'userType'],
      ['poa', 'poa'],
      ['is_active', 'isActive'],
      ['extended_token', 'extendedToken'],
    ];
    for (const [name, field] of optional) {
      if (record[field] !== undefined) file[name] = record[field];
      else if (nulls) file[name] = null;
    }
    if (record.extendedToken === undefined && emptyExtended) file.extended_token = '';
    const flatExpected: FlatRecord = {
      ...record,
      expiresAt: omitExpiry ? ruleExpiry(record.issuedAt) : record.expiresAt,
      source: omitSource ? 'oauth' : record.source,
      ...(omitLists ? { exchanges: [], products: [], orderTypes: [] } : {}),
    };
    const expected = credentialSetOf(flatExpected);
    if (record.extra === undefined || Object.keys(record.extra).length === 0) delete expected.extra;
    delete expected.accountName;
    return { file, expected };
  });

/** ISO 8601 with the `+05:30` offset, to the millisecond. */
const istIso = (ms: number) => `${new Date(ms + IST_MS).toISOString().slice(0, 23)}+05:30`;

/** A version 1 file for `record` (before credential sets), written from the format's description. */
function v1File(record: FlatRecord): Record<string, unknown> {
  const file: Record<string, unknown> = {
    version: 1,
    account_key: record.accountKey,
    account_name: record.accountName,
    client_id: record.clientId,
    access_token: record.accessToken,
    extended_token: record.extendedToken,
    user_id: record.userId,
    user_name: record.userName,
    email: record.email,
    broker: record.broker,
    exchanges: record.exchanges,
    products: record.products,
    order_types: record.orderTypes,
    user_type: record.userType,
    poa: record.poa,
    is_active: record.isActive,
    issued_at: istIso(record.issuedAt),
    expires_at: istIso(record.expiresAt),
    source: record.source,
    extra: record.extra,
  };
  for (const [name, value] of Object.entries(file)) if (value === undefined) delete file[name];
  return file;
}

/** A version 2 file for `record` (a credential set), written from the format's description. */
function v2File(record: TokenRecord): Record<string, unknown> {
  const { daily, extended } = record.tokens;
  const nested: Record<string, unknown> = {};
  for (const kind of ['extended', 'analytics', 'sandbox'] as const) {
    const held = record.tokens[kind];
    if (!held) continue;
    nested[kind] = {
      ...(kind === 'extended' ? {} : { access_token: held.token }),
      issued_at: istIso(held.issuedAt),
      expires_at: istIso(held.expiresAt),
      source: held.source,
    };
  }
  const file: Record<string, unknown> = {
    version: 2,
    account_key: record.accountKey,
    account_name: record.accountName,
    client_id: record.clientId,
    access_token: daily?.token,
    extended_token: extended?.token,
    user_id: record.userId,
    user_name: record.userName,
    email: record.email,
    broker: record.broker,
    exchanges: record.exchanges,
    products: record.products,
    order_types: record.orderTypes,
    user_type: record.userType,
    poa: record.poa,
    is_active: record.isActive,
    issued_at: daily && istIso(daily.issuedAt),
    expires_at: daily && istIso(daily.expiresAt),
    source: daily?.source,
    tokens: Object.keys(nested).length > 0 ? nested : undefined,
    extra: record.extra,
  };
  for (const [name, value] of Object.entries(file)) if (value === undefined) delete file[name];
  return file;
}

/** Every token string of `record`. */
const secretsOf = (record: TokenRecord): string[] => Object.values(record.tokens).map((held) => held.token);

let root = '';
let dir = '';
const cipher = createRecordCipher({ key: randomBytes(32) });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hft-file-fuzz-'));
});
afterAll(() => rm(root, { recursive: true, force: true, maxRetries: 3 }));

let runs = 0;
/** An empty token directory of its own for the next run (the last one is removed). */
async function freshDir(): Promise<void> {
  // A fresh directory per run, so nothing of the last run can be read by the next one.
  if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  runs += 1;
  dir = join(root, `tokens-${runs}`);
  await mkdir(dir, { mode: 0o700 });
}

/** Whatever a log line or `--verbose` could show of `error`: message and causes. */
function shown(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 6; depth += 1) {
    parts.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return `${parts.join('\n')}\n${JSON.stringify(error)}`;
}

function expectNoSecret(text: string, secrets: readonly string[]): void {
  expect(text).not.toContain(MARK.slice(0, 8));
  for (const secret of secrets) {
    for (let i = 0; i + 8 <= secret.length; i += 1) expect(text).not.toContain(secret.slice(i, i + 8));
  }
}

/** Damages file text: cut, flip a character, or set a field to a near miss. */
const damage = fc.oneof(
  fc.nat().map((at) => (text: string) => text.slice(0, at % (text.length + 1))),
  fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 2 })).map(([at, bit]) => (text: string) => {
    const i = at % (text.length + 1);
    return `${text.slice(0, i)}${bit}${text.slice(i + 1)}`;
  }),
  fc
    .tuple(
      fc.constantFrom(
        'version',
        'account_key',
        'client_id',
        'access_token',
        'extended_token',
        'tokens',
        'user_id',
        'exchanges',
        'issued_at',
        'expires_at',
        'source',
        'extra',
        'poa',
        'hft_sealed',
        'ct',
      ),
      fc.oneof(
        fc.constantFrom(
          null,
          '',
          0,
          1.5,
          2,
          [],
          {},
          [1],
          'x',
          'upstox:a',
          'upstox:cid:OTHER',
          '2025-13-01T00:00:00',
        ),
        fc.constantFrom('2025-01-15T10:30:00+05:30', '2025-01-15 10:30', '9999-12-31T23:59:59Z'),
        fc.anything({ maxDepth: 1 }),
      ),
      fc.boolean(),
    )
    .map(([field, value, remove]) => (text: string) => {
      let object: Record<string, unknown>;
      try {
        object = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return text;
      }
      if (remove) delete object[field];
      else object[field] = value;
      return JSON.stringify(object);
    }),
);

// Not STORAGE_UNAVAILABLE: the store wraps an untyped exception of a parser in it, and these
// files are always readable, so seeing it here means a parser threw.
const STORE_CODES: ReadonlySet<string> = new Set([
  ErrorCodes.STORAGE_CORRUPT,
  ErrorCodes.STORAGE_WRONG_KEY,
  ErrorCodes.STORAGE_TAMPERED,
  ErrorCodes.STORAGE_UNSEALED,
]);

describe('file record format fuzz', () => {
  it('a valid record saved then read by a fresh store is equal, plain and encrypted', async () => {
    await fc.assert(
      fc.asyncProperty(recordArb, fc.boolean(), async (record, sealed) => {
        await freshDir();
        const options = { dir, ...(sealed ? { cipher } : {}) };
        const writer = createFileTokenStore(options);
        await writer.set(record.accountKey, record);
        await writer.close();
        const text = await readFile(join(dir, DEFAULT_TOKEN_FILE), 'utf8');
        if (sealed) for (const secret of secretsOf(record)) expect(text).not.toContain(secret);
        else expect(JSON.parse(text)).toEqual(v2File(record));
        const reader = createFileTokenStore(options);
        try {
          expect(await reader.get(record.accountKey)).toEqual(record);
          expect(await reader.list()).toEqual([record.accountKey]);
        } finally {
          await reader.close();
        }
      }),
      budget(60),
    );
  });

  it('a version 1 file (before credential sets) reads as the credential set it describes', async () => {
    await fc.assert(
      fc.asyncProperty(flatArb, async (flat) => {
        await freshDir();
        await writeFile(join(dir, DEFAULT_TOKEN_FILE), JSON.stringify(v1File(flat)), { mode: 0o600 });
        const store = createFileTokenStore({ dir });
        try {
          expect(await store.get(flat.accountKey)).toEqual(credentialSetOf(flat));
        } finally {
          await store.close();
        }
      }),
      budget(60),
    );
  });

  it('every original-module file reads as the record it describes (IST times, nulls, defaults, extra)', async () => {
    await fc.assert(
      fc.asyncProperty(legacyArb, async ({ file, expected }) => {
        await freshDir();
        await writeFile(join(dir, DEFAULT_TOKEN_FILE), JSON.stringify(file, null, 4), { mode: 0o600 });
        const store = createFileTokenStore({ dir, clientId: 'cid' });
        try {
          expect(await store.get(expected.accountKey)).toEqual(expected);
        } finally {
          await store.close();
        }
      }),
      budget(60),
    );
  });

  it('a damaged file of any format gives a valid record, nothing, or a coded StorageError showing no token', async () => {
    const source = fc.oneof(
      flatArb.map((flat) => ({ record: credentialSetOf(flat), flat, format: 'v1' as const })),
      recordArb.map((record) => ({ record, flat: undefined, format: 'v2' as const })),
      recordArb.map((record) => ({ record, flat: undefined, format: 'sealed' as const })),
      legacyArb.map(({ expected }) => ({ record: expected, flat: undefined, format: 'legacy' as const })),
    );
    await fc.assert(
      fc.asyncProperty(
        source,
        legacyArb,
        damage,
        fc.boolean(),
        async ({ record, flat, format }, legacy, spoil, withCipher) => {
          await freshDir();
          const path = join(dir, DEFAULT_TOKEN_FILE);
          if (format === 'legacy') record = legacy.expected;
          const secrets = secretsOf(record);
          const text =
            format === 'legacy'
              ? JSON.stringify(legacy.file)
              : format === 'sealed'
                ? JSON.stringify({
                    ...JSON.parse(cipher.seal(JSON.stringify(v2File(record)), record.accountKey)),
                    account_key: record.accountKey,
                  })
                : JSON.stringify(flat ? v1File(flat) : v2File(record), null, 2);
          await writeFile(path, spoil(text), { mode: 0o600 });
          const store = createFileTokenStore({ dir, clientId: 'cid', ...(withCipher ? { cipher } : {}) });
          try {
            for (const read of [() => store.get(record.accountKey), () => store.list()]) {
              try {
                const value = await read();
                if (value !== undefined && !Array.isArray(value)) assertTokenRecord(value);
              } catch (error) {
                if (!isHftError(error)) expect.fail(`untyped exception: ${shown(error)}`);
                expect(STORE_CODES.has(error.code), `${error.code}: ${error.message}`).toBe(true);
                expectNoSecret(shown(error), secrets);
              }
            }
            // A corrupt file is moved aside, never deleted: the token stays recoverable by hand.
            const left = await readdir(dir);
            expect(left.some((name) => name.startsWith(DEFAULT_TOKEN_FILE))).toBe(true);
          } finally {
            await store.close();
          }
        },
      ),
      budget(120),
    );
  });
});
