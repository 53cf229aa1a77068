/**
 * IKE SA set-up: initiate/respond, messages and packets, proposals, KE groups,
 * config lookup, IKE SA established. Format strings: strongswan/strongswan @ 3b902ea
 * (file:line in each comment) unless marked as an older wording.
 */
import type { Endpoint, Phase } from '../../../evidence/log-events.js';
import type { LineContext } from './context.js';
import { SharedParses } from './shared-parses.js';
import { ikeVersionOfExchange, parsePayloadList, phaseOfExchange, type PayloadList } from './exchanges.js';
import type { RuleTable } from './rule-table.js';
import { parseHostIdPair } from './host-id-pair.js';

// ikev2/task_manager_v2.c, ikev1/tasks/main_mode.c, aggressive_mode.c: "initiating %sIKE_SA %s[%u] to %H"
const INITIATING_RE = /^initiating (?:(Main|Aggressive) Mode )?IKE_SA (.+)\[(\d+)\] to (\S+)$/;
// 6.x "%H is initiating IKE_SA %s[%u]", 5.x "%H is initiating an IKE_SA", IKEv1 "… a Main Mode IKE_SA"
const RESPONDING_RE = /^(\S+) is initiating (?:an IKE_SA|IKE_SA (.+)\[(\d+)\]|a (Main|Aggressive) Mode IKE_SA)$/;
// encoding/message.c get_string(): "%N %s %u [ payloads ]", logged as "generating %M" / "parsed %M"
const MESSAGE_RE = /^(generating|parsed) ([A-Z][A-Z0-9_]*) (request|response) (\d+) \[(.*)\]$/;
// network/sender.c, receiver.c: "sending packet: from %#H to %#H (%zu bytes)" (DBG2 without bytes)
const PACKET_RE = /^(sending|received) packet: from (\S+)\[(\d+)\] to (\S+)\[(\d+)\](?: \((\d+|X+) bytes\))?$/;
// ike_init.c:1341 "peer didn't accept key exchange method %N, it requested %N"; ≤5.9 "DH group"
const PEER_KE_RE = /^peer didn't accept (?:DH group|key exchange method) (\S+), it requested (\S+)$/;
// ike_init.c:1156 "key exchange method %N unacceptable, requesting %N"; ≤5.9 "DH group %N unacceptable, requesting %N"
const OUR_KE_RE = /^(?:DH group|key exchange method) (\S+) unacceptable, requesting (\S+)$/;
// task_manager_v2.c:1936, task_manager_v1.c:1475
const NO_IKE_CONFIG_RE = /^no IKE config found for (\S+)\.\.\.(\S+), sending NO_PROPOSAL_CHOSEN$/;
// ike_establish.c:56 "IKE_SA %s[%u] established between %H[%Y]...%H[%Y]"
const IKE_SA_NAMED_RE = /^IKE_SA (.+?)\[(\d+)\] (established|rekeyed) between (.*)$/;
// ike_init.c "received %N notify error", ike_auth.c, IKEv1 main_mode.c/quick_mode.c "received %N error notify"
const NOTIFY_ERROR_RE = /^received ([A-Z][A-Z0-9_]*) (?:notify error|error notify)$/;

/** "ADDR[PORT]" pairs repeat on every packet line of a peer: one frozen Endpoint each (shared-parses.ts) */
const ENDPOINTS = new SharedParses((key: string): Endpoint => {
  const open = key.lastIndexOf('[');
  return { address: key.slice(0, open), port: Number(key.slice(open + 1, -1)) };
});

function endpoint(address: string, port: string): Endpoint {
  return ENDPOINTS.get(`${address}[${port}]`);
}

const PAYLOAD_LISTS = new SharedParses(parsePayloadList);

function initiating(body: string, c: LineContext): boolean {
  const m = INITIATING_RE.exec(body);
  if (!m) return false;
  c.namedSa(m[2], m[3]);
  const v1 = m[1] !== undefined;
  c.state.ikeVersion = v1 ? 1 : 2;
  c.emit('initiate', { peer: m[4], ikeVersion: v1 ? 1 : 2, mode: m[1] === 'Main' ? 'main' : m[1] === 'Aggressive' ? 'aggressive' : 'ikev2' });
  return true;
}

