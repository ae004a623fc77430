// This machine's egress address as Upstox would see it, for the doctor's static-ip check:
// HFT_EGRESS_IP when set, else the machine's own non-loopback interface addresses, else an echo
// URL the user configured (HFT_EGRESS_ECHO_URL). Nothing asks a third party by default.
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/** Where the egress address came from, and what it is. */
export type Egress =
  | { kind: 'env'; ips: string[] }
  | { kind: 'interfaces'; ips: string[]; private: string[] }
  | { kind: 'echo'; ips: string[]; url: string }
  | { kind: 'unknown'; reason: string; private: string[] };

const V4_PRIVATE: ReadonlyArray<[number, number, number]> = [
  // [first octet, second-octet low, second-octet high] (inclusive)
  [10, 0, 255],
  [127, 0, 255],
  [169, 254, 254],
  [172, 16, 31],
  [192, 168, 168],
  [100, 64, 127], // carrier-grade NAT
  [0, 0, 255],
];

/**
 * Whether `ip` is an address the internet can route back to: not private, loopback,
 * link-local, carrier-grade NAT, unique-local IPv6 or a documentation range. A machine whose
 * interfaces hold only such addresses sits behind NAT: its egress is some other address.
 */
export function isPublicAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) {
    const [a, b, c] = ip.split('.').map(Number) as [number, number, number];
    if (V4_PRIVATE.some(([first, low, high]) => a === first && b >= low && b <= high)) return false;
    // Documentation ranges (TEST-NET-1/2/3) and benchmarking: never a real egress.
    if (
      (a === 192 && b === 0 && c === 2) ||
      (a === 198 && b === 51 && c === 100) ||
      (a === 203 && b === 0 && c === 113)
    )
      return false;
    if (a === 198 && (b === 18 || b === 19)) return false;
    return a < 224;
  }
  if (family === 6) {
    const lower = ip.toLowerCase();
    if (lower === '::1' || lower === '::') return false;
    if (/^f[cd]/.test(lower) || /^fe[89ab]/.test(lower) || lower.startsWith('2001:db8')) return false;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
    if (mapped) return isPublicAddress(mapped[1]!);
    return true;
  }
  return false;
}

/** The machine's non-loopback interface addresses, public first. */
export function interfaceAddresses(): { public: string[]; private: string[] } {
  const out = { public: [] as string[], private: [] as string[] };
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.internal) continue;
      (isPublicAddress(entry.address) ? out.public : out.private).push(entry.address);
    }
  }
  return out;
}

/** Reads an IP from an echo service's answer: plain text, or JSON `{ip}` / `{origin}`. */
export function ipFromEcho(text: string): string | undefined {
  const trimmed = text.trim();
  if (isIP(trimmed) !== 0) return trimmed;
  try {
    const body = JSON.parse(trimmed) as Record<string, unknown>;
    for (const field of ['ip', 'origin', 'address']) {
      const value = body?.[field];
      if (typeof value === 'string' && isIP(value.trim()) !== 0) return value.trim();
    }
  } catch {
    // Not JSON: no IP to read.
  }
  return undefined;
}

/**
 * Finds the egress address. `registered` lets a private interface address that is registered
 * count (a machine on a routed private network, a test set-up). Never throws: an echo URL that
 * fails gives `unknown` with the reason.
 */
export async function findEgress(
  env: Record<string, string | undefined>,
  registered: readonly string[],
): Promise<Egress> {
  const fromEnv = env.HFT_EGRESS_IP?.trim();
  if (fromEnv) {
    const ips = fromEnv.split(/[\s,]+/).filter(Boolean);
    const bad = ips.find((ip) => isIP(ip) === 0);
    if (bad !== undefined)
      return {
        kind: 'unknown',
        reason: `HFT_EGRESS_IP holds "${bad}", which is not an IP address`,
        private: [],
      };
    return { kind: 'env', ips };
  }
  const own = interfaceAddresses();
  const registeredHere = own.private.filter((ip) => registered.includes(ip));
  if (own.public.length > 0 || registeredHere.length > 0) {
    return { kind: 'interfaces', ips: [...own.public, ...registeredHere], private: own.private };
  }
  const echo = env.HFT_EGRESS_ECHO_URL?.trim();
  if (echo) {
    let url: URL;
    try {
      url = new URL(echo);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      return { kind: 'unknown', reason: 'HFT_EGRESS_ECHO_URL is not an http(s) URL', private: own.private };
    }
    const shown = `${url.origin}${url.pathname}`;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000), redirect: 'error' });
      const text = (await response.text()).slice(0, 1000);
      const ip = response.ok ? ipFromEcho(text) : undefined;
      if (ip === undefined) {
        return {
          kind: 'unknown',
          reason: `the echo URL ${shown} answered HTTP ${response.status} without an IP address`,
          private: own.private,
        };
      }
      return { kind: 'echo', ips: [ip], url: shown };
    } catch (error) {
      return {
        kind: 'unknown',
        reason: `the echo URL ${shown} could not be read (${error instanceof Error ? error.message : String(error)})`,
        private: own.private,
      };
    }
  }
  return {
    kind: 'unknown',
    reason:
      own.private.length > 0
        ? `this machine has only private addresses (${own.private.join(', ')}), so it reaches Upstox through NAT with an address it cannot see`
        : 'this machine has no non-loopback address',
    private: own.private,
  };
}
