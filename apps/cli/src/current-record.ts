import type { TokenRecord } from '@hft/auth-core/store';
import { resolveAccount } from '@hft/auth-core/store';
import { AuthError, ErrorCodes } from '@hft/errors';
import { assertKnownAccount } from './account-choice.js';
import type { CommandContext } from './context.js';

/** The stored record of the selected account, read without the HTTP stack; `undefined` if none. */
export async function currentRecord(ctx: CommandContext): Promise<TokenRecord | undefined> {
  const { config } = await ctx.config();
  const store = await ctx.store();
  const found = await resolveAccount(store, config.credentials.clientId, config.account);
  if (!found) {
    await assertKnownAccount(ctx, config.account);
    return undefined;
  }
  return found.record ?? (await store.get(found.key));
}

/** Throws the `AuthError` (exit 3) explaining why there is no usable record. */
export function notAuthenticated(account: string | undefined): AuthError {
  return new AuthError(
    ErrorCodes.AUTH_NOT_AUTHENTICATED,
    `No token is stored${account ? ` for account ${account}` : ''}; run: hft login`,
  );
}
