/**
 * The success path of a negotiation as pluto words it: initiating/responding,
 * IKE messages sent and processed, IKE/ISAKMP SA and Child/IPsec SA established.
 * Wording per version: libreswan v5 ("initiator established Child SA using #1"),
 * v4 ("established Child SA; IPsec tunnel [a] -> [b]"), v3/Openswan 2.x state
 * lines ("STATE_QUICK_I2: sent QI2, IPsec SA established tunnel mode {…}").
 */
import { draft, exchangeOfMode, type Draft, type LineContext, type Mode } from './draft.js';
import { parseEndpoint, parsePayloads, parseSaSummary, parseSelectors, parseProposalList } from './fields.js';

const INIT_V2 = /^initiating (?:IKEv2 connection|v2 parent SA|IKEv2 IKE SA)(?: to (\S+))?/;
const INIT_V1 = /^initiating (?:IKEv1 )?(Main|Aggressive) Mode/;
const INIT_QUICK = /^initiating Quick Mode \S+(?: \{(.*)\})?/;
const RESPOND_V1 = /^responding to (Main|Aggressive|Quick) Mode(?: from unknown peer (\S+))?/;
const MESSAGE = /^(sent|processed|processing(?: decrypted)?|received) ([A-Z][A-Z0-9_]*) (request|response)\b:? ?(.*)$/;
const V1_SENT = /^sent (Main|Aggressive|Quick) Mode (request|response|[IR]\d)\b/;
const OPENSWAN_MSG = /\b(sent|received) ([MAQ])([IR])(\d)\b/;
const V3_V2_MSG = /\b(sent|received) v2([IR])(\d)\b/;
const IKE_ESTABLISHED = /^(?:(?:initiator|responder) )?established IKE SA\b;? ?(.*)$/;
const CHILD_ESTABLISHED = /^(?:(?:initiator|responder) )?established Child SA(?: using #(\d+))?;? ?IPsec (tunnel|transport) (.*)$/;
const REKEYED = /^(?:initiator|responder) rekeyed (Child|IKE) SA #(\d+)(?: using #(\d+))?(?:.*?;? ?IPsec (tunnel|transport) (.*))?$/;
const IPSEC_SA_ESTABLISHED = /IPsec SA established (tunnel|transport) mode(?: (\{.*\}))?/;
const ISAKMP_ESTABLISHED = /ISAKMP SA established(?: (\{.*\}))?/;
const PROPOSAL_CHOSEN = /^proposal (\S+) chosen from remote proposals (.*)$/;
const IKE_ALGS = /\{cipher=(\S+) integ=(\S+) prf=(\S+) (?:ke|group)=([^\s}]+)\}/;
const QUOTED_AFTER_PEER = /\bpeer\b[^']*'([^']*)'/;
const ID_SENT = / and ([A-Z0-9_]+) '([^']*)'/;

const MODE_OF: Record<string, Mode> = { Main: 'main', Aggressive: 'aggressive', Quick: 'quick' };
const V1_EXCHANGE: Record<string, string> = { M: 'ID_PROT', A: 'AGGRESSIVE', Q: 'QUICK_MODE' };

export function initiateOrRespond(text: string, ctx: LineContext): Draft[] | undefined {
  let m = INIT_V2.exec(text);
  if (m) {
    setMode(ctx, 'ikev2', 2);
    return [draft('initiate', { ikeVersion: 2, mode: 'ikev2', peer: m[1] })];
  }
  if ((m = INIT_V1.exec(text))) {
    const mode = MODE_OF[m[1]];
    setMode(ctx, mode, 1);
    return [draft('initiate', { ikeVersion: 1, mode })];
  }
  if ((m = INIT_QUICK.exec(text))) return initiateQuick(m[1], ctx);
  if ((m = RESPOND_V1.exec(text))) {
    const mode = MODE_OF[m[1]];
    setMode(ctx, mode, 1);
    const peer = m[2] ? parseEndpoint(m[2])?.address : ctx.prefixPeer?.address;
    return [draft('respond', { ikeVersion: 1, mode, peer })];
  }
  return undefined;
}

function initiateQuick(inside: string | undefined, ctx: LineContext): Draft[] {
  setMode(ctx, 'quick', 1);
  const out: Draft[] = [draft('initiate', { ikeVersion: 1, mode: 'quick' })];
  if (!inside) return out;
  const parent = /\busing isakmp#(\d+)/.exec(inside)?.[1];
  if (parent && ctx.serial) ctx.linkChild?.(ctx.serial, parent);
  const algs = /\bproposal=(.*?)(?= pfsgroup=| \S+===|$)/.exec(inside)?.[1];
  const pfs = /\bpfsgroup=([^\s}]+)/.exec(inside)?.[1];
  if (algs) {
    const proposals = algs.split(/,\s*/).filter(Boolean).slice(0, 64).map((a) => `ESP:${a}${pfs ? `-${pfs}` : ''}`);
    out.push(draft('proposals', { phase: 'child', source: 'configured', proposals }));
  }
  const sel = parseSelectors(inside);
  if (sel) out.push(draft('ts', { source: 'proposed', local: sel.local, remote: sel.remote }));
  return out;
}

