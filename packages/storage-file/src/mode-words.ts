/**
 * Says in words what a file or directory mode grants to anyone but the owner, the most
 * dangerous first: `world-writable`, `group-writable`, then `readable by others` (or
 * `readable by its group` when only the group may read; `accessible to ...` for execute/search
 * bits alone). Joined as a phrase: `world-writable, group-writable and readable by others`.
 *
 * @param mode a mode (`stat().mode`; only the permission bits are looked at)
 * @returns the phrase, or `undefined` when the mode grants nothing to group or others
 */
export function describeLooseMode(mode: number): string | undefined {
  const parts: string[] = [];
  if (mode & 0o002) parts.push('world-writable');
  if (mode & 0o020) parts.push('group-writable');
  if (mode & 0o004) parts.push('readable by others');
  else if (mode & 0o040) parts.push('readable by its group');
  if (!(mode & 0o044)) {
    if (mode & 0o001) parts.push('accessible to others');
    else if (mode & 0o010) parts.push('accessible to its group');
  }
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/** True when `mode` lets group or others write (to a directory: add or replace its files). */
export function isWritableByOthers(mode: number): boolean {
  return (mode & 0o022) !== 0;
}
