/**
 * The lines around the rows of the `show vpn` outputs: the command echo, section
 * titles, column headers, dashes, the `Show …: Total N …` footers, "There is no … found."
 * and the `show vpn flow` preamble. They say which table the next rows belong to and
 * which command printed them (so that each reader claims only its own command's
 * output), and carry no SA facts themselves.
 */
import { normalised } from './common.js';

/** The command whose output a line belongs to: one reader per command. */
export type Family = 'ike-sa' | 'ike-sa-detail' | 'ipsec-sa' | 'flow' | 'gateway' | 'tunnel';

/** The table the next data rows belong to. */
export type Section = 'ikev1-p1' | 'ikev1-p2' | 'ikev2-sa' | 'ikev2-child' | 'ipsec-sa' | 'flow' | 'gateway' | 'tunnel';

export interface Structural {
  kind: 'echo' | 'title' | 'header' | 'footer' | 'none-found' | 'dashes' | 'preamble';
  family?: Family;
  /** the section the following rows belong to (titles, headers) */
  section?: Section;
  /** `show vpn flow tunnel-id N`: the detail that follows is tunnel N's */
  tunnelId?: string;
  /** "There is no IKEv1 phase-2 SA found.": that section is printed, and empty */
  emptyChildren?: 1 | 2;
  /** an echo of the command with no gateway, tunnel or other filter after it */
  unfiltered?: boolean;
}

export const SECTION_FAMILY: Record<Section, Family> = {
  'ikev1-p1': 'ike-sa', 'ikev1-p2': 'ike-sa', 'ikev2-sa': 'ike-sa', 'ikev2-child': 'ike-sa',
  'ipsec-sa': 'ipsec-sa', flow: 'flow', gateway: 'gateway', tunnel: 'tunnel',
};

/** Column headers, matched single-spaced (copies keep the words, not the widths). */
const HEADERS: Array<[RegExp, Section]> = [
  [/^Gateway ID Peer-Address Gateway Name Role SN Algorithm\b/, 'ikev2-sa'],
  [/^Gateway Name TnID Tunnel ID Parent Role SPI\(in\) SPI\(out\)/, 'ikev2-child'],
  [/^(?:GwID\/client IP|GwID) Peer-Address Gateway Name Role Mode Algorithm\b/, 'ikev1-p1'],
  [/^Gateway Name TnID Tunnel GwID\/IP Role Algorithm SPI\(in\) SPI\(out\)/, 'ikev1-p2'],
  [/^(?:GwID\/client IP|GwID) TnID Peer-Address Tunnel\(Gateway\) Algorithm\b/, 'ipsec-sa'],
  [/^id name state monitor local-ip peer-ip\b/, 'flow'],
  [/^GwID Name Peer-Address\/ID Local Address\/ID Protocol\b/, 'gateway'],
  [/^TnID Name\(Gateway\) Local Proxy IP Ptl:Port Remote Proxy IP Ptl:Port\b/, 'tunnel'],
];

const TITLES: Array<[RegExp, Section]> = [
  [/^(?:IKEv1 )?phase-1 SAs$/i, 'ikev1-p1'],
  [/^(?:IKEv1 )?phase-2 SAs$/i, 'ikev1-p2'],
  [/^IKEv2 SAs$/i, 'ikev2-sa'],
  [/^IKEv2 IPsec Child SAs$/i, 'ikev2-child'],
];

/** `admin@panvm03> show vpn ike-sa gateway X`, `> show vpn ike-sa detail …`, a bare `show vpn flow tunnel-id 2` */
const ECHO = /^(?:\S*>\s*)?show vpn (ike-sa|ipsec-sa|flow|gateway|tunnel)\b(.*)$/;

const FOOTERS: Array<[RegExp, Family]> = [
  [/^Show (?:IKEv1 IKE SA|IKEv1 phase2 SA|IKEv2 SA|IKE SA)\b.*: Total \d+/i, 'ike-sa'],
  [/^Show IPsec SA: Total \d+/i, 'ipsec-sa'],
  [/^Show IKE gateway config: Total \d+/i, 'gateway'],
  [/^Show IPsec tunnel config: Total \d+/i, 'tunnel'],
];

const PREAMBLE = [
  /^total (?:\S+ )?tunnels? (?:configured|shown): \d+$/i,
  /^filter - type \S+, state \S+$/,
];

export function structural(text: string): Structural | undefined {
  const line = normalised(text);
  if (line === '') return undefined;
  if (/^-[-\s]*$/.test(line)) return { kind: 'dashes' };
  // a bare prompt between commands (`admin@CORE-FW>`; markdown copies escape it as `\>`)
  if (/^\S+@\S+?\\?>$/.test(line)) return { kind: 'dashes' };
  const echo = ECHO.exec(line);
  if (echo) {
    const [, command, rest] = echo;
    if (command === 'ike-sa') return { kind: 'echo', family: /\bdetail\b/.test(rest) ? 'ike-sa-detail' : 'ike-sa' };
    const id = /\btunnel-id (\d+)\b/.exec(rest);
    return { kind: 'echo', family: command as Family, ...(command === 'flow' && id ? { tunnelId: id[1] } : {}), ...(rest.trim() === '' ? { unfiltered: true } : {}) };
  }
  for (const [re, section] of HEADERS) if (re.test(line)) return { kind: 'header', family: SECTION_FAMILY[section], section };
  for (const [re, section] of TITLES) if (re.test(line)) return { kind: 'title', family: SECTION_FAMILY[section], section };
  for (const [re, family] of FOOTERS) if (re.test(line)) return { kind: 'footer', family };
  const none = /^There is no (IKEv1 phase-1|IKEv1 phase-2|IKEv2|IKEv2 IPsec Child|IPsec) SAs? found\.?$/i.exec(line);
  if (none) {
    const what = none[1].toLowerCase();
    if (what === 'ipsec') return { kind: 'none-found', family: 'ipsec-sa' };
    return { kind: 'none-found', family: 'ike-sa', ...(what === 'ikev1 phase-2' ? { emptyChildren: 1 as const } : what === 'ikev2 ipsec child' ? { emptyChildren: 2 as const } : {}) };
  }
  if (PREAMBLE.some((re) => re.test(line))) return { kind: 'preamble', family: 'flow' };
  return undefined;
}
