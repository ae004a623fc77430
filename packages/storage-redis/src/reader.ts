// The lean reader of a Redis token store, for short commands (`hft token`): one socket speaking
// RESP (node-redis's own reply decoder), a GET per record, SCAN + MGET for the list, the store's
// account index for names and summaries, and none of
// the full client (its command table alone takes longer to load than `hft token` may run).
// Built also as a self-contained CommonJS file (dist/reader.cjs) for CommonJS callers.
import { connect as netConnect, type Socket } from 'node:net';
import type { RecordReader } from '@hft/auth-core/store';
import { storedString } from '@hft/storage-keyv/stored-entry';
import { Decoder } from '@redis/client/dist/lib/RESP/decoder.js';
import { accountIndex, type CommandSender } from './account-index.js';
import { keyLayout } from './key-layout.js';
import { type RedisTokenStoreOptions, resolveOptions } from './options.js';

/** Options of {@link openRedisReader}: the store's own, of which the URL, prefix and timeouts count. */
export type RedisReaderOptions = Pick<
  RedisTokenStoreOptions,
  'url' | 'prefix' | 'connectTimeoutMs' | 'commandTimeoutMs'
>;

interface Pending {
  resolve(reply: unknown): void;
  reject(error: Error): void;
}

/** One RESP2 command as bytes: an array of bulk strings. */
function encode(args: readonly string[]): string {
  let out = `*${args.length}\r\n`;
  for (const arg of args) out += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
  return out;
}

/** Opens the socket (TLS for `rediss://`), within `timeoutMs`. */
function openSocket(tls: boolean, host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // node:tls costs a few ms to load: only for rediss:// URLs.
    const socket = tls
      ? process
          .getBuiltinModule('node:tls')
          .connect({ host, port, ...(/^[\d.:]+$/.test(host) ? {} : { servername: host }) })
      : netConnect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no connection within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * Opens a read-only view of the records `createRedisTokenStore` keeps under `options.prefix`:
 * authenticates and selects the URL's database like the store's client, then answers `get` with
 * one `GET` and `list` with `SCAN` + `MGET`, the store's own commands.
 *
 * Anything unusual (no connection, a refused password, an entry Keyv would treat specially)
 * makes it throw, so that the caller (`readerFirstStore`) asks the full store, which reports it
 * in its own words. The password is never part of what it throws.
 * @throws InputError for invalid options (the message never holds the password); `Error` otherwise.
 */
export async function openRedisReader(options: RedisReaderOptions): Promise<RecordReader> {
  const settings = resolveOptions(options);
  const { target } = settings.parsed;
  const keys = keyLayout(settings.prefix);
  const socket = await openSocket(target.tls, target.host, target.port, settings.connectTimeoutMs);
  const queue: Pending[] = [];
  let broken: Error | undefined;
  const fail = (error: Error) => {
    broken ??= error;
    for (const waiter of queue.splice(0)) waiter.reject(broken);
    socket.destroy();
  };
  const decoder = new Decoder({
    onReply: (reply: unknown) => queue.shift()?.resolve(reply),
    onErrorReply: (error: Error) => queue.shift()?.reject(new Error(`Redis refused: ${error.message}`)),
    onPush: () => {},
    getTypeMapping: () => ({}),
  });
  socket.on('data', (chunk: Buffer) => {
    try {
      decoder.write(chunk);
    } catch (error) {
      fail(error instanceof Error ? error : new Error(String(error)));
    }
  });
  socket.on('error', (error) => fail(error));
  socket.on('close', () => fail(new Error('the connection closed')));

  const send = (commands: ReadonlyArray<readonly string[]>): Promise<unknown[]> => {
    if (broken) return Promise.reject(broken);
    const replies = commands.map(
      () =>
        new Promise<unknown>((resolve, reject) => {
          queue.push({ resolve, reject });
        }),
    );
    socket.write(commands.map(encode).join(''));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`no answer within ${settings.commandTimeoutMs} ms`));
        fail(new Error('timed out'));
      }, settings.commandTimeoutMs);
    });
    return Promise.race([Promise.all(replies), deadline]).finally(() => clearTimeout(timer));
  };

  const handshake: string[][] = [];
  if (target.hasPassword) {
    const password = decodeURIComponent(new URL(settings.url).password);
    handshake.push(target.username ? ['AUTH', target.username, password] : ['AUTH', password]);
  }
  if (target.database !== 0) handshake.push(['SELECT', String(target.database)]);
  try {
    if (handshake.length > 0) await send(handshake);
  } catch (error) {
    socket.destroy();
    throw error;
  }

  const text = (reply: unknown): string | null => {
    if (reply === null || typeof reply === 'string') return reply;
    throw new Error('Redis answered something else than a string');
  };

  const sender: CommandSender = {
    sendCommand: async (args) => (await send([args]))[0],
  };
  const index = accountIndex(keys.index, keys.names, keys.record(''));

  return {
    async get(key) {
      const [reply] = await send([['GET', keys.record(key)]]);
      return storedString(text(reply));
    },
    async list() {
      const found: string[] = [];
      let cursor = '0';
      do {
        const [reply] = await send([
          ['SCAN', cursor, 'MATCH', `${keys.recordNamespace}:*`, 'TYPE', 'string'],
        ]);
        if (!Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[1])) {
          throw new Error('Redis answered SCAN with something else than a cursor and keys');
        }
        cursor = String(reply[0]);
        const redisKeys = (reply[1] as unknown[]).map(text) as string[];
        if (redisKeys.length === 0) continue;
        const [values] = await send([['MGET', ...redisKeys]]);
        if (!Array.isArray(values) || values.length !== redisKeys.length) {
          throw new Error('Redis answered MGET with something else than one value per key');
        }
        redisKeys.forEach((redisKey, i) => {
          // A record deleted or expired between SCAN and MGET is not listed (as by the store).
          if (storedString(text(values[i])) === undefined) return;
          const key = keys.accountOf(redisKey);
          if (key?.startsWith('upstox:')) found.push(key);
        });
      } while (cursor !== '0');
      return found;
    },
    keyNamed: (name) => index.keyNamed(sender, name),
    async summaryTexts() {
      // The store's own listing script; a record without a valid entry is the full store's to
      // read and repair.
      const { indexed, unindexed } = await index.list(sender);
      if (unindexed.length > 0) throw new Error(`${unindexed.length} records have no index entry`);
      return [...indexed];
    },
    async close() {
      broken ??= new Error('closed');
      socket.destroy();
    },
  };
}
