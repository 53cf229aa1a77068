/**
 * Bodies whose first word has rules, but which no rule of that word reads (issue 21 §2).
 * On real charon logs about 4 in 10 of the lines the byte scan handed to the decoder gave
 * no event: "IKE_SA x[3] state change: CONNECTING => ESTABLISHED", "selecting proposal:",
 * "local endpoint changed from …", "received SIGNATURE_HASH_ALGORITHMS notify", "peer
 * supports MOBIKE". Each shape below says, from the bytes after the first word, that every
 * rule filed under the word rejects the body, and whether a rule looked up the SA's state
 * before rejecting it (the quiet path then does the same lookup, so the state table ends
 * as decoding would leave it).
 *
 * Each shape was written by reading every rule of its word (rules-*.ts, and the catalogue's
 * patterns filed under it); `rules` is how many there were. test/platforms/strongswan/
 * quiet-shapes.test.ts fails when a word gains or loses a rule, so the shape is read again,
 * and runs every rule of the word on real and generated bodies the shape calls quiet.
 */
import { endsWithAt, indexOfBytes, isDigit, sameBytes, startsWithAt } from './byte-text.js';

/** 'decode': some rule may read it; 'quiet': none does; 'quiet-state': none does, one looked up the SA state first */
export type ShapeVerdict = 'decode' | 'quiet' | 'quiet-state';

export interface QuietShape {
  /** the first word, as bytes */
  readonly word: string;
  /** how many rules the word had when the shape was written (RULES.get(word).length) */
  readonly rules: number;
  /** the body after the first word and its space: [from, end), end past the last non-space byte */
  judge(buf: Uint8Array, from: number, end: number): ShapeVerdict;
}

/** the body's second word is one of these: the only ones the word's rules read */
function unlessSecondWord(words: readonly string[]): (buf: Uint8Array, from: number, end: number) => ShapeVerdict {
  const wanted = words.map((w) => Buffer.from(w, 'latin1'));
  return (buf, from, end) => {
    let to = from;
    while (to < end && buf[to] !== 32) to++;
    for (const w of wanted) if (sameBytes(buf, from, to, w)) return 'decode';
    return 'quiet';
  };
}

