/** What every masked secret prints as. Fixed length, so not even the secret's length leaks. */
export const MASK = '****';

const SECRET_QUERY_PARAMS = /^(?:password|pass|pwd|secret|token|auth)$/i;

/**
 * Masks a secret for display: any non-empty string becomes `'****'` (no prefix, no suffix, no
 * length hint); `undefined`, `null` and `''` become `''` so "not set" stays distinguishable.
 *
 * @param value the secret, or nothing
 * @returns `'****'` or `''`; never any part of `value`
 */
export function maskSecret(value: string | null | undefined): string {
  return typeof value === 'string' && value.length > 0 ? MASK : '';
}

/**
 * Masks the password of a URL (`redis://user:pw@host` -> `redis://user:****@host`) and the values of
 * query parameters that usually carry one (`password`, `pass`, `pwd`, `secret`, `token`, `auth`).
 * The user name, host, port and path stay readable so the printed value is still useful.
 *
 * @param url any string; when it does not parse as a URL, anything between `//` and the last `@`
 *   before the host is masked instead
 * @returns the URL with secrets replaced by `'****'`
 */
export function maskUrlPassword(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/[^/?#]*@/, `//${MASK}@`);
  }
  let changed = false;
  if (parsed.password !== '') {
    parsed.password = MASK;
    changed = true;
  }
  for (const key of [...parsed.searchParams.keys()]) {
    if (SECRET_QUERY_PARAMS.test(key)) {
      parsed.searchParams.set(key, MASK);
      changed = true;
    }
  }
  return changed ? parsed.href : url;
}
