import { spawn } from 'node:child_process';

/** One lifecycle event as delivered to sinks: never contains a token. */
export interface WatchEvent {
  /** `expiring`, `expired`, `token`, `invalidated`, `request-sent`, `store-error`, `store-recovered`. */
  event: string;
  /** Account key, when known. */
  account: string | null;
  user_id: string | null;
  /** Expiry of the token concerned, ISO 8601 with +05:30. */
  expires_at: string | null;
  /** Seconds left until expiry (0 when expired). */
  time_left_seconds: number | null;
  /** Extra context: the lead time that fired, the invalidation reason, an error message. */
  detail: string | null;
  /** When the event happened, ISO 8601 with +05:30. */
  at: string;
}

/** Delivers an event somewhere; failures are reported, never thrown. */
export type Sink = (event: WatchEvent) => Promise<void>;

/** POSTs each event as JSON to `url` (5 s timeout). */
export function webhookSink(url: string, onError: (message: string) => void): Sink {
  return async (event) => {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(5000),
      });
      await res.body?.cancel();
      if (!res.ok) onError(`webhook sink answered HTTP ${res.status} for ${event.event}`);
    } catch (error) {
      onError(
        `webhook sink failed for ${event.event}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
}

/**
 * Runs `command` in a shell for each event, with the event in environment variables
 * (HFT_EVENT, HFT_ACCOUNT, HFT_USER_ID, HFT_EXPIRES_AT, HFT_TIME_LEFT_SECONDS, HFT_DETAIL,
 * HFT_AT). The command's environment never carries a token or secret: it is built from scratch
 * apart from PATH and HOME.
 */
export function commandSink(command: string, onError: (message: string) => void, timeoutMs = 30_000): Sink {
  return (event) =>
    new Promise<void>((resolve) => {
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/',
        HFT_EVENT: event.event,
        HFT_ACCOUNT: event.account ?? '',
        HFT_USER_ID: event.user_id ?? '',
        HFT_EXPIRES_AT: event.expires_at ?? '',
        HFT_TIME_LEFT_SECONDS: event.time_left_seconds === null ? '' : String(event.time_left_seconds),
        HFT_DETAIL: event.detail ?? '',
        HFT_AT: event.at,
      };
      const child = spawn('/bin/sh', ['-c', command], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-500);
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', (error) => {
        clearTimeout(timer);
        onError(`command sink could not start: ${error.message}`);
        resolve();
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code !== 0)
          onError(
            `command sink exited ${code ?? signal} for ${event.event}${stderr ? `: ${stderr.trim()}` : ''}`,
          );
        resolve();
      });
    });
}
