import { ConfigError, type ConfigIssue, type ErrorCode, ErrorCodes } from '@hft/errors';
import type * as v from 'valibot';

const SNAKE_TO_CAMEL: Readonly<Record<string, string>> = {
  client_id: 'clientId',
  client_secret: 'clientSecret',
  redirect_uri: 'redirectUri',
};

/** How a layer's valibot paths become config field names. */
export interface IssueMapping {
  /** Field prefix for the layer's keys (`credentials.` inside a credentials object), else `''`. */
  readonly prefix?: string;
  /** Field name for a problem with the layer's value as a whole (not an object, not JSON...). */
  readonly wholeField: string;
  /** Source of an issue at `key` (the first path segment); the layer's source when constant. */
  readonly sourceOf: (key: string | undefined) => string;
  /** Maps a first path segment to a field name (env var names -> fields); identity when absent. */
  readonly fieldOf?: (key: string) => string;
}

function fieldFromPath(keys: readonly string[], mapping: IssueMapping): string {
  const [first, ...rest] = keys;
  if (first === undefined) return mapping.wholeField;
  const head = mapping.fieldOf ? mapping.fieldOf(first) : first;
  const parts = [
    ...(mapping.prefix ? mapping.prefix.split('.').filter(Boolean) : []),
    ...head.split('.'),
    ...rest,
  ];
  // The object form of `storage` has inner keys; users configure it as one setting.
  if (parts[0] === 'storage') return 'storage';
  if (parts[0] === 'credentials' && parts[1] !== undefined && parts.length === 2) {
    return `credentials.${SNAKE_TO_CAMEL[parts[1]] ?? parts[1]}`;
  }
  return parts.join('.');
}

/**
 * Converts valibot issues to {@link ConfigIssue}s, keeping the first issue of each field (a value
 * that is not even a URL need not also be told it is not https). Messages are the schemas' own
 * messages, written so that they never contain a secret.
 */
export function toConfigIssues(
  issues: readonly v.BaseIssue<unknown>[],
  mapping: IssueMapping,
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const issue of issues) {
    const keys = (issue.path ?? []).map((item) => String((item as { key: unknown }).key));
    const field = fieldFromPath(keys, mapping);
    const source = mapping.sourceOf(keys[0]);
    const id = `${field}\u0000${source}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ field, source, message: issue.message });
  }
  return out;
}

/** One line per issue: `- <field> (from <source>): <message>`. */
export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((issue) => `  - ${issue.field} (from ${issue.source}): ${issue.message}`).join('\n');
}

/**
 * A {@link ConfigError} whose message is `headline` followed by every issue, one per line, and whose
 * `details.issues` holds them.
 */
export function configError(
  headline: string,
  issues: readonly ConfigIssue[],
  code: ErrorCode = ErrorCodes.CONFIG_INVALID,
  cause?: unknown,
): ConfigError {
  const count = `${issues.length} problem${issues.length === 1 ? '' : 's'}`;
  return new ConfigError(`${headline} (${count}):\n${formatIssues(issues)}`, {
    code,
    details: { issues: [...issues] },
    ...(cause === undefined ? {} : { cause }),
  });
}
