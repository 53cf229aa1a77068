/**
 * CHILD SAs: traffic selectors, establishment and failure, kernel installation,
 * deletes and rekey collisions. Format strings: strongswan/strongswan @ 3b902ea.
 */
import type { LineContext } from './context.js';
import type { RuleTable } from './rule-table.js';

// child_create.c:867 / quick_mode.c:399 "%sCHILD_SA %s{%u} established with SPIs %.8x_i %.8x_o and TS %#R === %#R"
const CHILD_UP_RE = /^(inbound )?CHILD_SA (.+?)\{(\d+)\} established with SPIs (\S+)_i (\S+)_o and TS (.*)$/;
// child_create.c:2351 "traffic selectors %#R === %#R unacceptable" (tsr = ours, tsi = peer's); ≤5.6 "inacceptable"
const TS_UNACCEPTABLE_RE = /^traffic selectors (.*) (?:un|in)acceptable$/;
// ikev1/tasks/quick_mode.c:1130 "no matching CHILD_SA config found for %#R === %#R" (tsi, tsr: responder side)
const NO_CHILD_CONFIG_RE = /^no matching CHILD_SA config found for (.*)$/;
// quick_mode.c:645 "peer selected invalid traffic selectors: %R for %R, %R for %R"
const PEER_SELECTED_TS_RE = /^peer selected invalid traffic selectors: (\S+) for (\S+), (\S+) for (\S+)$/;
// child_create.c:820,834 / quick_mode.c:355 "unable to install %s%s%sIPsec SA (SAD) in kernel"
const INSTALL_SAD_RE = /^unable to install (?:inbound )?(?:and )?(?:outbound )?IPsec SA \(SAD\) in kernel$/;
// child_delete.c:469 "closing CHILD_SA %s{%u} with SPIs %.8x_i (%llu bytes) %.8x_o (%llu bytes) and TS …"
const CLOSING_CHILD_RE = /^closing CHILD_SA (.+?)\{(\d+)\} with SPIs (\S+)_i (?:\(\d+ bytes\) )?(\S+)_o/;
// child_delete.c / quick_delete.c "received DELETE for %N CHILD_SA with SPI %.8x"
const DELETE_CHILD_RE = /^received DELETE for (?:ESP|AH) CHILD_SA with SPI ([0-9a-fA-F]+)$/;
const DELETE_IKE_RE = /^received DELETE for IKE_SA (.+?)\[(\d+)\]$/;
// ike_delete.c:47 "deleting IKE_SA %s[%u] between %H[%Y]...%H[%Y]"
const DELETING_IKE_RE = /^deleting IKE_SA (.+?)\[(\d+)\] between /;
// delete_ike_sa_job.c:97 "deleting half open IKE_SA %s[%u] with %H after timeout"; ≤5.9 without the name
const HALF_OPEN_RE = /^deleting half open IKE_SA (?:(.+?)\[(\d+)\] )?with (\S+) after timeout$/;
// child_create.c:675 "%N mode requested by responder is unacceptable"
const MODE_RE = /^(\S+) mode requested by responder is unacceptable$/;
// task_manager_v2.c "detected %N collision with %N" (task types, e.g. CHILD_REKEY / IKE_REKEY / IKE_DELETE)
const TASK_COLLISION_RE = /^detected (\S+) collision with (\S+)$/;

// peer_cfg.c select_child_cfg(): "looking for a child config for %#R === %#R" (the responder, before it
// lists each candidate's configured selectors)
const CHILD_LOOKUP_RE = /^looking for a child config for /;
// child_cfg.c get_traffic_selectors(): "%s traffic selectors for %s:" ("proposing": the configured list as is,
// "selecting": narrowed against the peer's), then one line per selector (DBG2, `cfg 2`)
const TS_LIST_HEAD_RE = /^(proposing|selecting) traffic selectors for (us|other):$/;
// " %R" (≤5.0 " %R (derived from %R)") after "proposing"; " config: %R, received: %R => match: %R|no match" after "selecting"
const TS_LIST_ITEM_RE = /^ (?:config: (\S+), received: \S+ => (?:match: \S+|no match)|(\S+)(?: \(derived from \S+\))?)$/;

