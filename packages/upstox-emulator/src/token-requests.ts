import { randomBytes } from 'node:crypto';
import type { PendingTokenRequest } from './types.js';

/**
 * v3 access token requests awaiting a decision, at most one per app: a new request from the same
 * app supersedes the older one (which can then no longer be approved). Expired requests are kept
 * until decided or superseded, so approving one reports "expired" rather than "none pending".
 */
export class TokenRequestStore {
  readonly #byClient = new Map<string, PendingTokenRequest>();

  /** Records a new request for `clientId`, replacing any earlier one. */
  create(input: Omit<PendingTokenRequest, 'id'>): PendingTokenRequest {
    const request = { id: `atr_${randomBytes(8).toString('hex')}`, ...input };
    this.#byClient.set(input.clientId, request);
    return request;
  }

  /** The request of `clientId`, expired or not. */
  forClient(clientId: string): PendingTokenRequest | undefined {
    return this.#byClient.get(clientId);
  }

  /** The request with this id, expired or not. */
  byId(id: string): PendingTokenRequest | undefined {
    for (const request of this.#byClient.values()) if (request.id === id) return request;
    return undefined;
  }

  /** Removes the request (after approval or rejection). */
  remove(request: PendingTokenRequest): void {
    if (this.#byClient.get(request.clientId)?.id === request.id) this.#byClient.delete(request.clientId);
  }

  /** Requests that can still be approved at `now`, oldest first. */
  live(now: number): PendingTokenRequest[] {
    return [...this.#byClient.values()]
      .filter((r) => now < r.authorizationExpiry)
      .sort((a, b) => a.requestedAt - b.requestedAt);
  }
}
