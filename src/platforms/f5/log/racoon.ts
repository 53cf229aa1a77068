/**
 * BIG-IP as an IPsec endpoint, IKEv1: racoon (ipsec-tools) writes /var/log/racoon.log as
 * `YYYY-MM-DD HH:MM:SS: LEVEL: text` (F5 "IKEv1 Log Analysis", clouddocs.f5.com/ipsec-tsg/
 * main/ikev1_log_info.html; corpus f5-racoon-log-ikev1.clouddocs.log). Its shape resembles a
 * pluto file log, but pluto never prints racoon's level words, so the level decides.
 *
 * Texts are ipsec-tools' own (src/racoon): a debug line is never a verdict. In particular
 * `check and compare ids : value mismatch` is printed by ipsecdoi_chkcmpids() (DEBUG) for each
 * sainfo compared while one is being looked up, so it appears in healthy negotiations too;
 * the verdicts are `failed to get sainfo.` (ERROR, isakmp_quick.c: no sainfo matches the
 * peer's IDs) and `mismatched ID was returned.` (ERROR: the responder answered other IDs).
 */
import type { Draft } from './draft.js';

/**
 * racoon's own log file (`-l`), as BIG-IP writes /var/log/racoon.log. racoon's syslog form
 * (`racoon: ERROR: …` on a Linux or BSD host) is not claimed: nothing there says BIG-IP.
 */
export const RACOON = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d): (DEBUG2?|INFO|NOTIFY|WARNING|ERROR|INTERNAL_ERR|ERR|ALERT): (.*)$/;

export interface RacoonLine {
  time?: string;
  level: string;
  text: string;
}

export function parseRacoon(line: string): RacoonLine | undefined {
  const m = RACOON.exec(line);
  if (!m) return undefined;
  return { time: m[1], level: m[2], text: m[3].trim() };
}

/**
 * `selected sainfo: loc='10.1.1.0/24', rmt='10.2.1.0/24', peer='ANY', id=0` (DEBUG, isakmp_quick.c):
 * the selectors of the phase 2 being negotiated. Not a verdict; the dialect gives them to the
 * `IPsec-SA established` lines of the same second, as racoon names no selectors on those.
 */
export function sainfoOf(r: RacoonLine): { local: string; remote: string } | undefined {
  const m = /^selected sainfo: loc='([^']+)', rmt='([^']+)'/.exec(r.text);
  return m && r.level.startsWith('DEBUG') ? { local: m[1], remote: m[2] } : undefined;
}

const SA_LINE = /^IPsec-SA (established|expired): (ESP|AH)\/(Tunnel|Transport) (\S+?)\[\d*\]->(\S+?)\[\d*\] spi=\d+\(0x([0-9a-f]+)\)/i;
const ISAKMP_UP = /^ISAKMP-SA established (\S+?)\[\d+\]-(\S+?)\[\d+\]/;

export function racoonEvents(r: RacoonLine): Draft[] {
  const t = r.text;
  if (r.level.startsWith('DEBUG')) return [];
  const sa = SA_LINE.exec(t);
  if (sa) {
    const spis = [sa[6].padStart(8, '0')];
    if (sa[1].toLowerCase() === 'established') return [{ kind: 'child-established', data: { spis, mode: sa[3].toLowerCase(), detail: `${sa[2]} ${sa[4]}->${sa[5]}` } }];
    return [{ kind: 'sa-deleted', data: { what: 'child', reason: 'expired', spis } }];
  }
  const up = ISAKMP_UP.exec(t);
  if (up) return [{ kind: 'ike-established', data: { ikeVersion: 1, local: up[1], remote: up[2] } }];
  if (/^failed to get sainfo\.?$/i.test(t) || /^mismatched ID was returned\.?$/i.test(t)) return [{ kind: 'ts-unacceptable', data: { direction: 'local', exchange: 'Quick Mode' } }];
  if (/^phase1 negotiation failed due to time up/i.test(t)) return [{ kind: 'give-up', data: { exchange: 'Main Mode', detail: t } }];
  if (/^phase2 negotiation failed due to time up/i.test(t)) return [{ kind: 'give-up', data: { exchange: 'Quick Mode', detail: t } }];
  if (/^(no suitable proposal found|failed to get valid proposal)\.?$/i.test(t)) return [{ kind: 'no-proposal-chosen', data: { direction: 'local', reason: t } }];
  return [];
}