/** "sent IKE_SA_INIT request to 192.1.2.23:UDP/500", "processing IKE_AUTH response from … containing SK{…}". */
export function ikeMessage(text: string, ctx: LineContext): Draft[] | undefined {
  const m = MESSAGE.exec(text);
  if (!m) return v1Message(text, ctx);
  const direction = m[1] === 'sent' ? 'sent' : 'received';
  const exchange = m[2];
  const role = m[3] as 'request' | 'response';
  let rest = m[4];
  let peer = undefined;
  const ep = /^(?:to|from) (\S+)/.exec(rest);
  if (ep) {
    peer = parseEndpoint(ep[1]);
    if (peer && ctx.state) ctx.state.peer = peer;
    rest = rest.slice(ep[0].length).trim();
  }
  setMode(ctx, 'ikev2', 2);
  // v5 "containing SK{IDr,AUTH,N(TS_UNACCEPTABLE)}", v4 "processing decrypted IKE_AUTH request: SK{IDi,…}"
  const listStart = rest.startsWith('containing ') ? 11 : rest.startsWith('SK{') ? 0 : -1;
  const parsed = listStart >= 0 ? parsePayloads(rest.slice(listStart).split(' ', 1)[0]) : undefined;
  const out: Draft[] = [
    draft('message', {
      direction,
      exchange,
      role,
      payloads: parsed?.payloads.length ? parsed.payloads : undefined,
      notifies: parsed?.notifies.length ? parsed.notifies : undefined,
      peer,
    }),
  ];
  if (direction === 'received' && role === 'request' && exchange === 'IKE_SA_INIT') {
    out.push(draft('respond', { ikeVersion: 2, mode: 'ikev2', peer: peer?.address ?? ctx.prefixPeer?.address }));
  }
  const frag = /reassembled from (\S+) fragments?/.exec(rest);
  if (frag) {
    const total = /^\d+$/.test(frag[1]) ? Number(frag[1]) : undefined;
    out.push(draft('ike-fragment', { direction: 'received', total, reassembled: true }));
  }
  const algs = IKE_ALGS.exec(rest);
  if (algs) out.push(draft('proposals', { phase: 'ike', source: 'selected', proposals: [ikeProposalOf(algs)] }));
  if (direction === 'sent' && exchange === 'IKE_AUTH') out.push(...sentAuth(rest, ctx));
  if (direction === 'sent' && /^to delete\b/.test(rest)) {
    out.push(draft('sa-deleted', { what: /Child SA/.test(rest) ? 'child' : 'ike', direction: 'sent', reason: rest.slice(3) }));
  }
  return out;
}

