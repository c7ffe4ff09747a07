// Why webhook URLs are checked, and checked again at every delivery: a webhook makes Passerelle send requests to
// an address a reuser chose. Without a guard, a reuser could aim it at the server's own loopback (the admin
// socket is a file, but /metrics, a database, a cloud metadata service at 169.254.169.254 are not) or at the
// private network behind it (SSRF). The host is resolved at registration AND at each delivery, through the same
// lookup the connection uses (http.request's `lookup` option): a name that resolved to a public address at
// registration and to 127.0.0.1 later (DNS rebinding) is refused at the moment of connecting, with no window
// between the check and the connection. PASSERELLE_WEBHOOK_ALLOW_PRIVATE=true lifts the guard (tests, a
// deployment whose receivers are on its own private network).
import dns from 'node:dns';
import net from 'node:net';

const BLOCKED = new net.BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata services)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
  ['64:ff9b::', 96], // NAT64 (would reach IPv4 addresses through a gateway)
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv6');
}

/** Whether an IP address is loopback, private, link-local, unique-local or otherwise not a public one. */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family === 6) {
    // An IPv4-mapped address (::ffff:127.0.0.1) is the IPv4 address.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return BLOCKED.check(mapped[1], 'ipv4');
    return BLOCKED.check(address, 'ipv6');
  }
  return true;
}

export class WebhookUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookUrlError';
  }
}

/** The URL, parsed, when it is http(s) with a host; else a WebhookUrlError. */
export function parseWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WebhookUrlError(`${JSON.stringify(text.slice(0, 100))} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WebhookUrlError(`a webhook URL must be http or https, not ${url.protocol.replace(/:$/, '')}`);
  if (url.username || url.password) throw new WebhookUrlError('a webhook URL must not carry credentials');
  return url;
}

/** Resolves the URL's host and refuses it when an address is not public (unless allowed). */
export async function checkWebhookUrl(text: string, allowPrivate: boolean): Promise<URL> {
  const url = parseWebhookUrl(text);
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string }[];
  try {
    addresses = net.isIP(host) ? [{ address: host }] : await dns.promises.lookup(host, { all: true, verbatim: true });
  } catch {
    throw new WebhookUrlError(`the host ${host} does not resolve`);
  }
  const blocked = addresses.find((a) => isPrivateAddress(a.address));
  if (blocked) throw new WebhookUrlError(`the host ${host} resolves to ${blocked.address}, a loopback or private address: refused (PASSERELLE_WEBHOOK_ALLOW_PRIVATE=true allows it)`);
  return url;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** A `lookup` for http.request that refuses private addresses at connection time (DNS rebinding). */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const list = addresses as dns.LookupAddress[];
      if (!allowPrivate) {
        const blocked = list.find((a) => isPrivateAddress(a.address));
        if (blocked) return callback(Object.assign(new Error(`${hostname} resolves to ${blocked.address}, a loopback or private address: refused`), { code: 'EPRIVATE' }), '');
      }
      if (options.all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} does not resolve`), { code: 'ENOTFOUND' }), '');
      callback(null, first.address, first.family);
    });
  };
}
