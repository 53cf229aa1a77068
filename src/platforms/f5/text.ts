/**
 * Text shapes every F5 reader meets. Copies of BIG-IP output taken from web pages carry
 * no-break spaces (U+00A0) where the device printed spaces (the seed's tables and log lines
 * do): they are read as spaces.
 */

/** U+00A0 (and the narrow U+202F) → space; nothing else changes, so offsets stay put. */
export function plainSpaces(line: string): string {
  return line.replace(/[\u00a0\u202f]/g, ' ');
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;
const IPV6 = /^(?=.*:)[0-9a-fA-F:.]{2,45}$/;

/** An IPv4 or IPv6 address, optionally with a BIG-IP route domain (`10.0.0.1%2`). */
export function isAddress(s: string): boolean {
  const a = s.replace(/%\d+$/, '');
  return IPV4.test(a) || (IPV6.test(a) && a.split(':').length >= 3);
}

export function stripRouteDomain(s: string): string {
  return s.replace(/%\d+$/, '');
}

/**
 * `addr:port` as BIG-IP prints a flow end: IPv4 `1.1.1.1:500`, `1.1.1.1:any`; IPv6 with the
 * port after a dot (`2001:db8::1.500`). Undefined when the token is not one.
 */
export function splitAddrPort(token: string): { addr: string; port: string } | undefined {
  const t = token.trim();
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}(?:%\d+)?):(\d{1,5}|any|\*)$/.exec(t);
  if (v4 && isAddress(v4[1])) return { addr: stripRouteDomain(v4[1]), port: v4[2] };
  const v6 = /^([0-9a-fA-F:]+(?:%\d+)?)\.(\d{1,5}|any)$/.exec(t);
  if (v6 && isAddress(v6[1])) return { addr: stripRouteDomain(v6[1]), port: v6[2] };
  return undefined;
}

/**
 * Comma-separated double-quoted fields (`"a","b",""`), as tmm writes AFM events; a doubled
 * quote inside a field is one quote. Undefined when the text is not of that shape.
 */
export function quotedFields(text: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && text[i] === ' ') i++;
    if (text[i] !== '"') return undefined;
    i++;
    let v = '';
    for (;;) {
      if (i >= n) return undefined;
      if (text[i] === '"') {
        if (text[i + 1] === '"' && text[i + 2] !== ',' && i + 2 < n) {
          v += '"';
          i += 2;
          continue;
        }
        i++;
        break;
      }
      v += text[i++];
    }
    out.push(v);
    while (i < n && text[i] === ' ') i++;
    if (i >= n) break;
    if (text[i] !== ',') return undefined;
    i++;
  }
  return out.length ? out : undefined;
}
