import { Writable } from 'node:stream';
import { describe, expect, expectTypeOf, test } from 'vitest';
import winston from 'winston';
import {
  createLogger,
  type HftLogger,
  type LoggerLike,
  Redactor,
  redactionFormat,
  silentLogger,
} from '../src/index.js';
import { CapturedStream } from './helpers.js';

/** How a library declares its logger: its own structural copy of the shape, silent by default. */
interface LibraryLogger {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}

function libraryCall(options: { logger?: LibraryLogger } = {}): void {
  const logger = options.logger ?? silentLogger;
  logger.info('library did something', { attempt: 1 });
}

describe('LoggerLike and silentLogger', () => {
  test('a created logger fits both the exported and a structurally declared shape', async () => {
    expectTypeOf<HftLogger>().toExtend<LoggerLike>();
    expectTypeOf<HftLogger>().toExtend<LibraryLogger>();
    expectTypeOf<LoggerLike>().toEqualTypeOf<LibraryLogger>();
    const stream = new CapturedStream();
    const log = createLogger({ stream, clock: () => 0 });
    libraryCall({ logger: log });
    await log.close();
    expect(stream.lines).toEqual(['1970-01-01T00:00:00.000Z INFO  library did something {"attempt":1}']);
  });

  test('silentLogger is frozen, has exactly the four methods, and does nothing', () => {
    expect(Object.isFrozen(silentLogger)).toBe(true);
    expect(Object.keys(silentLogger).sort()).toEqual(['debug', 'error', 'info', 'warn']);
    for (const method of ['error', 'warn', 'info', 'debug'] as const) {
      expect(silentLogger[method]('x', { y: 1 })).toBeUndefined();
    }
    expect(() => libraryCall()).not.toThrow();
  });
});

describe('redactionFormat on a plain winston logger', () => {
  test('redacts top-level fields, SPLAT arguments and the message', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      objectMode: true,
      write(info: Record<string | symbol, unknown>, _encoding, done) {
        lines.push(JSON.stringify({ ...info, splat: info[Symbol.for('splat')] }));
        done();
      },
    });
    const redactor = new Redactor(['registered-1234']);
    const logger = winston.createLogger({
      format: redactionFormat(redactor),
      transports: [new winston.transports.Stream({ stream: sink })],
    });
    logger.info('message with registered-1234', {
      access_token: 'tok',
      clientId: 'CID',
      nested: { password: 'pw' },
    });
    await new Promise<void>((resolve) => {
      logger.on('finish', () => resolve());
      logger.end();
    });
    expect(lines).toHaveLength(1);
    const text = lines[0]!;
    expect(text).not.toContain('registered-1234');
    expect(text).not.toContain('"tok"');
    expect(text).not.toContain('"pw"');
    expect(JSON.parse(text)).toMatchObject({
      message: 'message with [REDACTED]',
      access_token: '[REDACTED]',
      clientId: 'CID',
      nested: { password: '[REDACTED]' },
      splat: [{ access_token: '[REDACTED]', clientId: 'CID', nested: { password: '[REDACTED]' } }],
    });
  });
});

describe('output failures', () => {
  test('a failing console stream is reported once through onError and logging keeps not throwing', async () => {
    const errors: Error[] = [];
    const broken = new Writable({
      write(_chunk, _encoding, done) {
        done(new Error('EPIPE: reader went away'));
      },
    });
    const log = createLogger({ stream: broken, onError: (error) => errors.push(error) });
    expect(() => {
      log.error('one');
      log.error('two');
    }).not.toThrow();
    await log.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors.map((error) => error.message)).toEqual([
      'Writing log entries to the console stream failed: EPIPE: reader went away',
    ]);
  });
});