export function responding(body: string, c: LineContext): boolean {
  const m = RESPONDING_RE.exec(body);
  if (!m) return false;
  if (m[2] !== undefined) c.namedSa(m[2], m[3]);
  const v1 = m[4] !== undefined;
  c.state.ikeVersion = v1 ? 1 : 2;
  c.emit('respond', { peer: m[1], ikeVersion: v1 ? 1 : 2, mode: m[4] === 'Main' ? 'main' : m[4] === 'Aggressive' ? 'aggressive' : 'ikev2' });
  return true;
}

function message(body: string, c: LineContext): boolean {
  const m = MESSAGE_RE.exec(body);
  if (!m) return false;
  const direction = m[1] === 'generating' ? 'sent' : 'received';
  const exchange = m[2];
  const role = m[3] as 'request' | 'response';
  const msgid = Number(m[4]);
  const list = PAYLOAD_LISTS.get(m[5]);
  const s = c.state;
  const version = ikeVersionOfExchange(exchange);
  if (version !== undefined) s.ikeVersion = version;
  // CREATE_CHILD_SA also rekeys the IKE SA (RFC 7296 §1.3.2): then the proposal lists just printed say "IKE:"
  const rekeysIke = exchange === 'CREATE_CHILD_SA' && s.proposalPhase === 'ike' && (s.proposalLine ?? -1) > (s.phaseLine ?? -1);
  const phase = rekeysIke ? 'ike' : (phaseOfExchange(exchange) ?? s.lastPhase);
  if (phaseOfExchange(exchange) !== undefined) {
    s.lastPhase = phaseOfExchange(exchange);
    s.phaseLine = c.lineNo;
  }
  s.lastExchange = exchange;
  if (direction === 'sent' && role === 'request') {
    c.file.rememberRequest(s, msgid, exchange);
  }
  // any answer proves liveness (RFC 7296 §2.4); IKEv1 DPD answers with R-U-THERE-ACK (RFC 3706 §5)
  if (direction === 'received' && ((role === 'response' && exchange === 'INFORMATIONAL') || list.notifies.includes('DPD_R_U_THERE_ACK'))) s.dpdPending = false;
  const peer = direction === 'received' ? (s.lastReceived ?? c.file.lastReceived)?.remote : undefined;
  c.emit('message', { direction, exchange, role, msgid, payloads: list.payloads, notifies: list.notifies, ...(peer ? { peer } : {}) });
  payloadEvents(list, direction, exchange, phase, c);
  return true;
}

/** Events the payload list alone tells: error notifies, fragments, fragmentation support. */
function payloadEvents(list: PayloadList, direction: 'sent' | 'received', exchange: string, phase: Phase | undefined, c: LineContext): void {
  // RFC 7296 §2.21.2: an initiator that rejects the responder's AUTH says so in a separate
  // INFORMATIONAL exchange, and charon prints no "received … notify error" line for it
  const silent = direction === 'sent' || exchange === 'INFORMATIONAL';
  for (const name of list.errors) {
    // the four with their own kinds are reported from charon's own text when received;
    // when sent, the payload list is the only place that says so
    if (name === 'NO_PROPOSAL_CHOSEN') {
      if (direction === 'sent') c.emit('no-proposal-chosen', { direction, exchange, ...(phase ? { phase } : {}) });
    } else if (name === 'AUTHENTICATION_FAILED') {
      if (silent) c.emit('auth', { ok: false, direction, ...(direction === 'received' ? { reason: 'AUTHENTICATION_FAILED notify in INFORMATIONAL' } : {}) });
    } else if (name === 'TS_UNACCEPTABLE') {
      if (direction === 'sent') c.emit('ts-unacceptable', { direction, exchange });
    } else if (name !== 'INVALID_KE_PAYLOAD') {
      c.emit('notify', { direction, name, exchange });
    }
  }
  if (direction === 'sent' && list.fragment) {
    // RFC 7383 §2.5: each EF(i/n) is one fragment on the wire; received ones are
    // reported from charon's "received fragment #i of n" lines, which say when reassembly ends
    c.emit('ike-fragment', { direction, number: list.fragment.number, total: list.fragment.total });
  } else if (direction === 'sent' && list.payloads.includes('FRAG')) {
    c.emit('ike-fragment', { direction }); // IKEv1 fragment payload: no numbers in the shorthand
  }
  if (exchange === 'IKE_SA_INIT' && list.notifies.includes('FRAGMENTATION_SUPPORTED')) {
    c.emit('fragmentation-support', { direction, supported: true });
  }
}

