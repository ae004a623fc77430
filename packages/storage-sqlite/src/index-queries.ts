// The statements that read the account index (summary-index.ts), on their own so that the lean
// reader (reader.ts) runs the same ones without loading what maintains the index.

/** Name of the index table of records table `table`. */
export const indexTableOf = (table: string) => `${table}_accounts`;

/**
 * Every account record with its summary, or (no summary kept) its stored column for the caller
 * to decode: columns `key`, `summary`, `value`.
 */
export const listingQuery = (table: string) => {
  const index = indexTableOf(table);
  return (
    `SELECT r.key AS key, s.summary AS summary, CASE WHEN s.summary IS NULL THEN r.value END AS value ` +
    `FROM "${table}" r LEFT JOIN "${index}" s ON s.key = r.key WHERE r.key LIKE 'upstox:%'`
  );
};

/** The key of the account whose summary carries name `?` (column `key`), through the name index. */
export const nameQuery = (table: string) => {
  const index = indexTableOf(table);
  // INDEXED BY: with ORDER BY key the planner would rather scan the primary key.
  return `SELECT key FROM "${index}" INDEXED BY "${index}_name" WHERE json_extract(summary, '$.name') = ? ORDER BY key LIMIT 1`;
};
