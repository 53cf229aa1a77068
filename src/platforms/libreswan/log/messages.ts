/**
 * Routes one pluto message text to the handlers that know its wording. The
 * success-path handlers may both apply to one line (Openswan's
 * "STATE_QUICK_I2: sent QI2, IPsec SA established tunnel mode {…}"); every other
 * line belongs to exactly one handler. A recognised line that says nothing of
 * interest yields [].
 */
import { draft, modeOfState, exchangeOfState, type Draft, type LineContext } from './draft.js';
import { established, ikeMessage, initiateOrRespond } from './exchanges.js';
import { identityAndAuth, kernel, noConnection, notifications, proposals, selectors } from './failures.js';
import { deadPeer, deletes, fragments, natResult, retransmits } from './lifecycle.js';
import { notifyDrafts } from './notifies.js';
import { catalogueFailures } from './catalogue.js';

// Openswan/v3 "STATE_MAIN_I2: sent MI2…", v5 "IKE_SA_INIT_I: 10 second timeout…", "ESTABLISHED_IKE_SA: retransmission…"
const STATE_PREFIX = /^([A-Z][A-Z0-9]*_[A-Z0-9_]+): /;
const TRANSITION_FAILED = /^state transition function for (\S+) failed: (\S+)/;
const STATUS_FRAGMENTATION = /\bfragmentation: (yes|no|force|never|insist)\b/;

type Handler = (text: string, ctx: LineContext, stateName: string | undefined) => Draft[] | undefined;
/** Cheap keyword gate (first word w, whole text t) so most lines never reach a regex. */
type Gate = (w: string, t: string, ctx: LineContext) => boolean;

const ROUTES: [Gate, Handler][] = [
  [(w) => w === 'initiating' || w === 'responding', (t, c) => initiateOrRespond(t, c)],
  [(w, t) => w === 'ignoring' || w === 'sending' || w === 'responding' || t.includes(' rejected') || t.includes('error notification') || t.includes('SA processing returned') || t.endsWith('Child SA ignored'), (t, c) => notifications(t, c)],
  [(w, t) => w === 'policy' || t.includes('proposal') || t.includes('Oakley') || t.includes('INVALID_KE'), (t) => proposals(t)],
  [(_w, t) => t.includes('connection'), (t, c) => noConnection(t, c)],
  [(w, t) => w === 'X509:' || t.includes('ID ') || t.includes('uthenticat') || t.includes('Signature') || t.includes('public key') || t.includes('subjectAltName'), (t) => identityAndAuth(t)],
  [(_w, t) => t.includes('TS_UNACCEPTABLE') || t.includes('Traffic Selector') || t.includes('subnet'), (t) => selectors(t)],
  [(_w, t) => t.includes('retransmi') || t.includes('timeout exceeded'), retransmits],
  [(w) => w === 'DPD' || w === 'DPD:' || w === 'liveness' || w === 'liveness_check', (t) => deadPeer(t)],
  [(_w, t) => t.includes('NAT-Traversal'), (t) => natResult(t)],
  [(_w, t) => t.includes('fragment'), (t) => fragments(t)],
  [(w, t) => w === 'deleting' || w === 'initiating' || t.includes('Delete SA'), (t) => deletes(t)],
  [
    (_w, t, c) => c.error || t.includes('CHILD SA failed') || t.includes('rejected Child SA') || t.includes('kernel') || t.includes('netlink') || t.includes('XFRM') || t.includes('network error') || t.includes('install'),
    (t, c) => kernel(t, c),
  ],
  // wordings found by the source catalogue (issue 20 §1), behind their own gate
  [() => true, (t, c) => catalogueFailures(t, c)],
];
const MESSAGE_VERBS = new Set(['sent', 'processed', 'processing', 'received']);

export function decodeText(raw: string, ctx: LineContext, conn: string | undefined): Draft[] {
  let text = raw;
  // v3/v4 loglog(RC_LOG_SERIOUS, "ERROR: …") puts the marker after the "conn" #N: prefix
  if (text.startsWith('ERROR: ')) {
    text = text.slice(7);
    ctx = { ...ctx, error: true };
  }
  let stateName: string | undefined;
  const sp = STATE_PREFIX.exec(text);
  if (sp) {
    stateName = sp[1];
    text = text.slice(sp[0].length);
    if (ctx.state && !ctx.state.mode) ctx.state.mode = modeOfState(stateName);
  }
  const space = text.indexOf(' ');
  const word = space < 0 ? text : text.slice(0, space);
  const out: Draft[] = [];
  const msg = MESSAGE_VERBS.has(word) ? ikeMessage(text, ctx) : undefined;
  if (msg) out.push(...msg);
  if (text.includes('established') || text.startsWith('negotiated ') || text.startsWith('proposal ')) {
    const est = established(text, ctx, conn);
    if (est) out.push(...est);
  }
  if (out.length) return out;
  for (const [gate, handler] of ROUTES) {
    if (!gate(word, text, ctx)) continue;
    const r = handler(text, ctx, stateName);
    if (r) {
      if (ctx.state && r.some((d) => d.kind === 'id-mismatch')) ctx.state.idMismatch = true;
      return r;
    }
  }
  return out;
}

/** `ipsec auto --status` connection lines: only the fragmentation setting is worth keeping. */
export function decodeConnectionText(text: string, ctx: LineContext, conn: string): Draft[] {
  const frag = STATUS_FRAGMENTATION.exec(text);
  if (frag && text.includes(';')) return [draft('fragmentation-support', { direction: 'local', supported: frag[1] !== 'no' && frag[1] !== 'never' })];
  return decodeText(text, ctx, conn);
}

/**
 * Debug lines (`| …`, plutodebug=all) are mostly hex dumps and internals — and may
 * hold keying material — so only a short allow-list is decoded, the rest is [].
 */
export function decodeDebug(text: string): Draft[] {
  const c = text.charCodeAt(0);
  if (c === 78 /* N */) return natResult(text) ?? [];
  if (c === 115 /* s */ || c === 114 /* r */ || c === 112 /* p */ || c === 100 /* d */) {
    const f = fragments(text);
    if (f) return f;
    const m = TRANSITION_FAILED.exec(text);
    if (m) {
      const mode = modeOfState(m[1]);
      const phase = mode === 'quick' ? 'child' : mode === 'main' || mode === 'aggressive' ? 'ike' : undefined;
      return notifyDrafts(m[2], 'local', { phase, exchange: exchangeOfState(m[1]), reason: `state transition function for ${m[1]} failed` });
    }
  }
  return [];
}
