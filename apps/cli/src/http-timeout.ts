import { ConfigError, ErrorCodes } from '@hft/errors';

/** Longest accepted HTTP timeout, in seconds (10 minutes: anything longer is a hang). */
export const MAX_HTTP_TIMEOUT_SECONDS = 600;

/**
 * Parses an HTTP timeout given in seconds (decimals allowed, e.g. `2.5`).
 * @returns the timeout in ms, or `undefined` when `text` is not a number in (0, 600].
 */
export function parseHttpTimeoutSeconds(text: string): number | undefined {
  if (!/^\d+(\.\d+)?$/.test(text.trim())) return undefined;
  const seconds = Number(text);
  if (!(seconds > 0) || seconds > MAX_HTTP_TIMEOUT_SECONDS) return undefined;
  return Math.round(seconds * 1000);
}

/**
 * The per-request timeout of calls to Upstox, in ms: the `--http-timeout` flag (already parsed
 * by commander, in seconds), else `HFT_HTTP_TIMEOUT` (seconds), else `undefined` (the library
 * default, 10 s).
 * @throws ConfigError `HFT_CONFIG_INVALID` when `HFT_HTTP_TIMEOUT` is not a number of seconds in (0, 600].
 */
export function httpTimeoutMs(
  flagSeconds: number | undefined,
  env: Record<string, string | undefined>,
): number | undefined {
  if (flagSeconds !== undefined) return Math.round(flagSeconds * 1000);
  const raw = env.HFT_HTTP_TIMEOUT;
  if (raw === undefined) return undefined;
  const ms = parseHttpTimeoutSeconds(raw);
  if (ms === undefined) {
    const message = `must be a number of seconds greater than 0 and at most ${MAX_HTTP_TIMEOUT_SECONDS}`;
    throw new ConfigError(`HFT_HTTP_TIMEOUT ${message}`, {
      code: ErrorCodes.CONFIG_INVALID,
      details: { issues: [{ field: 'httpTimeout', source: 'HFT_HTTP_TIMEOUT', message }] },
    });
  }
  return ms;
}
