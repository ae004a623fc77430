/** Options every command accepts (see `hft --help`). */
export interface GlobalOptions {
  /** Account name or key (`--account`). */
  account?: string;
  /** Storage URL (`--storage`), same forms as `HFT_STORAGE`. */
  storage?: string;
  /** Log level for the log file (`--log-level`). */
  logLevel?: string;
  /** Show causes and stacks of errors (`--verbose`). */
  verbose?: boolean;
  /** Machine-readable output where the command supports it (`--json`). */
  json?: boolean;
}
