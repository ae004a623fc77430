/** Options every command accepts (see `hft --help`). */
export interface GlobalOptions {
  /** Account name or key (`--account`). */
  account?: string;
  /** Storage URL (`--storage`), same forms as `HFT_STORAGE`. */
  storage?: string;
  /** Log level for the log file (`--log-level`). */
  logLevel?: string;
  /** Per-request timeout of Upstox calls in seconds (`--http-timeout`), same as `HFT_HTTP_TIMEOUT`. */
  httpTimeout?: number;
  /** Show causes and stacks of errors (`--verbose`). */
  verbose?: boolean;
  /** Machine-readable output where the command supports it (`--json`). */
  json?: boolean;
}