/** "… with shared-key-mac and FQDN '@west'; Child SA #2 {ESP <0x…} [192.0.1.0/24===192.0.2.0/24]" */
function sentAuth(rest: string, ctx: LineContext): Draft[] {
  const out: Draft[] = [];
  const id = ID_SENT.exec(rest);
  if (id) out.push(draft('identity', { direction: 'sent', id: id[2] }));
  const child = /Child SA #(\d+)(.*)$/.exec(rest);
  if (child) {
    if (ctx.serial) ctx.linkChild?.(child[1], ctx.serial);
    const sel = parseSelectors(child[2]);
    if (sel) out.push(draft('ts', { source: 'proposed', local: sel.local, remote: sel.remote }));
  }
  return out;
}

function ikeProposalOf(m: RegExpExecArray): string {
  const [, cipher, integ, prf, ke] = m;
  const parts = [cipher];
  if (integ !== 'n/a') parts.push(integ);
  parts.push(prf.startsWith('PRF_') ? prf : `PRF_${prf}`);
  parts.push(ke);
  return `IKE:${parts.join('/')}`;
}

function v1Message(text: string, ctx: LineContext): Draft[] | undefined {
  let m = V1_SENT.exec(text);
  if (m) {
    const mode = MODE_OF[m[1]];
    setMode(ctx, mode, 1);
    const role = m[2] === 'request' || m[2].startsWith('I') ? 'request' : 'response';
    return [draft('message', { direction: 'sent', exchange: exchangeOfMode(mode) ?? m[1], role })];
  }
  if ((m = OPENSWAN_MSG.exec(text))) {
    return [draft('message', { direction: m[1] as 'sent' | 'received', exchange: V1_EXCHANGE[m[2]], role: m[3] === 'I' ? 'request' : 'response' })];
  }
  if ((m = V3_V2_MSG.exec(text))) {
    // v3 IKEv2 states: v2I1/v2R1 = IKE_SA_INIT, v2I2/v2R2 = IKE_AUTH
    const exchange = m[3] === '1' ? 'IKE_SA_INIT' : 'IKE_AUTH';
    const role = m[2] === 'I' ? 'request' : 'response';
    const direction = m[1] as 'sent' | 'received';
    const out: Draft[] = [draft('message', { direction, exchange, role })];
    if (direction === 'received' && role === 'request' && exchange === 'IKE_SA_INIT') out.push(draft('respond', { ikeVersion: 2, mode: 'ikev2', peer: ctx.prefixPeer?.address }));
    return out;
  }
  return undefined;
}

