// Whether a process recorded in a file (a lock holder, a temp file's writer) is still running.
import { errnoCode } from './store-errors.js';

/**
 * True only when process `pid` is known to be gone on this host: `kill(pid, 0)` fails with
 * `ESRCH`. A live process, one of another user (`EPERM`), this very process, or a pid that is
 * not a positive integer all count as "not known to be gone". Meaningful only for a pid
 * recorded on this host.
 */
export function processGone(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return errnoCode(error) === 'ESRCH';
  }
}
