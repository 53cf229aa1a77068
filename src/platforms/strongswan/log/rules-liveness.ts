/**
 * Reachability and liveness: retransmits, giving up, DPD, NAT detection and IKE
 * fragmentation. Format strings: strongswan/strongswan @ 3b902ea.
 */
import type { LineContext } from './context.js';
import type { RuleTable } from './rule-table.js';
import { peerOf } from './rules-negotiation.js';

// task_manager_v2.c:415 "retransmit %d of request with message ID %d"
const RETRANSMIT_RE = /^retransmit (\d+) of request with message ID (\d+)$/;
// task_manager_v1.c:351 "sending retransmit %u of %s message ID %u, seq %u"
const RETRANSMIT_V1_RE = /^sending retransmit (\d+) of (request|response) message ID (\d+), seq (\d+)$/;
// task_manager_v2.c:405 / task_manager_v1.c "giving up after %d retransmits"; ike_init.c:848 "giving up after %d retries"
const GIVING_UP_RE = /^giving up after (\d+) (retransmits|retries|path probings)$/;
// ike_sa.c:2540 "peer not responding, trying again (%d/%d)"
const TRYING_AGAIN_RE = /^peer not responding, trying again \((\d+)\/(\d+)\)$/;
// message.c:3090/3126 (IKEv2, RFC 7383) and 3002/3009 (IKEv1)
const FRAGMENT_RE = /^received fragment #(\d+)(?: of (\d+))?, (waiting for complete IKE message|reassembled fragmented IKE message)/;

function retransmit(body: string, c: LineContext): boolean {
  const m = RETRANSMIT_RE.exec(body);
  if (!m) return false;
  const msgid = Number(m[2]);
  const exchange = c.file.exchangeOfRequest(c.state, msgid);
  c.emit('retransmit', { count: Number(m[1]), msgid, ...(exchange ? { exchange } : {}), ...peerOf(c) });
  return true;
}

function sending(body: string, c: LineContext): boolean {
  if (body === 'sending DPD request') {
    const s = c.state;
    s.dpdPending = true;
    c.emit('dpd', { mechanism: s.ikeVersion === 2 ? 'liveness' : 'dpd', outcome: 'request' });
    return true;
  }
  const m = RETRANSMIT_V1_RE.exec(body);
  if (m) {
    const exchange = c.state.lastSentExchange;
    c.emit('retransmit', { count: Number(m[1]), msgid: Number(m[3]), ...(exchange ? { exchange } : {}), ...peerOf(c) });
    return true;
  }
  return false;
}

function giving(body: string, c: LineContext): boolean {
  const m = GIVING_UP_RE.exec(body);
  if (!m) return false;
  const n = Number(m[1]);
  const s = c.state;
  if (m[2] === 'retries') {
    // INVALID_KE / COOKIE / REDIRECT round trips exhausted (ike_init.c MAX_RETRIES)
    c.emit('negotiation-failed', { phase: 'ike', reason: body });
    return true;
  }
  if (m[2] === 'path probings') return true; // MOBIKE path probing, not the peer as such
  const exchange = s.lastSentExchange ?? c.file.lastSentExchange;
  c.emit('give-up', { retransmits: n, ...(exchange ? { exchange } : {}), ...peerOf(c) });
  if (s.dpdPending) {
    // RFC 7296 §2.4: an unanswered liveness check means the peer is dead
    s.dpdPending = false;
    s.dpdTimedOut = true;
    c.emit('dpd', { mechanism: s.ikeVersion === 1 ? 'dpd' : 'liveness', outcome: 'timeout', ...peerAddress(c) });
  }
  return true;
}

function peerAddress(c: LineContext): { peer?: string } {
  const p = peerOf(c).peer?.address;
  return p ? { peer: p } : {};
}

function peer(body: string, c: LineContext): boolean {
  const m = TRYING_AGAIN_RE.exec(body);
  if (!m) return false;
  c.emit('give-up', { detail: body, ...peerOf(c) });
  return true;
}

function failedPeerGone(body: string, c: LineContext): boolean {
  // ike_sa.c:2569,2580
  if (body !== 'rekeying IKE_SA failed, peer not responding' && body !== 'proper IKE_SA delete failed, peer not responding') return false;
  c.emit('give-up', { detail: body, ...peerOf(c) });
  return true;
}

function dpdTimeout(body: string, c: LineContext): boolean {
  // processing/jobs/dpd_timeout_job.c:86 (IKEv1, RFC 3706)
  if (body !== 'DPD check timed out, enforcing DPD action') return false;
  c.state.dpdTimedOut = true;
  c.emit('dpd', { mechanism: 'dpd', outcome: 'timeout', ...peerAddress(c) });
  return true;
}

function restarting(body: string, c: LineContext): boolean {
  // ike_sa.c:2140 "restarting CHILD_SA %s" — dpd_action=restart after the timeout above
  if (!body.startsWith('restarting CHILD_SA ')) return false;
  const s = c.state;
  // the timeout itself was reported on the "giving up" line; this says what followed
  if (s.dpdTimedOut) {
    s.dpdTimedOut = false;
    c.emit('dpd-action', { action: 'restart', child: body.slice(20), ...peerAddress(c) });
  }
  return true;
}

// ike_sa.c:807-830
function nat(body: string, c: LineContext): boolean {
  switch (body) {
    case 'local host is behind NAT, sending keep alives':
      c.emit('nat', { localBehindNat: true });
      return true;
    case 'remote host is behind NAT':
      c.emit('nat', { remoteBehindNat: true });
      return true;
    case 'local host is not behind NAT anymore':
      c.emit('nat', { localBehindNat: false });
      return true;
    case 'remote host is not behind NAT anymore':
      c.emit('nat', { remoteBehindNat: false });
      return true;
    default:
      return false;
  }
}

function faking(body: string, c: LineContext): boolean {
  // ike_sa.c:816 (encap=yes / forceencaps), ike_natd.c:380
  if (body === 'faking NAT situation to enforce UDP encapsulation' || body === 'unable to determine source address, faking NAT situation') {
    c.emit('nat', { fakeNat: true, detail: body });
    return true;
  }
  return false;
}

function natMappings(body: string, c: LineContext): boolean {
  // ike_mobike.c:551
  if (!body.startsWith('detected changes in NAT mappings, ')) return false;
  c.emit('nat', { detail: body });
  return true;
}

function fragment(body: string, c: LineContext): boolean {
  const m = FRAGMENT_RE.exec(body);
  if (!m) return false;
  c.emit('ike-fragment', {
    direction: 'received',
    number: Number(m[1]),
    ...(m[2] !== undefined ? { total: Number(m[2]) } : {}),
    ...(m[3].startsWith('reassembled') ? { reassembled: true } : {}),
  });
  return true;
}


function fragmentationVendorId(body: string, c: LineContext): boolean {
  // IKEv1 fragmentation is announced with a vendor ID (ikev1/tasks/isakmp_vendor.c)
  if (body !== 'received FRAGMENTATION vendor ID') return false;
  c.emit('fragmentation-support', { direction: 'received', supported: true });
  return true;
}

export const livenessRules: RuleTable = {
  retransmit: [retransmit],
  sending: [sending],
  giving: [giving],
  peer: [peer],
  rekeying: [failedPeerGone],
  proper: [failedPeerGone],
  DPD: [dpdTimeout],
  restarting: [restarting],
  local: [nat],
  remote: [nat],
  faking: [faking],
  unable: [faking],
  detected: [natMappings],
  received: [fragment, fragmentationVendorId],
};
