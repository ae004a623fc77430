// Upstox's UDAPI1154 (an order from an IP that is not one of the user's registered static IPs)
// as a BrokerError that says what Upstox saw and what to do about it.

import { isIP } from 'node:net';
import { BrokerError, type BrokerErrorDetails, ErrorCodes } from '@hft/errors';

/** What a UDAPI1154 message says: the origin IP and the registered ones, when it names them. */
export interface StaticIpRefusal {
  originIp?: string;
  registeredIps?: string[];
}

// Upstox's text: "... configured static IP (1.2.3.4, 5.6.7.8) does not match origin IP (9.9.9.9)".
// Only addresses that parse as IPs are taken, so nothing else of the message is echoed.
const ORIGIN = /origin\s+IP\s*[:(]?\s*([0-9A-Fa-f.:]+)/i;
const CONFIGURED = /(?:configured|registered)\s+static\s+IPs?\s*\(([^)]*)\)/i;

/** Reads the origin and registered IPs out of a UDAPI1154 message (pure). */
export function parseStaticIpRefusal(message: string): StaticIpRefusal {
  const out: StaticIpRefusal = {};
  const origin = ORIGIN.exec(message)?.[1];
  if (origin !== undefined && isIP(origin) !== 0) out.originIp = origin;
  const configured = CONFIGURED.exec(message)?.[1];
  if (configured !== undefined) {
    // Upstox registers at most two (primary, secondary).
    const ips = configured
      .split(/[\s,]+/)
      .filter((ip) => isIP(ip) !== 0)
      .slice(0, 2);
    if (ips.length > 0) out.registeredIps = ips;
  }
  return out;
}

/**
 * The typed error of a UDAPI1154 answer: `HFT_BROKER_STATIC_IP`, naming the IP Upstox saw (when
 * its message says), the registered ones (from the message, or `registeredIps` when the caller
 * knows them) and the fix. `details.originIp` / `details.registeredIps` carry them.
 */
export function staticIpError(
  details: BrokerErrorDetails,
  brokerMessage: string,
  registeredIps?: readonly string[],
): BrokerError {
  const parsed = parseStaticIpRefusal(brokerMessage);
  const registered = parsed.registeredIps ?? registeredIps;
  const seen = parsed.originIp;
  const from = seen ? `this machine's address as Upstox saw it, ${seen},` : "this machine's address";
  const list =
    registered === undefined
      ? 'the registered static IPs are not known here (see them with `hft ip`)'
      : registered.length === 0
        ? 'the user has no static IP registered'
        : `registered: ${registered.join(', ')}`;
  const fix = seen
    ? `register it with \`hft ip set ${seen}\` (or in My Apps on Upstox; a change is allowed once a week and logs you out), or send orders from a registered address`
    : "register this machine's public IP with `hft ip set <ip>` (or in My Apps on Upstox; a change is allowed once a week and logs you out), or send orders from a registered address";
  return new BrokerError(
    `Upstox refused ${details.endpoint} (HTTP ${details.status}, UDAPI1154): ${from} is not one of the user's static IPs (${list}). Fix: ${fix}`,
    {
      code: ErrorCodes.BROKER_STATIC_IP,
      details: {
        ...details,
        ...(seen === undefined ? {} : { originIp: seen }),
        ...(registered === undefined ? {} : { registeredIps: [...registered] }),
      },
    },
  );
}
