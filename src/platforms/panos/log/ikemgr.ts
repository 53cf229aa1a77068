/**
 * ikemgr.log, the management plane's IKE daemon log (`less mp-log ikemgr.log`),
 * reference/platforms.md §1.2:
 *
 *   2025-01-22 17:26:22.700 -0800  [PERR]: { 1: }: 192.168.20.2[500] - 172.16.20.2[500]:0x7fa610013da0 authentication failure
 *   2016-03-01 14:32:24 [INFO]: ike_sa.c:275:ikev2_abort(): 6:1.1.1.1[500] - 2.2.2.2[500]:(nil):aborting IKEv2 SA GW:6
 *   2016-03-01 14:32:24.890 +0800 debug: pan_ikev2_debug(protocols/ikev2/ikev2.c:6946): ... IKEv2 SA state {GW:6-I}: SA dying from state ESTABLISHED, caller ikev2_abort
 *   2017-06-22 09:26:45.169 -0700 IKE FSM thread: 3966: starting up...
 *
 * Public ikemgr output is thin, so every line with this prefix grammar is claimed but
 * only the few bodies a source shows become events (docs/platforms/panos-logs.md).
 */
import type { Decoded } from './draft.js';
import { draft, endpointOf, secondsOf, type Draft } from './draft.js';

const PREFIX = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)(?: ([+-]\d{4}))?\s+(.*)$/;
// "[INFO]: ", "[PERR]: ", "[DEBUG]: " (levels seen in the KB and the SD-WAN doc)
const LEVEL = /^\[([A-Z][A-Z_]{1,15})\]:\s?(.*)$/;
// free-text start-up lines of the daemon (pastebin.com/Bc5d4haz): "IKE FSM thread: 3966: starting up...", "rcf_read start..."
const STARTUP = /^(?:IKE [A-Za-z]+ thread: \d+: |rcf_[a-z_]+\b)/;
// SA scope: "{ 1: }: " (newer) or "ike_sa.c:275:ikev2_abort(): " (older)
const SCOPE_SERIAL = /^\{\s*(\d+):\s*\}:\s*/;
const SCOPE_FUNCTION = /^([\w.-]+\.c):(\d+):(\w+)\(\):\s*/;
// "local[port] - remote[port]:0xSAptr" or ":(nil):", optionally after "N:" (the serial in the older form)
const ENDPOINTS = /^(?:(\d+):)?(\S+?)\[(\d{1,5})\] - (\S+?)\[(\d{1,5})\]:(0x[0-9a-fA-F]+|\(nil\)):?\s*(.*)$/;
const SA_DYING = /IKEv2 SA state \{GW:(\d+)-([IR])\}: SA dying from state (\S+), caller (\S+)/;

/** One ikemgr.log line, or undefined when the line does not have ikemgr's prefix. */
export function parseIkemgr(line: string): Decoded | undefined {
  const p = PREFIX.exec(line);
  if (!p) return undefined;
  const [, date, clock, zone, rest] = p;
  const stamp = { time: `${date} ${clock}${zone ? ` ${zone}` : ''}`, t: secondsOf(date, clock, zone) };
  const level = LEVEL.exec(rest);
  if (level) return { ...stamp, ...levelBody(level[2]) };
  if (rest.startsWith('debug: ')) return { ...stamp, drafts: debugBody(rest.slice(7)) };
  if (STARTUP.test(rest)) return { ...stamp, drafts: [] };
  return undefined;
}

function levelBody(body: string): Omit<Decoded, 'time' | 't'> {
  let rest = body;
  let sa: string | undefined;
  let fn: string | undefined;
  let m = SCOPE_SERIAL.exec(rest);
  if (m) {
    sa = m[1];
    rest = rest.slice(m[0].length);
  } else if ((m = SCOPE_FUNCTION.exec(rest))) {
    fn = m[3];
    rest = rest.slice(m[0].length);
  }
  const ep = ENDPOINTS.exec(rest);
  if (!ep) return { sa, drafts: [] };
  sa ??= ep[1];
  const local = endpointOf(ep[2], ep[3]);
  const remote = endpointOf(ep[4], ep[5]);
  const drafts = message(ep[7].trim(), remote.address, fn);
  if (!drafts.length) return { sa, drafts };
  // "local[port] - remote[port]" as a 'packet' fact, the neutral event that carries both hosts (derived/log/sessions.ts):
  // the message the line is about — the peer's AUTH payload we verified, or our liveness requests that went unanswered
  const direction = drafts[0].kind === 'dpd' ? 'sent' : 'received';
  return { sa, drafts: [draft('packet', { direction, local, remote }), ...drafts] };
}

function message(text: string, peer: string, fn: string | undefined): Draft[] {
  // [D] docs.paloaltonetworks.com SD-WAN "Troubleshoot Pre-Shared Key Mismatch": "[PERR]: … authentication failure"
  // and "[INFO]: … authentication result: failure"; the line does not name the method
  if (text === 'authentication failure') return [draft('auth', { ok: false, direction: 'local', reason: text })];
  const result = /^authentication result: (\w+)$/.exec(text);
  if (result) {
    // "failure" is the documented value; "success" is read as the other value of the same slot
    if (result[1] === 'failure') return [draft('auth', { ok: false, direction: 'local', reason: text })];
    if (result[1] === 'success') return [draft('auth', { ok: true, direction: 'local' })];
    return [];
  }
  // [D] knowledgebase.paloaltonetworks.com kA10g000000ClgcCAC: what ikemgr logs when the IKEv2 liveness
  // check gives up (10 retries over about 319 s), after which phase 1 and phase 2 are torn down
  if (/^aborting IKEv2 SA\b/.test(text) && (fn === undefined || fn === 'ikev2_abort')) {
    return [draft('dpd', { mechanism: 'liveness', outcome: 'timeout', action: 'IKE SA and its Child SAs torn down (the tunnel interface stays up)', peer })];
  }
  return [];
}

function debugBody(body: string): Draft[] {
  // [D] same KB, the debug line after the abort
  const m = SA_DYING.exec(body);
  if (!m) return [];
  return [draft('sa-deleted', { what: 'ike', direction: 'local', reason: `SA dying from state ${m[3]}, caller ${m[4]}` })];
}

/** Whether a line is ikemgr's (for sniffing): the prefix with a level, debug or a start-up line. */
export function isIkemgrLine(line: string): boolean {
  const p = PREFIX.exec(line);
  return !!p && (LEVEL.test(p[4]) || p[4].startsWith('debug: ') || STARTUP.test(p[4]));
}