function packet(body: string, c: LineContext): boolean {
  const m = PACKET_RE.exec(body);
  if (!m) return false;
  const from = endpoint(m[2], m[3]);
  const to = endpoint(m[4], m[5]);
  const bytes = m[6] !== undefined && m[6][0] !== 'X' ? Number(m[6]) : undefined;
  if (m[1] === 'sending') {
    c.file.lastSent = c.state.lastSent = { local: from, remote: to };
    c.emit('packet', { direction: 'sent', local: from, remote: to, ...(bytes !== undefined ? { bytes } : {}) });
    const before = c.file.notePort(to.address, to.port ?? 0);
    // RFC 7296 §2.23: IKE moves from 500 to 4500 after NAT detection — and strongSwan also
    // moves when both sides support MOBIKE (RFC 4555 §3), so a float alone is no NAT evidence
    if (before === 500 && to.port === 4500) c.emit('nat-t-float', { from: { address: to.address, port: 500 }, to });
  } else {
    c.file.lastReceived = c.state.lastReceived = { local: to, remote: from };
    c.emit('packet', { direction: 'received', local: to, remote: from, ...(bytes !== undefined ? { bytes } : {}) });
  }
  return true;
}

function proposalPhase(list: string): Phase {
  return list.startsWith('IKE:') ? 'ike' : 'child';
}

const PROPOSAL_LISTS = new SharedParses((rest: string) => rest.split(', ').map((p) => p.trim()).filter((p) => p.length > 0));

/** proposal.c: "received proposals: %#P", "configured proposals: %#P", "selected proposal: %P". */
function proposals(source: 'received' | 'configured' | 'selected', rest: string, c: LineContext): void {
  const items = PROPOSAL_LISTS.get(rest);
  const phase = items.length > 0 ? proposalPhase(items[0]) : (c.state.lastPhase ?? 'ike');
  c.state.proposalPhase = phase;
  c.state.proposalLine = c.lineNo;
  c.emit('proposals', { phase, source, proposals: items });
}

function sending(body: string, c: LineContext): boolean {
  return packet(body, c);
}

function received(body: string, c: LineContext): boolean {
  if (body.startsWith('received packet: ')) return packet(body, c);
  if (body.startsWith('received proposals: ')) {
    proposals('received', body.slice(20), c);
    return true;
  }
  if (body === 'received proposals unacceptable') {
    // ike_init.c:1125, IKE_SA_INIT responder
    c.emit('no-proposal-chosen', { direction: 'local', phase: 'ike', exchange: 'IKE_SA_INIT', reason: body });
    return true;
  }
  if (body.startsWith('received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built')) {
    c.emit('no-proposal-chosen', { direction: 'received', phase: 'child', ...(c.state.lastExchange ? { exchange: c.state.lastExchange } : {}) });
    return true;
  }
  const m = NOTIFY_ERROR_RE.exec(body);
  if (m) {
    receivedErrorNotify(m[1], c);
    return true;
  }
  return false;
}

