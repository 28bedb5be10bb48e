/**
 * Whether a URL host is one the gateway must never fetch from (client-supplied image URLs): a
 * loopback, private, link-local, shared, reserved or otherwise special address, in any spelling.
 * The host is normalised first: brackets, case, trailing dots, IPv4 in inet_aton forms (decimal,
 * octal, hex, 1 to 4 parts), IPv6 in every compressed form, IPv4 embedded in IPv6 (mapped,
 * compatible, NAT64, 6to4, Teredo). Names that only exist inside a network (`localhost`,
 * `*.local`, `*.internal`, ...) are refused by name. Pure, so it is tested for each form.
 */

const SPECIAL_SUFFIXES = [".localhost", ".local", ".internal", ".home.arpa", ".lan", ".intranet", ".corp"];

/** IPv4 ranges that are not public unicast (RFC 6890 and friends): [first octets, prefix length]. */
const V4_BLOCKS: Array<[number, number]> = [
  [ip4(0, 0, 0, 0), 8], // "this network"
  [ip4(10, 0, 0, 0), 8],
  [ip4(100, 64, 0, 0), 10], // shared address space (CGNAT)
  [ip4(127, 0, 0, 0), 8],
  [ip4(169, 254, 0, 0), 16], // link-local, cloud metadata
  [ip4(172, 16, 0, 0), 12],
  [ip4(192, 0, 0, 0), 24], // IETF protocol assignments
  [ip4(192, 0, 2, 0), 24], // documentation
  [ip4(192, 88, 99, 0), 24], // 6to4 relay anycast
  [ip4(192, 168, 0, 0), 16],
  [ip4(198, 18, 0, 0), 15], // benchmarking
  [ip4(198, 51, 100, 0), 24],
  [ip4(203, 0, 113, 0), 24],
  [ip4(224, 0, 0, 0), 4], // multicast
  [ip4(240, 0, 0, 0), 4], // reserved, broadcast
];

function ip4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
}

function v4Forbidden(addr: number): boolean {
  return V4_BLOCKS.some(([base, bits]) => (bits === 0 ? true : addr >>> (32 - bits) === base >>> (32 - bits)));
}

/** One inet_aton part: decimal, 0-prefixed octal, or 0x hex. */
function part(s: string): number | undefined {
  if (/^0x[0-9a-f]*$/i.test(s)) return s.length === 2 ? 0 : parseInt(s.slice(2), 16);
  if (/^0[0-7]*$/.test(s)) return s.length === 1 ? 0 : parseInt(s.slice(1), 8);
  if (/^[1-9][0-9]*$/.test(s)) return Number(s);
  return undefined;
}

/** An IPv4 address in any form inet_aton (and the URL standard) accepts, as a 32-bit number; undefined if it is not one. */
function parseIPv4(host: string): number | undefined {
  const parts = host.split(".");
  if (parts.length > 4 || parts.some((p) => p === "")) return undefined;
  const nums = parts.map(part);
  if (nums.some((n) => n === undefined || !Number.isFinite(n))) return undefined;
  const n = nums as number[];
  const last = n[n.length - 1]!;
  if (n.slice(0, -1).some((x) => x > 255)) return undefined;
  if (last >= 256 ** (5 - n.length)) return undefined;
  let addr = last;
  for (let i = 0; i < n.length - 1; i++) addr += n[i]! * 256 ** (3 - i);
  return addr;
}

/** An IPv6 address as 8 16-bit groups (an embedded dotted IPv4 tail and a %zone accepted); undefined if it is not one. */
function parseIPv6(host: string): number[] | undefined {
  let h = host.replace(/%.*$/, "");
  if (!h.includes(":")) return undefined;
  const tail = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  if (tail) {
    const v4 = parseIPv4(tail[2]!);
    if (v4 === undefined || !/^\d+\.\d+\.\d+\.\d+$/.test(tail[2]!)) return undefined;
    h = `${tail[1]}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = h.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 8 - head.length - rest.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill("0"), ...rest];
  if (all.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return all.map((g) => parseInt(g, 16));
}

function v6Forbidden(g: number[]): boolean {
  const [a, b, c, d, e, f] = g as [number, number, number, number, number, number];
  // ::/80 holds ::, ::1, IPv4-compatible ::a.b.c.d and IPv4-mapped ::ffff:a.b.c.d; ::ffff:0:a.b.c.d is
  // IPv4-translated. None is a public IPv6 host, and each can spell a private IPv4 one: refused.
  if (a === 0 && b === 0 && c === 0 && d === 0 && (e === 0 || (e === 0xffff && f === 0))) return true;
  if (a === 0x64 && b === 0xff9b) return true; // NAT64, 64:ff9b::/96 and the local-use 64:ff9b:1::/48
  if (a === 0x2002) return true; // 6to4 (embeds an IPv4)
  if (a === 0x2001 && b === 0) return true; // Teredo
  if (a === 0x2001 && b === 0xdb8) return true; // documentation
  if (a === 0x100 && b === 0 && c === 0 && d === 0) return true; // discard
  if ((a & 0xfe00) === 0xfc00) return true; // unique local fc00::/7
  if ((a & 0xffc0) === 0xfe80 || (a & 0xffc0) === 0xfec0) return true; // link-local, site-local
  if ((a & 0xff00) === 0xff00) return true; // multicast
  return false;
}

/** The host as the fetcher compares it: no brackets, lower case, no trailing dots. */
function normaliseHost(host: string): string {
  return host
    .replace(/^\[|\]$/g, "")
    .toLowerCase()
    .replace(/\.+$/, "");
}

export function isForbiddenHost(host: string): boolean {
  const h = normaliseHost(host);
  if (!h) return true;
  const v6 = parseIPv6(h);
  if (v6) return v6Forbidden(v6);
  if (h.includes(":") || h.includes("%")) return true; // not a host we can reason about
  const v4 = parseIPv4(h);
  if (v4 !== undefined) return v4Forbidden(v4);
  if (/^[0-9.]+$/.test(h) || /^0x/i.test(h)) return true; // a numeric host that is no valid address
  if (h === "localhost" || !h.includes(".")) return true; // single-label names only resolve inside a network
  return SPECIAL_SUFFIXES.some((s) => h.endsWith(s));
}
