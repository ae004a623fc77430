/** One token of a {@link TestRecord}. */
export interface TestKindToken {
  token: string;
  issuedAt: number;
  expiresAt: number;
  source: 'oauth';
}

/** A complete credential set (structurally a `TokenRecord` of `@hft/auth-core`). */
export interface TestRecord {
  version: number;
  accountKey: string;
  clientId: string;
  userId: string;
  userName: string;
  email: string;
  broker: string;
  exchanges: string[];
  products: string[];
  orderTypes: string[];
  userType: string;
  poa: boolean;
  isActive: boolean;
  tokens: { daily: TestKindToken; extended: TestKindToken };
  extra: { writer: string; seq: number; pad: string; [field: string]: unknown };
}

/** The record `writer` stores as its `seq`-th write of `key`; `extra` joins its `extra` field. */
export function makeRecord(
  key: string,
  writer: string,
  seq: number,
  extra?: Record<string, unknown>,
): TestRecord;
/** Why `record` is not a complete record written for `key`, or `undefined` when it is one. */
export function problemWith(key: string, record: unknown): string | undefined;
