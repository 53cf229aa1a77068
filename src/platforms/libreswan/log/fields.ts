/**
 * Small parsers for the fields pluto prints inside messages: endpoints
 * (`192.1.2.23:UDP/500`, `[2001:db8::23]:UDP/4500`, `192.1.2.45:500`), payload
 * lists (`SK{IDr,AUTH,N(NO_PROPOSAL_CHOSEN)}`), SA summaries
 * (`{ESPinUDP=>0x1234 <0x5678 xfrm=… NATD=192.1.2.23:4500 DPD=passive}`) and
 * selector pairs (`[192.0.1.0/24===192.0.2.0/24]`).
 */
import type { Endpoint } from '../../../evidence/log-events.js';

const ENDPOINT = /^\[?([0-9A-Fa-f:.]*[0-9A-Fa-f])\]?:(?:(?:UDP|TCP)\/)?(\d{1,5})$/;
const ADDRESS = /^[0-9A-Fa-f:.]*[0-9A-Fa-f]$/;

/** `192.1.2.23:UDP/500` → {address, port}; a bare address → {address}; anything else → undefined. */
export function parseEndpoint(s: string): Endpoint | undefined {
  const v = s.replace(/[,;]$/, '');
  const m = ENDPOINT.exec(v);
  if (m) {
    // an IPv6 address without brackets and without a port also matches "x:NNNN": only trust the split with a dot or brackets
    if (!v.startsWith('[') && !m[1].includes('.') && !v.includes('/')) return ADDRESS.test(v) ? { address: v } : undefined;
    return { address: m[1], port: Number(m[2]) };
  }
  return ADDRESS.test(v) && (v.includes('.') || v.includes(':')) ? { address: v } : undefined;
}

/** Payload list after "containing": strips SK{…}, splits on top-level commas. */
export function parsePayloads(s: string): { payloads: string[]; notifies: string[] } {
  let v = s.trim();
  if (v.startsWith('SK{') && v.endsWith('}')) v = v.slice(3, -1);
  const payloads: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < v.length && payloads.length < 64; i++) {
    const ch = v[i];
    if (ch === '(' || ch === '{') depth++;
    else if (ch === ')' || ch === '}') depth = Math.max(0, depth - 1);
    else if (ch === ',' && depth === 0) {
      if (i > start) payloads.push(v.slice(start, i));
      start = i + 1;
    }
  }
  if (start < v.length && payloads.length < 64) payloads.push(v.slice(start));
  const notifies: string[] = [];
  for (const p of payloads) {
    const m = /^N\(([^)]+)\)$/.exec(p);
    if (m) notifies.push(normaliseNotify(m[1]));
  }
  return { payloads, notifies };
}

/** pluto prints IKEv1 notify names with a v1N_ prefix in debug output and IKEv2 ones with v2N_. */
export function normaliseNotify(name: string): string {
  return name.replace(/^v[12]N_/, '');
}

export interface SaSummary {
  spis: string[];
  encap: boolean;
  natd?: Endpoint;
  xfrm?: string;
}

/** `{ESP/ESN=>0xESPESP <0xESPESP xfrm=AES_GCM_16_256 DPD=passive}` and the v3 `ESP/NAT=>` / `NATOA= NATD=` forms. */
export function parseSaSummary(s: string): SaSummary {
  const spis: string[] = [];
  const out = /=>(0x[0-9A-Za-z]+)/.exec(s);
  if (out) spis.push(out[1]);
  const inb = /<(0x[0-9A-Za-z]+)/.exec(s);
  if (inb) spis.push(inb[1]);
  const natdRaw = /\bNATD=(\S+?)[ }]/.exec(s)?.[1];
  const natd = natdRaw && natdRaw !== 'none' ? parseEndpoint(natdRaw) : undefined;
  const encap = /\bESPinUDP=>|\bESP\/NAT=>/.test(s) || natd !== undefined;
  const xfrm = /\bxfrm=(\S+?)[ }]/.exec(s)?.[1];
  return { spis, encap, natd, xfrm };
}

/**
 * `[192.0.1.0/24===192.0.2.0/24]` (v5), `[192.0.1.0-192.0.1.255:0-65535 0] -> [192.0.2.0-192.0.2.255:0-65535 0]` (v4),
 * `192.0.1.0/24===192.0.2.0/24` (Quick Mode). Returns local (ours) and remote selectors.
 */
export function parseSelectors(s: string): { local: string[]; remote: string[] } | undefined {
  const v4 = /\[([^\]]+)\] -> \[([^\]]+)\]/.exec(s);
  if (v4) return { local: [v4[1]], remote: [v4[2]] };
  const v5 = /\[?([^\s\[\]{}]+?)===([^\s\[\]{}]+?)\]?(?:[\s}]|$)/.exec(s);
  if (v5) return { local: v5[1].split(','), remote: v5[2].split(',') };
  return undefined;
}

/** Pluto's remote proposal listing: `1:ESP:ENCR=AES_CBC_128;INTEG=HMAC_SHA1_96;ESN=NO 2:ESP:…` → ["ESP:ENCR=…", …]. */
export function parseProposalList(s: string): string[] {
  const out: string[] = [];
  for (const part of s.trim().split(/\s+(?=\d+:)/)) {
    if (out.length >= 64) break;
    const m = /^\d+:(.+)$/.exec(part);
    out.push((m ? m[1] : part).replace(/\[first-match\]$/, ''));
  }
  return out.filter((p) => p.length > 0);
}
