// Reading a request without trusting it: a target that is not a URL (`//[`) or a body that
// never ends must become an answer, never an exception that escapes the handler.
import type { IncomingMessage } from 'node:http';
import { DeliveryRejected } from './delivery.js';

/** The path of a request target, or `undefined` when the target does not parse (`//[`). */
export function requestPath(url: string | undefined): string | undefined {
  try {
    return new URL(url ?? '/', 'http://receiver').pathname;
  } catch {
    return undefined;
  }
}

/**
 * Reads a request body of at most `limit` bytes as UTF-8.
 * @throws DeliveryRejected 413 over the limit, 400 when the client goes away mid-body.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(new DeliveryRejected(413, `body larger than ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        reject(new DeliveryRejected(413, `body larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', () => reject(new DeliveryRejected(400, 'the request body could not be read')));
    req.once('close', () => {
      if (!req.complete) reject(new DeliveryRejected(400, 'the request ended before its body'));
    });
  });
}
