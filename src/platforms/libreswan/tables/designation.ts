/**
 * The connection designation pluto puts in front of SA lines (jam_connection):
 * `"name"`, an instance `"rw"[1]` (5.x may nest: `"c"[1][2]`), then for an instance the
 * peer's address (` 192.0.2.45`) or, for opportunistic ones, both ends
 * (` 10.0.1.1/32===192.0.2.45 ...192.0.2.23===10.0.2.0/24`)
 * — programs/pluto/connections.c jam_connection / jam_connection_instance in 4.10,
 * jam_connection / jam_connection_suffix in 5.0.
 */
export interface Designation {
  /** the name between the quotes */
  name: string;
  /** `"name"` plus the instance numbers, as printed: the key of the connection's own lines */
  key: string;
  /** index just after the instance numbers */
  end: number;
}

export function readDesignation(s: string, start: number): Designation | undefined {
  if (s[start] !== '"') return undefined;
  const close = s.indexOf('"', start + 1);
  if (close <= start + 1) return undefined;
  let i = close + 1;
  while (s[i] === '[') {
    let j = i + 1;
    while (j < s.length && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
    if (j === i + 1 || s[j] !== ']') break;
    i = j + 1;
  }
  return { name: s.slice(start + 1, close), key: s.slice(start, i), end: i };
}

/** An address as pluto prints one (IPv4 dotted quad or IPv6), not `%any` or a name. */
export function isAddress(s: string): boolean {
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(s)) return true;
  return s.includes(':') && /^[0-9a-fA-F:.]{2,45}$/.test(s);
}
