/**
 * Values of `ipsec status` Traffic lines: SA IDs (`esp.5b2b9d4c@192.1.2.23`) and the
 * byte counts (`ESPin=84B`, `ESPout=2KB`).
 */

export type SaidProtocol = 'esp' | 'ah' | 'ipcomp' | 'tun';

export interface Said {
  protocol: SaidProtocol;
  /** the SPI as printed */
  spiText: string;
  /** the SPI as 8 lower-case hex digits, when it is hex */
  spi?: string;
  address: string;
}

const PREFIXES: Record<string, SaidProtocol> = { esp: 'esp', ah: 'ah', comp: 'ipcomp', tun: 'tun' };

/**
 * lib/libswan/ip_said.c jam_said (4.10): protocol prefix (`esp`, `ah`, `comp`, `tun`),
 * `.` for IPv4 or `:` for IPv6, the SPI as `%x` — no leading zeros, so `ab12` is SPI
 * 0x0000ab12 — then `@` and the SA's destination address.
 */
export function parseSaid(token: string): Said | undefined {
  const at = token.indexOf('@');
  if (at <= 0 || at === token.length - 1) return undefined;
  const head = token.slice(0, at);
  const sep = head.search(/[.:]/);
  if (sep <= 0) return undefined;
  const protocol = PREFIXES[head.slice(0, sep)];
  if (protocol === undefined) return undefined;
  const spiText = head.slice(sep + 1);
  if (spiText === '') return undefined;
  return { protocol, spiText, spi: spiHex(spiText), address: token.slice(at + 1) };
}

export function spiHex(text: string): string | undefined {
  return /^[0-9a-fA-F]{1,8}$/.test(text) ? text.toLowerCase().padStart(8, '0') : undefined;
}

const UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 * 1024 };

/**
 * A Traffic count: below 1024 exact bytes (`84B`), above that whole KB or MB rounded
 * down (state.c jam_readable_humber in 4.10, whack_showstates.c in 5.x); a KB or MB
 * count gives its lower bound in bytes. 3.32 prints a stray `!` after the last count
 * before `ESPmax` (its "! ESPmax=" prefix, state.c fmt_state): ignored.
 */
export function parseTrafficBytes(text: string): number | undefined {
  const m = /^(\d{1,15})(B|KB|MB)!?$/.exec(text);
  if (m === null) return undefined;
  const n = Number(m[1]) * UNITS[m[2]];
  return Number.isSafeInteger(n) ? n : undefined;
}