/** "%#R" prints each selector separated by a space: "10.1.0.0/16 10.2.0.0/16[tcp/80]". */
function selectorList(text: string): string[] {
  return text.split(' ').filter((s) => s.length > 0);
}

/** Splits "A === B"; undefined when the separator is missing. */
function selectorPair(text: string): { first: string[]; second: string[] } | undefined {
  const sep = text.indexOf(' === ');
  if (sep === -1) return undefined;
  return { first: selectorList(text.slice(0, sep)), second: selectorList(text.slice(sep + 5)) };
}

function childSa(body: string, c: LineContext): boolean {
  if (body.startsWith('CHILD_SA rekey collision ')) {
    c.emit('rekey', { what: 'child', outcome: 'collision' });
    return true;
  }
  const m = CHILD_UP_RE.exec(body);
  if (!m) return false;
  const ts = selectorPair(m[6]);
  if (!ts) c.diagnose('CHILD_SA established line without "local === remote" selectors');
  c.emit('child-established', {
    name: m[2],
    spis: [m[4], m[5]],
    ...(ts ? { local: ts.first, remote: ts.second } : {}),
    ...(m[1] ? { detail: 'inbound only: outbound SA not yet installed' } : {}),
  });
  return true;
}

function traffic(body: string, c: LineContext): boolean {
  const m = TS_UNACCEPTABLE_RE.exec(body);
  if (!m) return false;
  const ts = selectorPair(m[1]);
  c.emit('ts-unacceptable', { direction: 'local', ...(ts ? { local: ts.first, remote: ts.second } : {}), ...exchangeOf(c) });
  return true;
}

function childLookup(body: string, c: LineContext): boolean {
  if (!CHILD_LOOKUP_RE.test(body)) return false;
  c.state.childLookupLine = c.lineNo;
  return true;
}

/**
 * A selector list printed under "proposing/selecting traffic selectors for us|other:". After the
 * responder's child config lookup (no message since) it is what this side's configuration
 * accepts; otherwise it is what this side proposes as initiator. "selecting" prints the
 * configured selector first ("config: …"), so that list is the configuration too.
 */
/** lines after its heading within which a selector line still belongs to it */
export const LISTING_REACH = 64;

function selectorListing(body: string, c: LineContext): boolean {
  const head = TS_LIST_HEAD_RE.exec(body);
  const s = c.state;
  // unity_narrow.c narrow_pre(): "changing proposed traffic selectors for %s:" + " %R" (0.0.0.0/0 on the wire, not a config)
  if (body.startsWith('changing proposed traffic selectors for ')) {
    s.tsListing = undefined;
    return true;
  }
  if (head) {
    const afterLookup = (s.childLookupLine ?? -1) > (s.phaseLine ?? -1);
    c.file.lastListingLine = c.lineNo;
    s.tsListing = { side: head[2] === 'us' ? 'local' : 'remote', source: afterLookup || head[1] === 'selecting' ? 'configured' : 'proposed', line: c.lineNo };
    return true;
  }
  const listing = s.tsListing;
  const item = listing ? TS_LIST_ITEM_RE.exec(body) : null;
  if (!listing || !item) return false;
  // a selector line belongs to the heading printed just before it (the same thread prints both)
  if (c.lineNo - listing.line > LISTING_REACH) return false;
  const selector = item[1] ?? item[2];
  c.emit('ts', listing.side === 'local' ? { source: listing.source, local: [selector] } : { source: listing.source, remote: [selector] });
  return true;
}

function exchangeOf(c: LineContext): { exchange?: string } {
  const ex = c.state.lastExchange;
  return ex ? { exchange: ex } : {};
}