/** IKE/ISAKMP SA and Child/IPsec SA established, in every version's words. */
export function established(text: string, ctx: LineContext, conn: string | undefined): Draft[] | undefined {
  let m = IKE_ESTABLISHED.exec(text);
  if (m) {
    markEstablished(ctx, 2);
    const remoteId = QUOTED_AFTER_PEER.exec(m[1])?.[1];
    const out: Draft[] = [draft('ike-established', { ikeVersion: 2, remote: ctx.state?.peer?.address, remoteId })];
    if (/authenticated/.test(m[1])) out.push(draft('auth', { ok: true, method: authMethod(m[1]), direction: 'local', id: remoteId }));
    return out;
  }
  if ((m = CHILD_ESTABLISHED.exec(text))) {
    if (m[1] && ctx.serial) ctx.linkChild?.(ctx.serial, m[1]);
    return childDrafts(m[2], m[3], conn);
  }
  if ((m = REKEYED.exec(text))) {
    const what = m[1] === 'Child' ? 'child' : 'ike';
    const out: Draft[] = [draft('rekey', { what, outcome: 'done' })];
    if (what === 'child' && m[4]) out.push(...childDrafts(m[4], m[5] ?? '', conn));
    return out;
  }
  if ((m = IPSEC_SA_ESTABLISHED.exec(text))) {
    markEstablished(ctx, ctx.state?.ikeVersion);
    return childDrafts(m[1], m[2] ?? '', conn);
  }
  if ((m = ISAKMP_ESTABLISHED.exec(text))) {
    markEstablished(ctx, 1);
    const summary = m[1];
    const out: Draft[] = [draft('ike-established', { ikeVersion: 1, detail: summary })];
    const auth = summary ? /\bauth=(\S+?)[ }]/.exec(summary)?.[1] : undefined;
    // Main Mode messages 5/6 carry the authentication: an established ISAKMP SA means it passed
    if (auth) out.push(draft('auth', { ok: true, method: authMethod(auth), direction: 'local' }));
    return out;
  }
  if ((m = /PARENT SA established(?: (tunnel|transport) mode (\{.*\}))?/.exec(text))) {
    // v3.x IKEv2 initiator: "STATE_PARENT_I3: PARENT SA established tunnel mode {ESP=>…}" = IKE SA plus its first Child SA
    markEstablished(ctx, 2);
    const out: Draft[] = [draft('ike-established', { ikeVersion: 2, remote: ctx.state?.peer?.address })];
    if (m[1]) out.push(...childDrafts(m[1], m[2], conn));
    return out;
  }
  if ((m = /^negotiated connection (.*)$/.exec(text))) {
    const sel = parseSelectors(m[1]);
    return sel ? [draft('ts', { source: 'selected', local: sel.local, remote: sel.remote })] : [];
  }
  if ((m = PROPOSAL_CHOSEN.exec(text))) {
    // v5 prints "1:IKE=AES_GCM_C_256-HMAC_SHA2_512-DH19", v3/v4 "1:IKE:SPI=…;ENCR=…"
    const chosen = m[1].replace(/^\d+:/, '').replace(/^(IKE|ESP|AH)=/, '$1:');
    const phase = /^(?:IKE)\b/.test(chosen) ? 'ike' : 'child';
    return [
      draft('proposals', { phase, source: 'received', proposals: parseProposalList(m[2]) }),
      draft('proposals', { phase, source: 'selected', proposals: [chosen] }),
    ];
  }
  return undefined;
}

function childDrafts(mode: string, rest: string, conn: string | undefined): Draft[] {
  const sa = parseSaSummary(rest);
  const sel = parseSelectors(rest.split('{')[0]);
  const out: Draft[] = [
    draft('child-established', {
      name: conn,
      spis: sa.spis.length ? sa.spis : undefined,
      local: sel?.local,
      remote: sel?.remote,
      mode,
      encap: sa.encap,
      detail: sa.xfrm ? `xfrm=${sa.xfrm}` : undefined,
    }),
  ];
  if (sa.natd) out.push(draft('nat-t-float', { to: sa.natd }));
  return out;
}

/** "authenticated peer using authby=secret", "certificate … RSASSA-PSS", "auth=PRESHARED_KEY" */
export function authMethod(s: string): 'psk' | 'cert' | 'eap' | 'unknown' {
  if (/authby=secret|PRESHARED|\bPSK\b|shared[- ]key/i.test(s)) return 'psk';
  if (/EAP/.test(s)) return 'eap';
  if (/certificate|RSA|ECDSA|EdDSA|digital.signature|RSA_SIG|rsasig/i.test(s)) return 'cert';
  return 'unknown';
}

function setMode(ctx: LineContext, mode: Mode, ikeVersion: 1 | 2): void {
  if (!ctx.state) return;
  // a Quick Mode state keeps its mode even when an ISAKMP-level line names it
  if (!ctx.state.mode) ctx.state.mode = mode;
  ctx.state.ikeVersion ??= ikeVersion;
}

function markEstablished(ctx: LineContext, ikeVersion: 1 | 2 | undefined): void {
  if (!ctx.state) return;
  ctx.state.established = true;
  if (ikeVersion) ctx.state.ikeVersion ??= ikeVersion;
}
