import { BrokerError, ErrorCodes, isHftError } from '@hft/errors';

/** What to do about Upstox's login/token error codes, in the user's terms. */
const BROKER_HINTS: Record<string, string> = {
  UDAPI100016:
    'Upstox did not accept the client id and secret: check UPSTOX_CLIENT_ID and UPSTOX_CLIENT_SECRET (or $HFT_HOME/credentials.json) against the app in the Upstox developer console; `hft config` shows where each value came from.',
  UDAPI100069:
    'Upstox did not accept the client id and secret: check UPSTOX_CLIENT_ID and UPSTOX_CLIENT_SECRET against the app in the Upstox developer console.',
  UDAPI100057:
    'An authorization code works once and only for a few minutes: run `hft login` again and use the new redirect promptly.',
  UDAPI100073:
    'The Upstox app is inactive: reactivate it in the Upstox developer console (https://account.upstox.com/developer/apps), then log in again.',
  UDAPI100068:
    'The redirect URI must equal the one registered on the Upstox app exactly (scheme, host, port and path): compare UPSTOX_REDIRECT_URI with the developer console.',
  UDAPI100058: 'The Upstox account has no active segments; activate one in Upstox before logging in.',
  UDAPI1123:
    'hft login --request needs a notifier webhook URL on the Upstox app: set it in the developer console (https://account.upstox.com/developer/apps) to the public URL of `hft webhook serve`, or log in with plain `hft login`.',
};

/**
 * A one-line suggestion for a failure, printed after the error message; `undefined` when the
 * message already says everything.
 */
export function hintFor(error: unknown): string | undefined {
  if (error instanceof BrokerError && error.brokerCode !== undefined) return BROKER_HINTS[error.brokerCode];
  if (!isHftError(error)) return undefined;
  switch (error.code) {
    case ErrorCodes.NETWORK_TIMEOUT:
      return 'Upstox did not answer in time: check the network (or proxy), or allow longer with --http-timeout SECONDS / HFT_HTTP_TIMEOUT.';
    case ErrorCodes.NETWORK_UNREACHABLE:
      return 'Upstox could not be reached: check the network, proxy and UPSTOX_BASE_URL (`hft doctor` checks them).';
    case ErrorCodes.NETWORK_NON_JSON:
      return 'Something between this machine and Upstox (a firewall, proxy or block page) answered instead of Upstox; try another network.';
    default:
      return undefined;
  }
}