function no(body: string, c: LineContext): boolean {
  if (body === 'no acceptable traffic selectors found') {
    c.emit('ts-unacceptable', { direction: 'local', ...exchangeOf(c) });
    return true;
  }
  const cfg = NO_CHILD_CONFIG_RE.exec(body);
  if (cfg) {
    const ts = selectorPair(cfg[1]);
    c.emit('ts-unacceptable', { direction: 'local', ...(ts ? { local: ts.second, remote: ts.first } : {}), exchange: 'QUICK_MODE' });
    return true;
  }
  if (body === 'no acceptable proposal found' || body === 'no matching proposal found') {
    // ike_init.c:1166 (IKE) and child_create.c:920 / quick_mode.c:1406 (CHILD): the preceding proposal lines say which
    // whichever came last: the proposal lists charon printed, or the message being processed
    const s = c.state;
    const phase = (s.proposalLine ?? -1) > (s.phaseLine ?? -1) ? s.proposalPhase : (s.lastPhase ?? s.proposalPhase);
    c.emit('no-proposal-chosen', { direction: 'local', ...(phase ? { phase } : {}), ...exchangeOf(c), reason: body });
    return true;
  }
  if (body === 'no proposal found') {
    // ikev1 main_mode.c:406 / aggressive_mode.c:410: phase 1 SA payload
    c.emit('no-proposal-chosen', { direction: 'local', phase: 'ike', ...exchangeOf(c), reason: body });
    return true;
  }
  if (body === 'no matching proposal found, sending NO_PROPOSAL_CHOSEN') {
    c.emit('no-proposal-chosen', { direction: 'sent', phase: 'child', exchange: 'QUICK_MODE', reason: body });
    return true;
  }
  return false;
}

function peerSelected(body: string, c: LineContext): boolean {
  const m = PEER_SELECTED_TS_RE.exec(body);
  if (!m) return false;
  c.emit('ts-unacceptable', { direction: 'received', local: [m[1]], remote: [m[3]], exchange: 'QUICK_MODE' });
  return true;
}

function received(body: string, c: LineContext): boolean {
  if (body === 'received TS_UNACCEPTABLE notify, no CHILD_SA built') {
    c.emit('ts-unacceptable', { direction: 'received', ...exchangeOf(c) });
    return true;
  }
  if (body.endsWith(' notify, no CHILD_SA built') && !body.startsWith('received NO_PROPOSAL_CHOSEN')) {
    // child_create.c:2637 "received %N notify, no CHILD_SA built"
    c.emit('notify', { direction: 'received', name: body.slice(9, body.indexOf(' ', 9)), ...exchangeOf(c) });
    return true;
  }
  let m = DELETE_CHILD_RE.exec(body);
  if (m) {
    c.emit('sa-deleted', { what: 'child', direction: 'received', spis: [m[1]] });
    return true;
  }
  m = DELETE_IKE_RE.exec(body);
  if (m) {
    c.namedSa(m[1], m[2]);
    c.emit('sa-deleted', { what: 'ike', direction: 'received' });
    return true;
  }
  return false;
}

function failed(body: string, c: LineContext): boolean {
  // child_create.c:1984
  if (body === 'failed to establish CHILD_SA, keeping IKE_SA') {
    c.emit('child-failed', {});
    return true;
  }
  return false;
}

function mode(body: string, c: LineContext): boolean {
  const m = MODE_RE.exec(body);
  if (!m) return false;
  c.emit('child-failed', { reason: body });
  return true;
}

function unable(body: string, c: LineContext): boolean {
  if (!body.startsWith('unable to ')) return false;
  if (INSTALL_SAD_RE.test(body)) {
    c.emit('sa-install-failed', { what: 'SAD', detail: body });
    return true;
  }
  if (body === 'unable to install IPsec policies (SPD) in kernel') {
    c.emit('sa-install-failed', { what: 'SPD', detail: body });
    return true;
  }
  // kernel_netlink_ipsec.c:2277 "unable to add SAD entry with SPI %.8x%s (%N)", :3348 "unable to add/update policy …"
  if (body.startsWith('unable to add SAD entry ') || body.startsWith('unable to update SAD entry ')) {
    c.emit('sa-install-failed', { what: 'SAD entry', detail: body });
    return true;
  }
  if (body.startsWith('unable to add policy ') || body.startsWith('unable to update policy ')) {
    c.emit('sa-install-failed', { what: 'policy', detail: body });
    return true;
  }
  return false;
}

function netlink(body: string, c: LineContext): boolean {
  // kernel_netlink_shared.c:927 "received netlink error: %s (%d)"
  if (!body.startsWith('received netlink error: ')) return false;
  c.emit('sa-install-failed', { what: 'netlink', detail: body.slice(24) });
  return true;
}

