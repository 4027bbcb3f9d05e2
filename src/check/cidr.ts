/**
 * IP addresses and networks for `cidr`: strict textual forms (dotted-quad IPv4 without leading
 * zeros, RFC 4291 IPv6 with `::` and an optional dotted-quad tail, no zone ids).
 */

export interface Address {
  readonly version: 4 | 6;
  readonly value: bigint;
}

export interface Network {
  readonly version: 4 | 6;
  /** The network address (host bits zero). */
  readonly base: bigint;
  readonly prefix: number;
  /** The canonical spelling, e.g. "10.0.0.0/8". */
  readonly text: string;
}

/** Four dot-separated parts, each 0 or 1 to 3 digits without a leading zero, at most 255. */
export function parseIPv4(s: string): bigint | undefined {
  const n = s.length;
  if (n < 7 || n > 15) return undefined;
  let v = 0;
  let parts = 0;
  let i = 0;
  for (;;) {
    const start = i;
    let part = 0;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      part = part * 10 + (c - 0x30);
      i++;
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || (digits > 1 && s.charCodeAt(start) === 0x30) || part > 255) return undefined;
    v = v * 256 + part;
    parts++;
    if (i === n) break;
    if (s.charCodeAt(i) !== 0x2e || parts === 4) return undefined;
    i++;
  }
  return parts === 4 ? BigInt(v) : undefined;
}

export function parseIPv6(s: string): bigint | undefined {
  if (s.length === 0 || s.length > 45) return undefined;
  let tail: bigint | undefined;
  let text = s;
  const lastColon = s.lastIndexOf(":");
  if (s.includes(".")) {
    tail = parseIPv4(s.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    text = s.slice(0, lastColon + 1) + "0:0";
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string): string[] | undefined => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const all = [...head, ...rest];
  if (all.some((g) => !/^[0-9A-Fa-f]{1,4}$/.test(g))) return undefined;
  if (halves.length === 2 ? all.length > 7 : all.length !== 8) return undefined;
  const filled = halves.length === 2 ? [...head, ...Array<string>(8 - all.length).fill("0"), ...rest] : all;
  let v = 0n;
  for (const g of filled) v = (v << 16n) | BigInt(parseInt(g, 16));
  if (tail !== undefined) v = (v & ~0xffffffffn) | tail;
  return v;
}

export function parseAddress(s: string): Address | undefined {
  const v4 = parseIPv4(s);
  if (v4 !== undefined) return { version: 4, value: v4 };
  if (!s.includes(":")) return undefined;
  const v6 = parseIPv6(s);
  return v6 === undefined ? undefined : { version: 6, value: v6 };
}

export type NetworkResult = { network: Network } | { error: "malformed" | "host-bits"; message: string };

/** A network literal: `10.0.0.0/8`, `2001:db8::/32`, or a bare address (/32, /128). */
export function parseNetwork(s: string): NetworkResult {
  const slash = s.indexOf("/");
  const addrText = slash < 0 ? s : s.slice(0, slash);
  const addr = parseAddress(addrText);
  if (!addr) return { error: "malformed", message: `'${s}' is not an IPv4 or IPv6 network` };
  const bits = addr.version === 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^(?:0|[1-9]\d{0,2})$/.test(p) || Number(p) > bits) {
      return { error: "malformed", message: `'${s}': the prefix length must be 0 to ${bits}` };
    }
    prefix = Number(p);
  }
  const mask = prefixMask(addr.version, prefix);
  if ((addr.value & ~mask & allOnes(addr.version)) !== 0n) {
    const base = formatAddress(addr.version, addr.value & mask);
    return { error: "host-bits", message: `'${s}' has host bits set (did you mean '${base}/${prefix}'?)` };
  }
  return { network: { version: addr.version, base: addr.value, prefix, text: `${formatAddress(addr.version, addr.value)}/${prefix}` } };
}

function allOnes(version: 4 | 6): bigint {
  return version === 4 ? 0xffffffffn : (1n << 128n) - 1n;
}

function prefixMask(version: 4 | 6, prefix: number): bigint {
  const bits = version === 4 ? 32 : 128;
  return prefix === 0 ? 0n : (allOnes(version) >> BigInt(bits - prefix)) << BigInt(bits - prefix);
}

export function inNetwork(a: Address, n: Network): boolean {
  return a.version === n.version && (a.value & prefixMask(n.version, n.prefix)) === n.base;
}

/** The first and last address of a network, as numbers (for range checks in SQL). */
export function networkRange(n: Network): { first: bigint; last: bigint } {
  const mask = prefixMask(n.version, n.prefix);
  return { first: n.base, last: n.base | (~mask & allOnes(n.version)) };
}

export function formatAddress(version: 4 | 6, v: bigint): string {
  if (version === 4) {
    const n = Number(v & 0xffffffffn);
    return `${Math.floor(n / 0x1000000)}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((v >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Compress the longest run of two or more zero groups (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return groups.join(":");
  return `${groups.slice(0, best).join(":")}::${groups.slice(best + bestLen).join(":")}`;
}
