import { isIPv4, isIPv6 } from 'node:net';

/** What kind of network an IP address belongs to, as far as outbound requests are concerned. */
export type AddressKind =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unique-local'
  | 'unspecified'
  | 'multicast'
  | 'reserved';

type Range = readonly [base: number, prefix: number, kind: AddressKind];

const v4 = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

/** IPv4 ranges that never belong to a public server (RFC 6890 special-purpose registry). */
const IPV4_RANGES: readonly Range[] = [
  [v4(0, 0, 0, 0), 8, 'unspecified'],
  [v4(10, 0, 0, 0), 8, 'private'],
  [v4(100, 64, 0, 0), 10, 'private'],
  [v4(127, 0, 0, 0), 8, 'loopback'],
  [v4(169, 254, 0, 0), 16, 'link-local'],
  [v4(172, 16, 0, 0), 12, 'private'],
  [v4(192, 0, 0, 0), 24, 'reserved'],
  [v4(192, 0, 2, 0), 24, 'reserved'],
  [v4(192, 168, 0, 0), 16, 'private'],
  [v4(198, 18, 0, 0), 15, 'reserved'],
  [v4(198, 51, 100, 0), 24, 'reserved'],
  [v4(203, 0, 113, 0), 24, 'reserved'],
  [v4(224, 0, 0, 0), 4, 'multicast'],
  [v4(240, 0, 0, 0), 4, 'reserved'],
];

function parseIPv4(address: string): number {
  const parts = address.split('.').map(Number);
  return v4(parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0, parts[3] ?? 0);
}

function classifyIPv4Number(value: number): AddressKind {
  for (const [base, prefix, kind] of IPV4_RANGES) {
    const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
    if ((value & mask) >>> 0 === base) return kind;
  }
  return 'public';
}

/** Expands an IPv6 address (with `::` and an optional dotted IPv4 tail) into eight 16-bit groups. */
function parseIPv6(address: string): number[] {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    const n = parseIPv4(last);
    tail = [n >>> 16, n & 0xffff];
    text = text.slice(0, lastColon);
    // `::1.2.3.4` loses one colon of its `::` when the IPv4 tail is cut off.
    if (text.endsWith(':')) text = `${text}:`;
  }
  const [head = '', rest] = text.split('::') as [string, string | undefined];
  const toGroups = (s: string) => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16)));
  const left = toGroups(head);
  const right = rest === undefined ? [] : toGroups(rest);
  const missing = 8 - tail.length - left.length - right.length;
  const fill = rest === undefined ? [] : new Array<number>(Math.max(missing, 0)).fill(0);
  return [...left, ...fill, ...right, ...tail];
}

function classifyIPv6(address: string): AddressKind {
  const g = parseIPv6(address);
  const at = (i: number) => g[i] ?? 0;
  const embeddedV4 = ((at(6) << 16) | at(7)) >>> 0;
  const firstFiveZero = at(0) === 0 && at(1) === 0 && at(2) === 0 && at(3) === 0 && at(4) === 0;
  if (firstFiveZero && at(5) === 0 && at(6) === 0) {
    if (at(7) === 0) return 'unspecified';
    if (at(7) === 1) return 'loopback';
  }
  // IPv4-mapped (::ffff:a.b.c.d) and the deprecated IPv4-compatible form (::a.b.c.d) reach IPv4 hosts.
  if (firstFiveZero && (at(5) === 0xffff || at(5) === 0)) return classifyIPv4Number(embeddedV4);
  // NAT64 (64:ff9b::/96) also reaches the embedded IPv4 address.
  if (at(0) === 0x64 && at(1) === 0xff9b && at(2) === 0 && at(3) === 0 && at(4) === 0 && at(5) === 0) {
    return classifyIPv4Number(embeddedV4);
  }
  // 6to4 (2002::/16) carries the IPv4 address in groups 1 and 2.
  if (at(0) === 0x2002) return classifyIPv4Number(((at(1) << 16) | at(2)) >>> 0);
  if ((at(0) & 0xfe00) === 0xfc00) return 'unique-local';
  if ((at(0) & 0xffc0) === 0xfe80) return 'link-local';
  if ((at(0) & 0xffc0) === 0xfec0) return 'private';
  if ((at(0) & 0xff00) === 0xff00) return 'multicast';
  if (at(0) === 0x2001 && at(1) === 0x0db8) return 'reserved';
  if (at(0) === 0x0100 && at(1) === 0 && at(2) === 0 && at(3) === 0) return 'reserved';
  return 'public';
}

/**
 * Classifies a literal IP address (IPv4 dotted quad or IPv6, brackets allowed). Returns `undefined`
 * when the text is not an IP literal, so callers resolve it as a hostname instead.
 */
export function classifyAddress(address: string): AddressKind | undefined {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (isIPv4(bare)) return classifyIPv4Number(parseIPv4(bare));
  if (isIPv6(bare)) return classifyIPv6(bare);
  return undefined;
}
