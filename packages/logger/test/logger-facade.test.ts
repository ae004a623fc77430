import path from 'node:path';
import { InputError } from '@hft/errors';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { Logger } from '../src/index.js';
import { CapturedStream, makeTempDir, manualClock, readLines } from './helpers.js';

let temp: ReturnType<typeof makeTempDir>;

beforeEach(() => {
  temp = makeTempDir();
});

afterEach(async () => {
  await Logger.close();
  vi.restoreAllMocks();
  temp.cleanup();
});

describe('Logger facade', () => {
  test('before setup: warn and error reach stderr (redacted), info and debug are dropped', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(Logger.isConfigured()).toBe(false);
    Logger.addSecret('pre-setup-secret');
    const log = Logger.get('early');
    expect(log.level).toBe('warn');
    log.debug('debug dropped');
    log.info('info dropped');
    log.warn('warned about pre-setup-secret', { accessToken: 'abcdefgh' });
    log.error('failed');
    const written = stderr.mock.calls.map((call) => String(call[0]));
    expect(written).toHaveLength(2);
    expect(written[0]).toMatch(
      / WARN {2}\[early\] warned about \[REDACTED\] \{"accessToken":"\[REDACTED\]"\}\n$/,
    );
    expect(written[1]).toMatch(/ ERROR \[early\] failed\n$/);
    expect(stdout).not.toHaveBeenCalled();
  });

  test('handles taken before setup follow the configuration made later', async () => {
    const early = Logger.get('auth');
    const stream = new CapturedStream();
    const root = Logger.setup({ level: 'debug', stream, name: 'app', clock: manualClock().now });
    expect(Logger.isConfigured()).toBe(true);
    early.debug('now configured', { step: 1 });
    root.info('from root');
    Logger.get().info('from get()');
    Logger.get('auth').child({ accountKey: 'upstox:CID:AB1234' }).info('child');
    await Logger.close();
    expect(stream.lines).toEqual([
      '2026-03-02T04:00:00.000Z DEBUG [auth] now configured {"step":1}',
      '2026-03-02T04:00:00.000Z INFO  [app] from root',
      '2026-03-02T04:00:00.000Z INFO  [app] from get()',
      '2026-03-02T04:00:00.000Z INFO  [auth] child {"accountKey":"upstox:CID:AB1234"}',
    ]);
    expect(Logger.isConfigured()).toBe(false);
  });

  test('setup again reconfigures: old outputs are flushed and closed, secrets carry over', async () => {
    const first = path.join(temp.dir, 'first.log');
    const second = path.join(temp.dir, 'second.log');
    const log = Logger.get('svc');
    Logger.setup({ file: first, console: false });
    Logger.addSecret('carried-secret-1');
    for (let i = 0; i < 500; i++) log.info(`first ${i}`);
    Logger.setup({ file: second, console: false, secrets: ['second-secret-2'] });
    log.info('second carried-secret-1 second-secret-2');
    await Logger.close();
    expect(readLines(first)).toHaveLength(500);
    const [entry] = readLines(second);
    expect(JSON.parse(entry!)).toMatchObject({ name: 'svc', message: 'second [REDACTED] [REDACTED]' });
    expect(readLines(second)).toHaveLength(1);
  });

  test('invalid setup options throw and keep the current configuration', async () => {
    const stream = new CapturedStream();
    Logger.setup({ stream, clock: () => 0 });
    expect(() => Logger.setup({ level: 'trace' as 'info' })).toThrow(InputError);
    expect(() => Logger.addSecret('abc')).toThrow(InputError);
    Logger.get('kept').info('still here');
    await Logger.close();
    expect(stream.lines).toEqual(['1970-01-01T00:00:00.000Z INFO  [kept] still here']);
  });

  test('get() refuses an empty or non-string name', () => {
    expect(() => Logger.get('')).toThrow(InputError);
    expect(() => Logger.get(5 as unknown as string)).toThrow(InputError);
  });

  test('after close the facade is back to its pre-setup behaviour', async () => {
    const stream = new CapturedStream();
    Logger.setup({ stream, clock: () => 0 });
    await Logger.close();
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    Logger.get('late').info('dropped');
    Logger.get('late').error('shown');
    expect(stream.lines).toEqual([]);
    expect(stderr.mock.calls.map((call) => String(call[0]))).toEqual([
      expect.stringMatching(/ERROR \[late\] shown/),
    ]);
  });
});
