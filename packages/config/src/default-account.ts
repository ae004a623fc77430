// The default account of a home (`hft accounts use NAME`): kept as `account` in
// `$HFT_HOME/config.json`, so it is one more config value with a source, below `--account` and
// `HFT_ACCOUNT`, and `hft config` shows where it came from.
import { join } from 'node:path';
import { ErrorCodes } from '@hft/errors';
import * as v from 'valibot';
import { HOME_CONFIG_FILENAME } from './constants.js';
import { makePrivateDir } from './credentials.js';
import { configError } from './issues.js';
import { readSettingsFile } from './read-file.js';
import { parseJsonSafe } from './safe-json.js';
import { accountSchema } from './schemas.js';

/**
 * Sets (or, with `undefined`, removes) the default account in `<home>/config.json`, keeping every
 * other setting of that file; written atomically with mode 0600. Resolves with the file's path.
 * @throws ConfigError `HFT_CONFIG_INVALID` (not a valid account name), `HFT_CONFIG_FILE` (the
 *   file is not a JSON object, or cannot be read or written; nothing is written then).
 */
export async function saveDefaultAccount(home: string, account: string | undefined): Promise<string> {
  const path = join(home, HOME_CONFIG_FILENAME);
  if (account !== undefined) {
    const checked = v.safeParse(accountSchema(), account);
    if (!checked.success) {
      throw configError('Not a valid account name', [
        { field: 'account', source: 'input', message: checked.issues[0].message },
      ]);
    }
  }
  const fileIssue = (message: string, cause?: unknown) =>
    configError(
      `Could not save the default account in ${path}`,
      [{ field: 'configFile', source: path, message }],
      ErrorCodes.CONFIG_FILE,
      cause,
    );
  const read = await readSettingsFile(path);
  let settings: Record<string, unknown> = {};
  if (read.status === 'unreadable') throw fileIssue(read.message);
  if (read.status === 'ok') {
    const parsed = parseJsonSafe(read.text);
    if (
      !parsed.ok ||
      typeof parsed.value !== 'object' ||
      parsed.value === null ||
      Array.isArray(parsed.value)
    ) {
      throw fileIssue('is not a JSON object; fix or remove it first');
    }
    settings = parsed.value as Record<string, unknown>;
  }
  if (account === undefined) delete settings.account;
  else settings.account = account;
  try {
    await makePrivateDir(home);
    const { default: writeFileAtomic } = await import('write-file-atomic');
    await writeFileAtomic(path, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600, fsync: true });
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    throw fileIssue(`cannot be written${typeof code === 'string' ? ` (${code})` : ''}`, error);
  }
  return path;
}
