import type { GlobalOptions } from './global-options.js';

/** A command line the fast path runs by itself (see hft.cts). */
export interface FastCommand {
  /** `token`, or `status` (always with `--json` on the fast path). */
  name: 'token' | 'status';
  /** The global options given in front of the command. */
  options: Pick<GlobalOptions, 'account' | 'storage' | 'logLevel' | 'verbose'>;
  /** `hft token --kind K`: the kind asked for. */
  kind?: string;
}
