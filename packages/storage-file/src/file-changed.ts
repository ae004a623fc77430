// Starting an operation over when another process changed its files under it.
import { type FailureContext, storageError } from './store-errors.js';

/**
 * Thrown inside an operation when a file changed between reading and acting on it (another
 * process wrote it): the operation starts over. Never leaves the store.
 */
export class FileChanged extends Error {}

/** How many times an operation starts over when files change under it before giving up. */
const MAX_ATTEMPTS = 5;

/**
 * Runs `fn`, starting it over whenever it throws {@link FileChanged}.
 * @param dir the token directory, named in the error when no key is concerned.
 * @throws StorageError when the files kept changing for {@link MAX_ATTEMPTS} attempts; any other
 *   error of `fn` unchanged.
 */
export async function retrying<T>(dir: string, context: FailureContext, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof FileChanged)) throw error;
      if (attempt >= MAX_ATTEMPTS) {
        throw storageError(
          `the files of ${context.key ?? dir} kept changing during ${context.operation}`,
          context,
        );
      }
    }
  }
}
