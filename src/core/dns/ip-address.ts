// Patterns of this module, made once: a regular expression literal inside a function makes a new object per call.
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
/**
 * IP address text forms for DNS: strict IPv4 dotted quads (RFC 1035 §3.4.1 A RDATA) and IPv6 text
 * (RFC 4291 §2.2) with its canonical form (RFC 5952).
 */

/** Parses a strict dotted quad (four decimal octets, no leading zeros) into its 4 bytes, or undefined. */
export function parseIPv4(text: string): number[] | undefined {
  // One pass over the characters (no split, no regular expression): this runs several times per message.
  const bytes: number[] = [];
  let value = 0;
  let digits = 0;
  let leadingZero = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || bytes.length === 4 || (leadingZero && digits > 1) || value > 255) return undefined;
      bytes.push(value);
      value = 0;
      digits = 0;
      continue;
    }
    if (c < 0x30 || c > 0x39 || digits === 3) return undefined;
    if (digits === 0) leadingZero = c === 0x30;
    digits++;
    value = value * 10 + (c - 0x30);
  }
  return bytes.length === 4 ? bytes : undefined;
}

/**
 * Parses IPv6 text (RFC 4291 §2.2: hex groups, one `::`, an optional trailing dotted quad) into its 8 16-bit groups,
 * or undefined. Zone indexes (`%eth0`) are not accepted.
 */
export function parseIPv6(text: string): number[] | undefined {
  // Every IPv6 text form has a colon; host names and dotted quads (the common callers' input) end here.
  if (text.length < 2 || text.length > 45 || !text.includes(':')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  // A dotted quad may only end the address (RFC 4291 §2.2 item 3).
  const head = parseGroups(halves[0] ?? '', halves.length === 1);
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '', true) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 2) {
    // `::` stands for one or more zero groups (RFC 4291 §2.2 item 2).
    if (head.length + tail.length > 7) return undefined;
    return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  return head.length === 8 ? head : undefined;
}

/** Hex groups separated by `:`, the last one possibly a dotted quad (two groups) when allowed. '' is no groups. */
function parseGroups(text: string, quadAllowed: boolean): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (quadAllowed && i === parts.length - 1 && part.includes('.')) {
      const quad = parseIPv4(part);
      if (!quad) return undefined;
      groups.push(((quad[0] ?? 0) << 8) | (quad[1] ?? 0), ((quad[2] ?? 0) << 8) | (quad[3] ?? 0));
    } else {
      if (!HEX_GROUP.test(part)) return undefined;
      groups.push(parseInt(part, 16));
    }
  }
  return groups;
}

/** True for an IPv4-mapped address `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2). */
export function isIPv4Mapped(groups: readonly number[]): boolean {
  return groups.length === 8 && groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
}

/**
 * Formats 8 groups in the RFC 5952 canonical form: lower-case hex without leading zeros (§4.1, §4.3), the longest
 * run of two or more zero groups shortened to `::`, the first one on a tie (§4.2); IPv4-mapped addresses end in a
 * dotted quad (§5).
 */
export function formatIPv6(groups: readonly number[]): string {
  if (isIPv4Mapped(groups)) {
    const high = groups[6] ?? 0;
    const low = groups[7] ?? 0;
    return `::ffff:${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** The RFC 5952 canonical form of IPv6 text, or undefined when it is not an IPv6 address. */
export function canonicalIPv6(text: string): string | undefined {
  const groups = parseIPv6(text);
  return groups ? formatIPv6(groups) : undefined;
}
