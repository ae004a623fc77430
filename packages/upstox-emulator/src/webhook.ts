/** Outcome of one POST to a notifier URL. */
export interface DeliveryOutcome {
  statusCode?: number;
  error?: string;
}

/**
 * POSTs `payload` as JSON to `url` once (no retries, as Upstox documents none) and reports the
 * receiver's status code, or why there was none (refused, reset, timeout after `timeoutMs`).
 */
export async function postWebhook(
  url: string,
  payload: unknown,
  timeoutMs: number,
): Promise<DeliveryOutcome> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/plain, */*' },
      body: JSON.stringify(payload),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Drain the body so the connection is released; its content is not part of the protocol.
    await response.arrayBuffer().catch(() => undefined);
    return { statusCode: response.status };
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    if ((error as Error).name === 'TimeoutError') return { error: `timed out after ${timeoutMs} ms` };
    const code = typeof cause?.code === 'string' ? cause.code : undefined;
    const message = typeof cause?.message === 'string' ? cause.message : (error as Error).message;
    return { error: code ? `${code}: ${message}` : message };
  }
}