function closing(body: string, c: LineContext): boolean {
  const m = CLOSING_CHILD_RE.exec(body);
  if (m) {
    c.emit('sa-deleted', { what: 'child', direction: 'local', spis: [m[3], m[4]] });
    return true;
  }
  if (body.startsWith('closing expired CHILD_SA ')) {
    c.emit('sa-deleted', { what: 'child', direction: 'local', reason: 'expired' });
    return true;
  }
  if (body === 'closing IKE_SA due CHILD_SA setup failure') {
    c.emit('sa-deleted', { what: 'ike', direction: 'local', reason: 'CHILD_SA setup failure' });
    return true;
  }
  return false;
}

function deleting(body: string, c: LineContext): boolean {
  let m = DELETING_IKE_RE.exec(body);
  if (m) {
    c.namedSa(m[1], m[2]);
    c.emit('sa-deleted', { what: 'ike', direction: 'local' });
    return true;
  }
  m = HALF_OPEN_RE.exec(body);
  if (m) {
    if (m[1] !== undefined) c.namedSa(m[1], m[2]);
    // the peer answered nothing after IKE_SA_INIT: on a responder, IKE_AUTH never arrived
    c.emit('sa-deleted', { what: 'ike', direction: 'local', reason: `half open IKE_SA with ${m[3]} timed out` });
    return true;
  }
  if (body.startsWith('deleting duplicate IKE_SA for peer ') || body === 'deleting unestablished IKE_SA' || body.startsWith('deleting IKE_SA after ')) {
    c.emit('sa-deleted', { what: 'ike', direction: 'local', reason: body });
    return true;
  }
  if (body.startsWith('deleting CHILD_SA ')) {
    c.emit('sa-deleted', { what: 'child', direction: 'local', reason: body });
    return true;
  }
  return false;
}

function ikeSaLifecycle(body: string, c: LineContext): boolean {
  if (body === 'IKE_SA deleted') {
    c.emit('sa-deleted', { what: 'ike' });
    return true;
  }
  if (body.startsWith('IKE_SA rekey collision ')) {
    c.emit('rekey', { what: 'ike', outcome: 'collision' });
    return true;
  }
  return false;
}

// ike_sa.c:1960 (delete without notifying the peer, e.g. at shutdown): on a responder still in
// CONNECTING it is the trace of an IKE_AUTH that never arrived
const DESTROYING_RE = /^destroying IKE_SA in state (\S+) without notification$/;

function destroying(body: string, c: LineContext): boolean {
  const m = DESTROYING_RE.exec(body);
  if (!m) return false;
  c.emit('sa-deleted', { what: 'ike', direction: 'local', reason: body });
  return true;
}

function canceling(body: string, c: LineContext): boolean {
  if (body !== 'canceling IKE_SA setup due to uniqueness policy') return false;
  c.emit('sa-deleted', { what: 'ike', direction: 'local', reason: body });
  return true;
}

function detected(body: string, c: LineContext): boolean {
  if (body.startsWith('detected rekey collision for CHILD_SA ')) {
    c.emit('rekey', { what: 'child', outcome: 'collision' });
    return true;
  }
  if (body.startsWith('detected rekeying of CHILD_SA ')) {
    c.emit('rekey', { what: 'child', outcome: 'started' });
    return true;
  }
  const m = TASK_COLLISION_RE.exec(body);
  if (m) {
    c.emit('rekey', { what: m[1].startsWith('IKE') || m[2].startsWith('IKE') ? 'ike' : 'child', outcome: 'collision' });
    return true;
  }
  return false;
}

function peerRekey(body: string, c: LineContext): boolean {
  // ike_rekey.c:749
  if (!body.startsWith('peer initiated rekeying, but we did too and already ')) return false;
  c.emit('rekey', { what: 'ike', outcome: 'collision' });
  return true;
}

export const childRules: RuleTable = {
  CHILD_SA: [childSa],
  inbound: [childSa],
  traffic: [traffic],
  looking: [childLookup],
  proposing: [selectorListing],
  selecting: [selectorListing],
  changing: [selectorListing],
  '': [selectorListing],
  no: [no],
  peer: [peerSelected, peerRekey],
  received: [received, netlink],
  failed: [failed],
  TUNNEL: [mode],
  TRANSPORT: [mode],
  BEET: [mode],
  unable: [unable],
  closing: [closing],
  deleting: [deleting],
  IKE_SA: [ikeSaLifecycle],
  canceling: [canceling],
  destroying: [destroying],
  detected: [detected],
};
