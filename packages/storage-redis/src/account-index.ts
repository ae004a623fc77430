// The account index of the Redis store: a hash `<prefix>accounts` with one field per account
// (`<stamp>|<summary JSON>`), written by the same script as the record, so that listing every
// account is one script call that sends summaries, not records.
//
// The stamp is the record's absolute expiry time in ms as Redis holds it. Every version of the
// store writes records with a TTL, so an entry whose stamp no longer matches its record was
// overtaken by a write that did not update the index (an older version, another tool); an
// entry whose record is gone (deleted, expired) is dropped; a record with no valid entry is
// listed for the caller to read and repair. Two writes landing on the same expiry millisecond
// would hide such a change: it needs the same `expiresAt` written within a millisecond.
/**
 * What the index needs of a connection: one raw command. The store's node-redis client has it;
 * so has the lean reader (reader.ts), which shares these scripts without the full client.
 */
export interface CommandSender {
  sendCommand(args: string[]): Promise<unknown>;
}

/** Expiry of `KEYS`-style key `k` in absolute ms (`PEXPIRETIME`, or `TIME` + `PTTL` before Redis 7). */
const STAMP = `
local function stamp(k)
  local ok, t = pcall(redis.call, 'PEXPIRETIME', k)
  if ok then return t end
  local left = redis.call('PTTL', k)
  if left < 0 then return left end
  local now = redis.call('TIME')
  return tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + left
end
local function fresh(t, entry)
  local sep = string.find(entry, '|', 1, true)
  if t < 0 or not sep then return nil end
  local want = tonumber(string.sub(entry, 1, sep - 1))
  if want == nil or math.abs(t - want) > 2 then return nil end
  return string.sub(entry, sep + 1)
end
`;

// KEYS: record, index, name index. ARGV: stored value, ttl ms, account key, summary JSON, the
// account's name ('' for none), a guard text ('' for none), a pass text ('' for none). With a
// guard, a current value that contains it, unless it also contains the pass, is returned instead
// of being replaced (the caller decides, then writes unguarded).
const WRITE = `${STAMP}
if ARGV[6] ~= '' then
  local current = redis.call('GET', KEYS[1])
  if current and string.find(current, ARGV[6], 1, true)
    and not (ARGV[7] ~= '' and string.find(current, ARGV[7], 1, true)) then
    return current
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('HSET', KEYS[2], ARGV[3], stamp(KEYS[1]) .. '|' .. ARGV[4])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[3], ARGV[5], ARGV[3]) end
return 1
`;

// KEYS: record, index. ARGV: account key. Returns how many records were removed.
const REMOVE = `
local n = redis.call('UNLINK', KEYS[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return n
`;

// KEYS: index. ARGV: record key prefix, SCAN pattern of records. Returns a flat list of
// account key, summary JSON (or false: no valid entry, read the record).
const LIST = `${STAMP}
local idx, prefix = KEYS[1], ARGV[1]
local entries = redis.call('HGETALL', idx)
local listed, out = {}, {}
for i = 1, #entries, 2 do
  local key = entries[i]
  local t = stamp(prefix .. key)
  local summary = fresh(t, entries[i + 1])
  if summary then
    listed[key] = true
    out[#out + 1] = key
    out[#out + 1] = summary
  elseif t == -2 then
    redis.call('HDEL', idx, key)
  end
end
local cursor = '0'
repeat
  local page = redis.call('SCAN', cursor, 'MATCH', ARGV[2], 'COUNT', 1000)
  cursor = page[1]
  for _, name in ipairs(page[2]) do
    local key = string.sub(name, #prefix + 1)
    if not listed[key] then
      out[#out + 1] = key
      out[#out + 1] = false
    end
  end
until cursor == '0'
return out
`;

// KEYS: index, then one record per entry. ARGV: per entry, account key, summary JSON, the value
// read. An entry is written only if its record still holds that value.
const REPAIR = `${STAMP}
for i = 2, #KEYS do
  local j = (i - 2) * 3
  if redis.call('GET', KEYS[i]) == ARGV[j + 3] then
    redis.call('HSET', KEYS[1], ARGV[j + 1], stamp(KEYS[i]) .. '|' .. ARGV[j + 2])
  end
end
return 1
`;

const globEscape = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');

/** The index operations of one store (names from its key layout). */
export interface AccountIndex {
  /**
   * Writes the record value with its TTL, its index entry and its name's entry, atomically.
   * With `guard`, a current value containing that text (and not `pass`) is not replaced but
   * returned (nothing is written); otherwise (written) `undefined`.
   */
  write(
    client: CommandSender,
    key: string,
    value: string,
    ttlMs: number,
    summary: string,
    name: string | undefined,
    guard?: { text: string; pass?: string },
  ): Promise<string | undefined>;
  /** The key the name index gives for `name` (a hint: the caller checks the record). */
  keyNamed(client: CommandSender, name: string): Promise<string | undefined>;
  /** Removes the record and its entry, atomically; whether a record was removed. */
  remove(client: CommandSender, key: string): Promise<boolean>;
  /** Valid summaries (as JSON text) by account key, and the keys whose record must be read. */
  list(client: CommandSender): Promise<{ indexed: Map<string, string>; unindexed: string[] }>;
  /** Writes entries for records read by the caller, each only if the record still holds `value`. */
  repair(
    client: CommandSender,
    entries: Array<{ key: string; summary: string; value: string }>,
  ): Promise<void>;
}

/**
 * The account index of records at `<recordPrefix><account key>`, kept in hash `indexKey`, and
 * the name index (name -> account key) in hash `namesKey`: a hint that a rename or a delete may
 * leave stale, so whoever uses it checks the record it points at.
 */
export function accountIndex(indexKey: string, namesKey: string, recordPrefix: string): AccountIndex {
  const pattern = `${globEscape(recordPrefix)}upstox:*`;
  const run = (client: CommandSender, script: string, keys: string[], args: string[]) =>
    client.sendCommand(['EVAL', script, String(keys.length), ...keys, ...args]);
  return {
    async write(client, key, value, ttlMs, summary, name, guard) {
      const reply: unknown = await run(
        client,
        WRITE,
        [recordPrefix + key, indexKey, namesKey],
        [value, String(ttlMs), key, summary, name ?? '', guard?.text ?? '', guard?.pass ?? ''],
      );
      return typeof reply === 'string' || Buffer.isBuffer(reply) ? String(reply) : undefined;
    },
    async keyNamed(client, name) {
      const key = await client.sendCommand(['HGET', namesKey, name]);
      return typeof key === 'string' ? key : undefined;
    },
    async remove(client, key) {
      return Number(await run(client, REMOVE, [recordPrefix + key, indexKey], [key])) > 0;
    },
    async list(client) {
      const reply: unknown = await run(client, LIST, [indexKey], [recordPrefix, pattern]);
      if (!Array.isArray(reply)) throw new Error('the account listing script returned no list');
      const indexed = new Map<string, string>();
      const unindexed: string[] = [];
      for (let i = 0; i + 1 < reply.length; i += 2) {
        const key = String(reply[i]);
        const summary = reply[i + 1];
        if (typeof summary === 'string' || Buffer.isBuffer(summary)) indexed.set(key, String(summary));
        else unindexed.push(key);
      }
      return { indexed, unindexed };
    },
    async repair(client, entries) {
      if (entries.length === 0) return;
      await run(
        client,
        REPAIR,
        [indexKey, ...entries.map((e) => recordPrefix + e.key)],
        entries.flatMap((e) => [e.key, e.summary, e.value]),
      );
    },
  };
}
