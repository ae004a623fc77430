import { type ConfigIssue, ErrorCodes } from '@hft/errors';
import { parseJsonSafe } from './safe-json.js';

/**
 * Encryption for the credentials file at rest. Structurally the `RecordCipher` of
 * `@hft/auth-core` (`createRecordCipher()` / `cipherFromEnv()`): this package does not depend
 * on auth-core, callers pass one in.
 */
export interface FileCipher {
  /** Encrypts `plaintext`, binding `aad`; returns a JSON envelope. */
  seal(plaintext: string, aad: string): string;
  /** Decrypts an envelope; throws (wrong key, tampered) with a message that names which. */
  open(envelope: string, aad: string, context: { backend: string; key?: string }): string;
}

/** Additional data bound to sealed credentials files, so a sealed token record cannot pose as one. */
export const CREDENTIALS_AAD = 'hft:credentials-file';

/** True when the text of a settings file is a sealed envelope (the `hft_sealed` marker). */
export function isSealedText(text: string): boolean {
  if (!text.includes('hft_sealed')) return false;
  const parsed = parseJsonSafe(text);
  return (
    parsed.ok && typeof parsed.value === 'object' && parsed.value !== null && 'hft_sealed' in parsed.value
  );
}

/**
 * Opens a sealed credentials file's text, or returns an issue saying why it cannot be (no
 * cipher configured, wrong key, altered file). Plain text passes through unchanged.
 */
export function unsealCredentials(
  text: string,
  path: string,
  cipher: FileCipher | undefined,
): { ok: true; text: string } | { ok: false; issue: ConfigIssue; code: string } {
  if (!isSealedText(text)) return { ok: true, text };
  if (!cipher) {
    return {
      ok: false,
      code: ErrorCodes.CONFIG_FILE,
      issue: {
        field: 'credentialsFile',
        source: path,
        message: 'is encrypted, but no key is configured (set HFT_MASTER_KEY or HFT_MASTER_PASSPHRASE)',
      },
    };
  }
  try {
    return { ok: true, text: cipher.open(text, CREDENTIALS_AAD, { backend: 'credentials file', key: path }) };
  } catch (error) {
    const reason =
      error instanceof Error ? error.message.replace(/^credentials file store: /, '') : 'cannot be decrypted';
    return {
      ok: false,
      code: ErrorCodes.CONFIG_FILE,
      issue: { field: 'credentialsFile', source: path, message: reason },
    };
  }
}
