/**
 * Requests per second of `send` with `concurrency` callers looping for `durationMs`: each caller
 * starts a new request as soon as its previous one finished, until the time is up; in-flight
 * requests are awaited and counted. `send` must throw on a bad answer.
 */
export async function throughput(
  send: () => Promise<unknown>,
  concurrency: number,
  durationMs: number,
): Promise<number> {
  let completed = 0;
  const start = performance.now();
  const end = start + durationMs;
  const loop = async () => {
    while (performance.now() < end) {
      await send();
      completed += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsedMs = performance.now() - start;
  return completed / (elapsedMs / 1000);
}