/** "received X notify error" (IKEv2) / "received X error notify" (IKEv1). */
function receivedErrorNotify(name: string, c: LineContext): void {
  const s = c.state;
  const exchange = s.lastExchange;
  const ex = exchange ? { exchange } : {};
  switch (name) {
    case 'NO_PROPOSAL_CHOSEN': {
      const phase = (exchange && phaseOfExchange(exchange)) || s.lastPhase;
      c.emit('no-proposal-chosen', { direction: 'received', ...(phase ? { phase } : {}), ...ex });
      return;
    }
    case 'AUTHENTICATION_FAILED':
      c.emit('auth', { ok: false, direction: 'received', reason: 'AUTHENTICATION_FAILED notify' });
      return;
    case 'TS_UNACCEPTABLE':
      c.emit('ts-unacceptable', { direction: 'received', ...ex });
      return;
    case 'INVALID_KE_PAYLOAD':
      c.emit('invalid-ke', { direction: 'received' });
      return;
    case 'INVALID_ID_INFORMATION':
      // RFC 2409 §5.5: in Quick Mode the IDs are the traffic selectors
      if (s.lastPhase === 'child') c.emit('ts-unacceptable', { direction: 'received', ...ex });
      else c.emit('id-mismatch', { detail: 'peer sent INVALID_ID_INFORMATION' });
      return;
    default:
      c.emit('notify', { direction: 'received', name, ...ex });
  }
}

function selected(body: string, c: LineContext): boolean {
  if (body.startsWith('selected proposal: ')) {
    proposals('selected', body.slice(19), c);
    return true;
  }
  return false;
}

function configured(body: string, c: LineContext): boolean {
  if (body.startsWith('configured proposals: ')) {
    proposals('configured', body.slice(22), c);
    return true;
  }
  return false;
}

function peer(body: string, c: LineContext): boolean {
  const m = PEER_KE_RE.exec(body);
  if (m) {
    c.emit('invalid-ke', { direction: 'received', offered: m[1], requested: m[2] });
    return true;
  }
  return false;
}

function keGroup(body: string, c: LineContext): boolean {
  const m = OUR_KE_RE.exec(body);
  if (!m) return false;
  c.emit('invalid-ke', { direction: 'sent', offered: m[1], requested: m[2] });
  return true;
}

function ikeSa(body: string, c: LineContext): boolean {
  const m = IKE_SA_NAMED_RE.exec(body);
  if (!m) return false;
  c.namedSa(m[1], m[2]);
  if (m[3] === 'rekeyed') {
    c.emit('rekey', { what: 'ike', outcome: 'done' });
    return true;
  }
  const pair = parseHostIdPair(m[4]);
  if (!pair) c.diagnose('IKE_SA established line without a readable "A[id]...B[id]" pair');
  const v = c.state.ikeVersion;
  c.emit('ike-established', { ...(v ? { ikeVersion: v } : {}), ...(pair ?? { detail: m[4] }) });
  return true;
}

function noIkeConfig(body: string, c: LineContext): boolean {
  const m = NO_IKE_CONFIG_RE.exec(body);
  if (!m) return false;
  c.emit('no-config', { scope: 'ike', local: m[1], remote: m[2] });
  return true;
}

function initiateResult(body: string, c: LineContext): boolean {
  // swanctl/commands/initiate.c: "initiate failed: %s" / "initiate completed successfully"
  if (body.startsWith('initiate failed: ')) {
    c.emit('negotiation-failed', { reason: body.slice(17) });
    return true;
  }
  return body === 'initiate completed successfully';
}

function establishing(body: string, c: LineContext): boolean {
  // stroke (ipsec up): "establishing connection '%s' failed"; ike_sa.c: "establishing IKE_SA failed, peer not responding"
  if (body === 'establishing IKE_SA failed, peer not responding') {
    c.emit('give-up', { detail: body, ...peerOf(c) });
    return true;
  }
  if (body.startsWith('establishing connection ') && body.endsWith(' failed')) {
    c.emit('negotiation-failed', { reason: body });
    return true;
  }
  return false;
}

/** Where our last request went: this SA's last sent packet, else the file's (packet lines without `<N>`). */
export function peerOf(c: LineContext): { peer?: Endpoint } {
  const p = (c.state.lastSent ?? c.file.lastSent)?.remote;
  return p ? { peer: p } : {};
}

export const negotiationRules: RuleTable = {
  initiating: [initiating],
  generating: [message],
  parsed: [message],
  sending: [sending],
  received: [received],
  selected: [selected],
  configured: [configured],
  peer: [peer],
  DH: [keGroup],
  key: [keGroup],
  IKE_SA: [ikeSa],
  no: [noIkeConfig],
  initiate: [initiateResult],
  establishing: [establishing],
};
