/** A complete token record (structurally a `TokenRecord` of `@hft/auth-core`). */
export interface TestRecord {
  accountKey: string;
  clientId: string;
  accessToken: string;
  extendedToken: string;
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
  issuedAt: number;
  expiresAt: number;
  source: 'oauth';
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
