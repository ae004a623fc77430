// The options of createFileTokenStore and the warnings it reports.
import type { RecordCipher } from '@hft/auth-core/store';
import type { Clock } from '@hft/time/core';

/** Something the store fixed or skipped on its own, reported through `onWarning`. */
export interface FileStoreWarning {
  /**
   * - `mode-tightened`: a token file or the directory was readable by group/others; its mode
   *   was set to 0600 / 0700 (`mode` is the old mode).
   * - `legacy-unattributed`: a file of the original Python module was found but no `clientId`
   *   option was given, so it belongs to no account key and is ignored.
   * - `foreign-file`: a per-account file holds the record of another account than its name says
   *   (copied by hand, or a case-insensitive file system); it is ignored by `list()`.
   * - `corrupt-replaced`: `set` found the account's file unreadable, moved it aside and wrote a
   *   fresh one.
   * - `lock-release-failed`: a lock could not be released; it frees itself when its lease ends.
   */
  code:
    | 'mode-tightened'
    | 'legacy-unattributed'
    | 'foreign-file'
    | 'corrupt-replaced'
    | 'lock-release-failed';
  /** Human-readable text; names the path, never a secret. */
  message: string;
  /** The file or directory concerned. */
  path: string;
  /** For `mode-tightened`: the old permission bits (e.g. `0o644`). */
  mode?: number;
}

/** Options of {@link createFileTokenStore}. */
export interface FileTokenStoreOptions {
  /** Directory holding one JSON file per account; created with mode 0700 on first write. */
  dir: string;
  /**
   * Encrypts records at rest: each file holds a sealed envelope bound to its account key.
   * Plain files are still read, and are sealed at their next save. Default: plain files.
   */
  cipher?: RecordCipher;
  /**
   * Client id (API key) used to build the account key `upstox:<clientId>:<user_id>` of files
   * written by the original Python module, which do not record it. Without it such a file is
   * ignored (and reported with `legacy-unattributed`).
   */
  clientId?: string;
  /** Receives {@link FileStoreWarning}s. Default: ignore them (libraries are silent). */
  onWarning?: (warning: FileStoreWarning) => void;
  /** Window, in ms, that gathers a burst of file events into one `watch` check. Default 25. */
  watchDebounceMs?: number;
  /** Source of "now" for lock leases and the time stamp of moved-aside files. Default: system clock. */
  clock?: Clock;
}
