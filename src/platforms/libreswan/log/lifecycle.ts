/**
 * Time-driven events of a pluto state: retransmits and their exhaustion
 * (programs/pluto/retransmit.c), DPD/liveness actions, NAT detection, IKE
 * fragments, deletes and rekeys.
 */
import { draft, exchangeOfState, type Draft, type LineContext } from './draft.js';

const RETRANSMISSION = /^retransmission; will wait (\d+(?:\.\d+)?) ?(?:seconds?|s)\b/;
const RETRANSMITTING = /^retransmitting (\S+) request; will wait (\d+(?:\.\d+)?) ?(?:seconds?|s)\b/;
// note the two spaces pluto puts after the first sentence
const TIMEOUT = /^(\d+(?:\.\d+)?) second timeout exceeded after (\d+) retransmits?\.\s*(.*)$/;
const MAX_RETRANSMITS = /^max number of retransmissions \((\d+)\) reached(?: after (\d+(?:\.\d+)?) seconds)?(?: (STATE_\S+?))?\.?\s*(.*)$/;
const LIVENESS_V3 = /^liveness_check - peer (\S+) has not responded in (\d+) seconds, with a timeout of \S+, taking (\S+)/;
const NAT_RESULT = /NAT-Traversal: Result using (.*?): (.*)$/;
const DELETING = /^deleting (IPsec SA|ISAKMP SA|IKE SA|Child SA|state|other state)\b(.*)$/;
const RECEIVED_DELETE = /^received Delete SA(?:\(0x[0-9a-fA-F]+\))? payload: (?:deleting|replace|replacing|delete) (ISAKMP|IPsec|IKE|Child) (?:State|SA)/i;
const REKEY_START = /^initiating rekey to replace (Child|IKE) SA #\d+/;
const SENT_FRAGMENT = /^sending IKE fragment id '\d+', number '(\d+)'( ?\(last\))?/;
const RECEIVED_FRAGMENT = /^received IKE fragment id '\d+', number '(\d+)'( ?\(last\))?/;
const RECEIVED_V2_FRAGMENT = /^received IKE encrypted fragment number '(\d+)', total number '(\d+)'/;

export function retransmits(text: string, ctx: LineContext, stateName: string | undefined): Draft[] | undefined {
  let m = RETRANSMISSION.exec(text);
  if (m) {
    const count = ctx.state ? ++ctx.state.retransmits : undefined;
    return [draft('retransmit', { count, waitSeconds: Number(m[1]), state: stateName, exchange: stateName ? exchangeOfState(stateName) : undefined, peer: ctx.state?.peer })];
  }
  if ((m = RETRANSMITTING.exec(text))) {
    const count = ctx.state ? ++ctx.state.retransmits : undefined;
    return [draft('retransmit', { count, waitSeconds: Number(m[2]), exchange: m[1], state: stateName, peer: ctx.state?.peer })];
  }
  if ((m = TIMEOUT.exec(text))) {
    return [
      draft('give-up', {
        seconds: Number(m[1]),
        retransmits: Number(m[2]),
        state: stateName,
        exchange: stateName ? exchangeOfState(stateName) : undefined,
        peer: ctx.state?.peer,
        detail: m[3] || undefined,
      }),
    ];
  }
  if ((m = MAX_RETRANSMITS.exec(text))) {
    const state = stateName ?? m[3];
    return [
      draft('give-up', {
        retransmits: Number(m[1]),
        seconds: m[2] ? Number(m[2]) : undefined,
        state,
        exchange: state ? exchangeOfState(state) : undefined,
        peer: ctx.state?.peer,
        detail: m[4] || undefined,
      }),
    ];
  }
  return undefined;
}

export function deadPeer(text: string): Draft[] | undefined {
  let m = /^(DPD|liveness) action - (.*)$/.exec(text);
  if (m) return [draft('dpd', { mechanism: m[1] === 'DPD' ? 'dpd' : 'liveness', outcome: 'timeout', action: actionOf(m[2]) })];
  if ((m = LIVENESS_V3.exec(text))) return [draft('dpd', { mechanism: 'liveness', outcome: 'timeout', action: actionOf(m[3]), peer: m[1] })];
  if (/^DPD: (?:No response from peer - declaring peer dead|.*\btimeout\b)/i.test(text)) return [draft('dpd', { mechanism: 'dpd', outcome: 'timeout' })];
  return undefined;
}

/** "putting connection into hold" → hold; "clearing connection kind CK_PERMANENT" → clear; "restarting all connections …" → restart */
function actionOf(s: string): string {
  if (/hold/.test(s)) return 'hold';
  if (/clear/.test(s)) return 'clear';
  if (/restart/.test(s)) return 'restart';
  return s.slice(0, 80);
}

/** RFC 3947 §3 NAT-D outcome, in libreswan ("I am behind NAT") and Openswan ("i am NATed") wording. */
export function natResult(text: string): Draft[] | undefined {
  const m = NAT_RESULT.exec(text);
  if (!m) return undefined;
  const r = m[2];
  const both = /both are (?:NATed|behind NAT)/i.test(r);
  const local = both || /\bi am (?:behind NAT|NATed)/i.test(r);
  const remote = both || /\bpeer (?:is )?(?:behind NAT|NATed)/i.test(r);
  const none = /no NAT/i.test(r);
  if (!local && !remote && !none) return [];
  return [draft('nat', { localBehindNat: local, remoteBehindNat: remote, detail: `${m[1]}: ${r}` })];
}

export function fragments(text: string): Draft[] | undefined {
  let m = SENT_FRAGMENT.exec(text);
  if (m) return [draft('ike-fragment', { direction: 'sent', number: Number(m[1]), total: m[2] ? Number(m[1]) : undefined })];
  if ((m = RECEIVED_FRAGMENT.exec(text))) return [draft('ike-fragment', { direction: 'received', number: Number(m[1]), total: m[2] ? Number(m[1]) : undefined })];
  if ((m = RECEIVED_V2_FRAGMENT.exec(text))) return [draft('ike-fragment', { direction: 'received', number: Number(m[1]), total: Number(m[2]) })];
  if ((m = /^dropping fragment (\d+) of (\d+) as repeat/.exec(text))) return [draft('ike-fragment', { direction: 'received', number: Number(m[1]), total: Number(m[2]) })];
  if (text.startsWith('peer supports fragmentation')) return [draft('fragmentation-support', { direction: 'received', supported: true })];
  return undefined;
}

export function deletes(text: string): Draft[] | undefined {
  let m = DELETING.exec(text);
  if (m) {
    const rest = m[2];
    const ike = m[1] === 'ISAKMP SA' || m[1] === 'IKE SA' || (m[1].endsWith('state') && /STATE_(?:MAIN|AGGR|PARENT)|IKE_SA|_IKE\b/.test(rest));
    const reason = /\(([^)]*)\)/.exec(rest)?.[1];
    const direction = /\band sending notification/.test(rest) ? 'sent' : 'local';
    return [draft('sa-deleted', { what: ike ? 'ike' : 'child', reason, direction })];
  }
  if ((m = RECEIVED_DELETE.exec(text))) {
    const ike = /ISAKMP|IKE/i.test(m[1]);
    return [draft('sa-deleted', { what: ike ? 'ike' : 'child', direction: 'received' })];
  }
  if ((m = REKEY_START.exec(text))) return [draft('rekey', { what: m[1] === 'Child' ? 'child' : 'ike', outcome: 'started' })];
  return undefined;
}
