import { randomBytes } from 'node:crypto';
import type { Clock } from '@hft/time/core';

/** An authorization code issued by the login page. */
export interface AuthCode {
  code: string;
  clientId: string;
  redirectUri: string;
  userId: string;
  issuedAt: number;
  expiresAt: number;
}

/** Length of issued codes: 12 url-safe characters (72 random bits). */
export const CODE_LENGTH = 12;

/**
 * Live authorization codes. A code is single use: {@link AuthCodeStore.consume} removes it whatever
 * the outcome of the exchange, and an expired code is removed when it is looked up.
 */
export class AuthCodeStore {
  readonly #codes = new Map<string, AuthCode>();
  readonly #clock: Clock;
  readonly #ttlMs: number;

  /** @param clock emulator clock; @param ttlMs code lifetime in milliseconds. */
  constructor(clock: Clock, ttlMs: number) {
    this.#clock = clock;
    this.#ttlMs = ttlMs;
  }

  /** Issues a fresh code, unique among live codes. */
  issue(clientId: string, redirectUri: string, userId: string): AuthCode {
    let code: string;
    do {
      code = randomBytes(9).toString('base64url');
    } while (this.#codes.has(code));
    const issuedAt = this.#clock.now();
    const record = { code, clientId, redirectUri, userId, issuedAt, expiresAt: issuedAt + this.#ttlMs };
    this.#codes.set(code, record);
    return record;
  }

  /**
   * Removes `code` and returns it when it was live (not expired by the clock); undefined when it
   * was unknown, already used or expired.
   */
  consume(code: string): AuthCode | undefined {
    const record = this.#codes.get(code);
    if (!record) return undefined;
    this.#codes.delete(code);
    return this.#clock.now() < record.expiresAt ? record : undefined;
  }

  /** Number of codes not yet consumed (expired ones included until looked up). */
  get size(): number {
    return this.#codes.size;
  }
}
