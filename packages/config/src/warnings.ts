/**
 * Something worth telling the user that does not stop the load. Library code never prints these:
 * they go to the `onWarning` callback and into the returned list; apps decide how to show them.
 */
export interface ConfigWarning {
  /** `file-permissions`: a file holding a secret can be read by group or others. */
  readonly kind: 'file-permissions';
  /** The file concerned. */
  readonly path: string;
  /** Human-readable text naming the file and the fix. */
  readonly message: string;
}

/** Receives warnings as they are found. */
export type WarningHandler = (warning: ConfigWarning) => void;

/**
 * The warning for a secret-bearing file whose mode lets group or others in, or `undefined` when
 * the mode is owner-only (or on Windows, where POSIX modes mean nothing).
 *
 * @param path the file
 * @param mode its permission bits (`stat.mode & 0o777`)
 */
export function permissionWarning(path: string, mode: number): ConfigWarning | undefined {
  if (process.platform === 'win32' || (mode & 0o077) === 0) return undefined;
  const octal = (mode & 0o777).toString(8).padStart(4, '0');
  return {
    kind: 'file-permissions',
    path,
    message: `${path} holds a client secret and is accessible by group or others (mode ${octal}); fix: chmod 600 ${path}`,
  };
}
