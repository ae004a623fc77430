import { randomBytes } from 'node:crypto';
import { ErrorCodes } from '@hft/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertTokenRecord, createRecordCipher, createRecordCodec, type TokenRecord } from '../src/store.js';
import { anyValue, budget, expectTypedError, mostly, outcome, secretArb } from './fuzz-kit.js';

const idArb = fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/);
const listArb = fc.array(fc.constantFrom('NSE', 'BSE', 'D', 'I', 'MARKET', 'LIMIT'), { maxLength: 4 });
const msArb = fc.integer({ min: 0, max: 4_102_444_800_000 });
const extraArb = fc.dictionary(
  fc.stringMatching(/^[a-z_]{1,8}$/),
  fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constant([1, { a: 'b' }]),
  ),
  { maxKeys: 3 },
);

const kindTokenArb = fc.record({
  token: secretArb,
  issuedAt: msArb,
  expiresAt: msArb,
  source: fc.constantFrom('oauth', 'request', 'manual', 'console' as const),
});

/** One to four token kinds, each a complete token. */
const tokensArb = fc
  .record(
    { daily: kindTokenArb, extended: kindTokenArb, analytics: kindTokenArb, sandbox: kindTokenArb },
    { requiredKeys: [] },
  )
  .filter((tokens) => Object.keys(tokens).length > 0);

/** A complete, valid record (its key is `upstox:<clientId>:<userId>`), optional fields drawn or left out. */
export const recordArb: fc.Arbitrary<TokenRecord> = fc
  .record(
    {
      version: fc.constant(2),
      clientId: idArb,
      userId: idArb,
      exchanges: listArb,
      products: listArb,
      orderTypes: listArb,
      tokens: tokensArb,
      accountName: fc.string({ maxLength: 10 }),
      userName: fc.string({ maxLength: 10 }),
      email: fc.string({ maxLength: 10 }),
      broker: fc.constant('UPSTOX'),
      userType: fc.string({ maxLength: 10 }),
      poa: fc.boolean(),
      isActive: fc.boolean(),
      extra: extraArb,
    },
    {
      requiredKeys: ['version', 'clientId', 'userId', 'exchanges', 'products', 'orderTypes', 'tokens'],
    },
  )
  .map((fields) => ({ accountKey: `upstox:${fields.clientId}:${fields.userId}`, ...fields }) as TokenRecord)
  // Messages may name the account (its key holds the user id): a drawn id that happens to repeat
  // 8 characters of a drawn token would read as a leak that is not one.
  .filter((record) => {
    const shown = [record.clientId, record.userId, record.accountName ?? '', record.userName ?? ''].join(' ');
    return Object.values(record.tokens).every(({ token }) => {
      for (let i = 0; i + 8 <= token.length; i += 1) if (shown.includes(token.slice(i, i + 8))) return false;
      return true;
    });
  });

/** Every token string of `record`. */
const secretsOf = (record: TokenRecord): string[] => Object.values(record.tokens).map((held) => held!.token);

const cipher = createRecordCipher({ key: randomBytes(32) });
const plain = createRecordCodec({ backend: 'fuzz' });
const sealed = createRecordCodec({ backend: 'fuzz', cipher });

/** Damages stored text: cut it, flip a character, splice garbage in, or swap a value. */
const damage = fc.oneof(
  fc.nat().map((at) => (text: string) => text.slice(0, at % (text.length + 1))),
  fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 3 })).map(([at, bit]) => (text: string) => {
    const i = at % (text.length + 1);
    return `${text.slice(0, i)}${bit}${text.slice(i + 1)}`;
  }),
  fc.tuple(fc.constantFrom('token', 'issuedAt'), fc.constantFrom('x', 't', '-', '{', '')).map(
    ([field, char]) =>
      (text: string) =>
        text.replace(`"${field}":"`, `"${field}":${char}`),
  ),
  fc
    .constantFrom('"token":', '"issuedAt":', '"ct":', '"source":', '"accountKey":', '"tokens":', '"daily":')
    .chain((field) =>
      mostly(fc.constant(null), fc.constant('"x"'), fc.constant('[]'), fc.constant('1e999')).map(
        (value) => (text: string) =>
          text.replace(new RegExp(`${field}("[^"]*"|[^,}]*)`), `${field}${JSON.stringify(value) ?? 'null'}`),
      ),
    ),
);

describe('record codec fuzz', () => {
  it('a valid record encoded then decoded is equal, plain and sealed', () => {
    fc.assert(
      fc.property(recordArb, (record) => {
        for (const codec of [plain, sealed]) {
          const text = codec.encode(record.accountKey, record);
          expect(codec.decode(record.accountKey, text)).toEqual(record);
        }
        for (const secret of secretsOf(record))
          expect(sealed.encode(record.accountKey, record)).not.toContain(secret);
      }),
      budget(200),
    );
  });

  it('damaged or foreign stored text decodes to a valid record or a coded StorageError showing no token', () => {
    fc.assert(
      fc.property(
        recordArb,
        fc.boolean(),
        fc.oneof(
          { weight: 4, arbitrary: damage },
          { weight: 1, arbitrary: anyValue.map((v) => () => JSON.stringify(v) ?? '') },
        ),
        (record, seal, spoil) => {
          const codec = seal ? sealed : plain;
          const text = spoil(codec.encode(record.accountKey, record));
          for (const reader of [plain, sealed]) {
            const result = outcome(() => reader.decode(record.accountKey, text), secretsOf(record));
            if (result.ok) assertTokenRecord(result.value);
            else
              expect([
                ErrorCodes.STORAGE_CORRUPT,
                ErrorCodes.STORAGE_WRONG_KEY,
                ErrorCodes.STORAGE_TAMPERED,
                ErrorCodes.STORAGE_UNSEALED,
              ]).toContain(result.error.code);
          }
        },
      ),
      budget(300),
    );
  });

  it('assertTokenRecord accepts a record or names the field at fault, never showing a token', () => {
    const field = fc.constantFrom<keyof TokenRecord>(
      'accountKey',
      'clientId',
      'tokens',
      'userId',
      'exchanges',
      'version',
      'poa',
      'extra',
    );
    fc.assert(
      fc.property(recordArb, field, fc.oneof(anyValue, secretArb), (record, name, value) => {
        const candidate: Record<string, unknown> = { ...record, [name]: value };
        try {
          assertTokenRecord(candidate);
        } catch (error) {
          const typed = expectTypedError(error, [...secretsOf(record), String(value)]);
          expect(typed.code).toBe(ErrorCodes.INPUT_INVALID);
          // A well-typed but different clientId or userId is caught as the account key not
          // matching them (the key is derived from both).
          const named =
            (name === 'clientId' || name === 'userId') && typeof value === 'string' && value !== ''
              ? /record\.(accountKey|clientId|userId)/
              : new RegExp(`record\\.${name}`);
          expect(typed.message).toMatch(named);
        }
      }),
      budget(300),
    );
  });
});