export const QUIET_SHAPES: readonly QuietShape[] = [
  {
    // ike_sa.c set_state: "IKE_SA %s[%d] state change: %N => %N". ikeSa reads "IKE_SA %s[%u] established|rekeyed
    // between" (the name has no space, so neither word can be in it); ikeSaLifecycle "IKE_SA deleted" / "IKE_SA rekey collision "
    word: 'IKE_SA',
    rules: 2,
    judge(buf, from, end) {
      let at = from;
      while (at < end && buf[at] !== 32) at++;
      // the name ends in [digits]
      let d = at - 2;
      if (d <= from || buf[at - 1] !== 93 /* ] */) return 'decode';
      while (d > from && isDigit(buf[d])) d--;
      if (d === at - 2 || buf[d] !== 91 /* [ */) return 'decode';
      if (!startsWithAt(buf, at, end, STATE_CHANGE)) return 'decode';
      at += STATE_CHANGE.length;
      const from2 = at;
      while (at < end && isStateChar(buf[at])) at++;
      if (at === from2 || !startsWithAt(buf, at, end, ARROW)) return 'decode';
      at += ARROW.length;
      const from3 = at;
      while (at < end && isStateChar(buf[at])) at++;
      return at > from3 && at === end ? 'quiet' : 'decode';
    },
  },
  // rules-child.ts selectorListing reads "selecting traffic selectors for us|other:" and looks up the SA's state before anything
  { word: 'selecting', rules: 1, judge: stateful(unlessSecondWord(['traffic'])) },
  // negotiation packet "sending packet: ", liveness "sending DPD request", "sending retransmit %u of …" (IKEv1)
  { word: 'sending', rules: 2, judge: unlessSecondWord(['packet:', 'DPD', 'retransmit']) },
  {
    // negotiation received (packet:, proposals:, proposals unacceptable, NO_PROPOSAL_CHOSEN …, "%N notify error" /
    // "%N error notify" with any name), auth IDr, child (TS_UNACCEPTABLE / any "%N notify, no CHILD_SA built",
    // DELETE for …), netlink error, fragment #, FRAGMENTATION vendor ID, catalogue (invalid hash-and-url,
    // unsupported cert type, proposals inacceptable)
    word: 'received',
    rules: 8,
    judge(buf, from, end) {
      if (receivedSecond(buf, from, end) === 'decode') return 'decode';
      for (const tail of RECEIVED_TAILS) if (endsWithAt(buf, from, end, tail)) return 'decode';
      return 'quiet';
    },
  },
  // liveness nat "local|remote host is …", catalogue "(local|remote) host is not behind NAT anymore",
  // "(local|remote) traffic selector missing …", and the any-first-word "%s EAP vendor type …", "%s certificate invalid …"
  { word: 'local', rules: 5, judge: unlessSecondWord(['host', 'traffic', 'EAP', 'certificate']) },
  { word: 'remote', rules: 5, judge: unlessSecondWord(['host', 'traffic', 'EAP', 'certificate']) },
  // negotiation "peer didn't accept …", auth "peer certificate verification failed, …", child "peer selected invalid …",
  // "peer initiated rekeying, …", liveness "peer not responding, …", catalogue "peer DH group …", "peer certificate
  // invalid …", and the any-first-word EAP / certificate patterns
  { word: 'peer', rules: 9, judge: unlessSecondWord(["didn't", 'certificate', 'selected', 'initiated', 'not', 'DH', 'EAP']) },
  {
    // auth looking: "looking for peer configs matching …" and IKEv1's "looking for %s peer configs matching …";
    // child childLookup: "looking for a child config for …"
    word: 'looking',
    rules: 2,
    judge(buf, from, end) {
      if (startsWithAt(buf, from, end, CHILD_LOOKUP)) return 'decode';
      return indexOfBytes(buf, from, end, PEER_CONFIGS) >= 0 ? 'decode' : 'quiet';
    },
  },
  {
    // auth found: "found %d matching config(s), but none allows …": the second word is a number
    word: 'found',
    rules: 1,
    judge(buf, from, end) {
      return from < end && isDigit(buf[from]) ? 'decode' : 'quiet';
    },
  },
  // negotiation establishing: "establishing IKE_SA failed, …", stroke's "establishing connection '%s' failed"
  { word: 'establishing', rules: 1, judge: unlessSecondWord(['IKE_SA', 'connection']) },
  // negotiation selected: "selected proposal: %P"
  { word: 'selected', rules: 1, judge: unlessSecondWord(['proposal:']) },
];

const STATE_CHANGE = Buffer.from(' state change: ', 'latin1');
const ARROW = Buffer.from(' => ', 'latin1');
const CHILD_LOOKUP = Buffer.from('for a child config for ', 'latin1');
const PEER_CONFIGS = Buffer.from(' peer configs matching ', 'latin1');
const RECEIVED_SECOND = ['packet:', 'proposals:', 'proposals', 'NO_PROPOSAL_CHOSEN', 'IDr', 'DELETE', 'netlink', 'fragment', 'FRAGMENTATION', 'invalid', 'unsupported'];
const receivedSecond = unlessSecondWord(RECEIVED_SECOND);
const RECEIVED_TAILS = [' notify error', ' error notify', ' notify, no CHILD_SA built'].map((t) => Buffer.from(t, 'latin1'));

function stateful(judge: QuietShape['judge']): QuietShape['judge'] {
  return (buf, from, end) => (judge(buf, from, end) === 'quiet' ? 'quiet-state' : 'decode');
}

/** charon's state names (ike_sa_state_t): CREATED, CONNECTING, ESTABLISHED, PASSIVE, REKEYING, REKEYED, DELETING, DESTROYING */
const isStateChar = (c: number) => (c >= 65 && c <= 90) || c === 95;
