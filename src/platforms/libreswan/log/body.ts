/**
 * Splits a pluto message body into who it is about and what it says:
 *   "conn" #1: text                       state-level (whack/console, v5)
 *   "conn"[2] 192.1.2.23 #3: text         instance of a template connection
 *   "conn": text                          connection-level
 *   packet from 192.0.2.1:500: text       before any state exists
 *   | text                                debug (plutodebug=all)
 * Connection names are quoted and may contain `/`, `#`, `=`
 * ("private-or-clear#192.1.2.0/24", "east/0x2"), so the name ends at the next quote.
 */
import type { Endpoint } from '../../../evidence/log-events.js';
import { parseEndpoint } from './fields.js';

export type BodyShape =
  | { shape: 'state'; conn: string; instance?: string; peer?: string; serial: string; text: string }
  | { shape: 'connection'; conn: string; instance?: string; peer?: string; text: string }
  | { shape: 'packet'; from?: Endpoint; text: string }
  | { shape: 'debug'; text: string }
  /** `#2: "conn", type=ESP, …` (whack --trafficstatus) and similar whack listings */
  | { shape: 'listing' }
  /** a quoted name that is not followed by pluto's `#N:` / `:` (e.g. certutil output): not ours */
  | { shape: 'other' }
  | { shape: 'bare'; text: string };

const AFTER_NAME_STATE = /^(?: ([^\s#"]+))? #(\d+): ?/;
const AFTER_NAME_CONN = /^(?: ([^\s#"]+))?: ?/;
const PACKET_FROM = /^packet from (\S+?): /;
const TRAFFIC_LISTING = /^#\d+: "/;

export function parseBody(body: string): BodyShape {
  const c = body.charCodeAt(0);
  if (c === 34 /* " */) {
    const close = body.indexOf('"', 1);
    if (close < 0) return { shape: 'other' };
    const conn = body.slice(1, close);
    let pos = close + 1;
    let instance: string | undefined;
    if (body.charCodeAt(pos) === 91 /* [ */) {
      const end = body.indexOf(']', pos);
      if (end < 0 || end - pos > 12) return { shape: 'other' };
      instance = body.slice(pos + 1, end);
      if (!/^\d+$/.test(instance)) return { shape: 'other' };
      pos = end + 1;
    }
    const rest = body.slice(pos);
    const st = AFTER_NAME_STATE.exec(rest);
    if (st) return { shape: 'state', conn, instance, peer: st[1], serial: st[2], text: rest.slice(st[0].length).trim() };
    const cn = AFTER_NAME_CONN.exec(rest);
    if (cn) return { shape: 'connection', conn, instance, peer: cn[1], text: rest.slice(cn[0].length).trim() };
    return { shape: 'other' };
  }
  if (c === 124 /* | */) return { shape: 'debug', text: body.slice(1).trim() };
  if (c === 112 /* p */ && body.startsWith('packet from ')) {
    const m = PACKET_FROM.exec(body);
    if (m) return { shape: 'packet', from: parseEndpoint(m[1]), text: body.slice(m[0].length).trim() };
  }
  if (c === 35 /* # */ && TRAFFIC_LISTING.test(body)) return { shape: 'listing' };
  return { shape: 'bare', text: body.trim() };
}
