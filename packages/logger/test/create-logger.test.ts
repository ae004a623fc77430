import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, ErrorCodes, InputError } from '@hft/errors';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createLogger, DEFAULT_LOG_LEVEL, type LogLevel } from '../src/index.js';
import { CapturedStream, makeTempDir, manualClock } from './helpers.js';

const LEVELS: LogLevel[] = ['error', 'warn', 'info', 'debug'];

function logAll(log: ReturnType<typeof createLogger>): void {
  for (const level of LEVELS) log[level](`${level} entry`);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('levels', () => {
  test('default level is info: debug is dropped', async () => {
    const stream = new CapturedStream();
    const log = createLogger({ stream });
    expect(DEFAULT_LOG_LEVEL).toBe('info');
    expect(log.level).toBe('info');
    logAll(log);
    await log.close();
    expect(stream.lines.map((line) => line.split(' ')[1])).toEqual(['ERROR', 'WARN', 'INFO']);
  });

  test.each([
    ['error', ['error entry']],
    ['warn', ['error entry', 'warn entry']],
    ['info', ['error entry', 'warn entry', 'info entry']],
    ['debug', ['error entry', 'warn entry', 'info entry', 'debug entry']],
  ] as const)('level %s writes %j', async (level, expected) => {
    const stream = new CapturedStream();
    const log = createLogger({ level, stream });
    logAll(log);
    await log.close();
    expect(stream.lines.map((line) => line.replace(/^\S+ \S+\s+/, ''))).toEqual(expected);
    expect(log.isLevelEnabled('debug')).toBe(level === 'debug');
    expect(log.isLevelEnabled('error')).toBe(true);
  });

  test('an unknown level is refused with InputError', () => {
    for (const level of ['verbose', 'INFO', 'silly', '']) {
      let thrown: unknown;
      try {
        createLogger({ level: level as LogLevel, console: false });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(InputError);
      expect((thrown as InputError).code).toBe(ErrorCodes.INPUT_INVALID);
      expect((thrown as InputError).details.argument).toBe('options.level');
    }
  });
});

describe('output format', () => {
  test('console: ISO time from the injected clock, level, name, message, JSON meta, one line', async () => {
    const stream = new CapturedStream();
    const clock = manualClock();
    const log = createLogger({ stream, name: 'cli', clock: clock.now });
    log.info('hello', { userId: 'AB1234', count: 2 });
    clock.advance(1500);
    log.warn('two\nlines\u001b[2J', {});
    log.error('no meta');
    await log.close();
    expect(stream.lines).toEqual([
      '2026-03-02T04:00:00.000Z INFO  [cli] hello {"userId":"AB1234","count":2}',
      '2026-03-02T04:00:01.500Z WARN  [cli] two\\nlines\\u001b[2J',
      '2026-03-02T04:00:01.500Z ERROR [cli] no meta',
    ]);
  });

  test('a clock object with now() is accepted too', async () => {
    const stream = new CapturedStream();
    const log = createLogger({ stream, clock: { now: () => 0 } });
    log.info('epoch');
    await log.close();
    expect(stream.lines).toEqual(['1970-01-01T00:00:00.000Z INFO  epoch']);
  });

  test('console output goes to stderr by default, never stdout', async () => {
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const log = createLogger({ clock: () => 0, level: 'debug' });
    logAll(log);
    await log.close();
    const written = stderr.mock.calls.map((call) => String(call[0]));
    expect(written).toEqual(LEVELS.map((level) => expect.stringContaining(`${level} entry`)));
    expect(stdout).not.toHaveBeenCalled();
  });

  test('with console: false and no file nothing is written anywhere', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const log = createLogger({ console: false });
    log.error('dropped');
    await log.close();
    expect(stderr).not.toHaveBeenCalled();
    expect(stdout).not.toHaveBeenCalled();
  });
});

describe('child loggers', () => {
  test('add their metadata; the entry wins on equal keys; names can be overridden', async () => {
    const stream = new CapturedStream();
    const log = createLogger({ stream, name: 'root', clock: () => 0 });
    const bound = { account: 'upstox:CID:AB1234', attempt: 1 };
    const child = log.child(bound);
    child.info('first', { attempt: 2 });
    const grandchild = child.child({ step: 'exchange' }, { name: 'auth' });
    grandchild.info('second');
    expect(child.name).toBe('root');
    expect(grandchild.name).toBe('auth');
    await log.close();
    expect(stream.lines).toEqual([
      '1970-01-01T00:00:00.000Z INFO  [root] first {"account":"upstox:CID:AB1234","attempt":2}',
      '1970-01-01T00:00:00.000Z INFO  [auth] second {"account":"upstox:CID:AB1234","attempt":1,"step":"exchange"}',
    ]);
    expect(bound).toEqual({ account: 'upstox:CID:AB1234', attempt: 1 });
  });

  test('a secret registered after the child was made is still hidden in its bound metadata', async () => {
    const stream = new CapturedStream();
    const log = createLogger({ stream, clock: () => 0 });
    const child = log.child({ session: 'late-secret-value' });
    log.addSecret('late-secret-value');
    child.info('entry');
    await log.close();
    expect(stream.text).not.toContain('late-secret-value');
    expect(stream.text).toContain('"session":"[REDACTED]"');
  });

  test('child() refuses a non-object', () => {
    const log = createLogger({ console: false });
    expect(() => log.child('x' as unknown as Record<string, unknown>)).toThrow(InputError);
  });
});

describe('robustness', () => {
  test('logging never throws, even with odd arguments from untyped callers', async () => {
    const stream = new CapturedStream();
    const log = createLogger({ stream, clock: () => 0 });
    const loose = log as unknown as {
      info: (...args: unknown[]) => void;
      error: (...args: unknown[]) => void;
    };
    expect(() => {
      loose.info(42, 'not an object');
      loose.error(new Error('thrown as message'));
      loose.info('error as meta', new Error('meta error'));
      loose.info(
        'hostile meta',
        new Proxy(
          {},
          {
            ownKeys() {
              throw new Error('no keys');
            },
          },
        ),
      );
    }).not.toThrow();
    await log.close();
    expect(stream.lines[0]).toBe('1970-01-01T00:00:00.000Z INFO  42 {"meta":"not an object"}');
    expect(stream.lines[1]).toMatch(
      /ERROR thrown as message \{"error":\{"name":"Error","message":"thrown as message"/,
    );
    expect(stream.lines[2]).toMatch(
      /INFO {2}error as meta \{"error":\{"name":"Error","message":"meta error"/,
    );
  });

  test('invalid options are refused with InputError naming the option', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ file: '' }, 'options.file'],
      [{ stream: {} }, 'options.stream'],
      [{ name: 3 }, 'options.name'],
      [{ clock: 5 }, 'options.clock'],
      [{ secrets: 'abcdef' }, 'options.secrets'],
      [{ secrets: ['ab'] }, 'secret'],
      [{ onError: 'x' }, 'options.onError'],
    ];
    for (const [options, argument] of cases) {
      let thrown: unknown;
      try {
        createLogger({ console: false, ...options });
      } catch (error) {
        thrown = error;
      }
      expect(thrown, argument).toBeInstanceOf(InputError);
      expect((thrown as InputError).details.argument).toBe(argument);
    }
  });

  test('an unusable log file is a ConfigError naming the file field', () => {
    const temp = makeTempDir();
    try {
      const notADirectory = path.join(temp.dir, 'plain-file');
      fs.writeFileSync(notADirectory, '');
      let thrown: unknown;
      try {
        createLogger({ console: false, file: path.join(notADirectory, 'logs', 'hft.log') });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).code).toBe(ErrorCodes.CONFIG_INVALID);
      expect((thrown as ConfigError).issues[0]?.field).toBe('file');
      expect((thrown as ConfigError).message).toContain('ENOTDIR');
    } finally {
      temp.cleanup();
    }
  });
});

describe('bad options', () => {
  test('are InputErrors naming the option and the kind of value received, as the shared checks word them', () => {
    const cases: Array<[unknown, string]> = [
      [{ file: 5 }, 'options.file must be a non-empty path; got a number'],
      [{ onError: 'log' }, 'options.onError must be a function; got a string'],
      [{ clock: 3 }, 'options.clock must be a function or an object with now(); got a number'],
      [null, 'options must be an options object; got null'],
    ];
    for (const [options, message] of cases) {
      let caught: unknown;
      try {
        createLogger(options as never);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InputError);
      expect((caught as InputError).message).toBe(message);
      expect((caught as InputError).details.argument).toBe(message.split(' ')[0]);
    }
  });
});
