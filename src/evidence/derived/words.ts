// Words for people, shared by checks: names said in words, and template clauses of findings that come
// from more than one kind of evidence. Data keeps the raw values; prose is built from them by templates.

/**
 * Exchange and state names as a person reads them. Daemons name where they stopped in their
 * own vocabulary (libreswan's pluto: STATE_MAIN_I3, IKE_SA_INIT_I, STATE_AGGR_I1; strongSwan
 * and captures: the RFC 7296 exchange names): findings keep the raw name in their data and
 * say it in words in their prose. RFC 2409 §5 numbers Main Mode's six and Aggressive Mode's
 * three messages; RFC 7296 §1.2 names IKE_SA_INIT, IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL.
 */
const IKEV1_STATES: Array<[RegExp, string]> = [
  [/^(?:STATE_)?MAIN_[IR]1$/, 'the first Main Mode exchange (phase 1, messages 1–2: proposals)'],
  [/^(?:STATE_)?MAIN_[IR]2$/, 'the second Main Mode exchange (phase 1, messages 3–4: key exchange)'],
  [/^(?:STATE_)?MAIN_[IR]3$/, 'the Main Mode authentication exchange (phase 1, messages 5–6)'],
  [/^(?:STATE_)?MAIN_[IR]4$/, 'Main Mode (phase 1, complete)'],
  [/^(?:STATE_)?AGGR_[IR]1$/, 'the first Aggressive Mode message (phase 1)'],
  [/^(?:STATE_)?AGGR_[IR]2$/, 'the last Aggressive Mode message (phase 1)'],
  [/^(?:STATE_)?QUICK_[IR]\d$/, 'Quick Mode (phase 2, the IPsec SA)'],
  [/^(?:STATE_)?(?:MAIN|ID_PROT)$/, 'Main Mode (phase 1)'],
  [/^(?:STATE_)?AGGRESSIVE$/, 'Aggressive Mode (phase 1)'],
  [/^(?:STATE_)?QUICK$/, 'Quick Mode (phase 2)'],
];

const IKEV2_EXCHANGES: Array<[RegExp, string]> = [
  [/^(?:STATE_PARENT_I1|IKE_SA_INIT(?:_[IR]\d?)?)$/, 'the first exchange (IKE_SA_INIT)'],
  [/^(?:STATE_PARENT_I2|IKE_AUTH(?:_[IR]\d?)?)$/, 'the authentication exchange (IKE_AUTH)'],
  [/^(?:IKE_AUTH_EAP|IKE_AUTH\/CREATE_CHILD_SA)$/, 'the IKE_AUTH or CREATE_CHILD_SA exchange'],
  [/^CREATE_CHILD_SA(?:_[IR]\d?)?$/, 'a CREATE_CHILD_SA exchange (a new or rekeyed SA)'],
  [/^INFORMATIONAL(?:_[IR]\d?)?$/, 'an INFORMATIONAL exchange (liveness check or delete)'],
  [/^ESTABLISHED_(?:IKE|CHILD)_SA$/, 'a request on the established IKE SA (liveness check, rekey or delete)'],
];

/**
 * "the Main Mode authentication exchange (phase 1, messages 5–6)" for STATE_MAIN_I3; a name it does
 * not know is kept as it is when it reads as words already ("phase 1 (Main or Aggressive Mode)"),
 * else said as "the exchange the log calls X".
 */
export function exchangeInWords(name: string | undefined): string {
  if (!name) return 'the request';
  const bare = name.trim();
  for (const [re, words] of [...IKEV2_EXCHANGES, ...IKEV1_STATES]) if (re.test(bare)) return words;
  if (/^[A-Z0-9_]+$/.test(bare) && /_/.test(bare)) return `the exchange the log calls ${bare}`;
  return bare;
}

/**
 * The template clause of an unanswered request (data: counted, retransmits, seconds; requestersShown when several peers sent it):
 * "after 3 retransmissions over 7 s", "sent once and unanswered for 10 s", or, when the daemon
 * prints no count (Juniper kmd, PAN-OS), "until the daemon gave up".
 */
export const TRIES_CLAUSE =
  '{counted?{retransmits=0?{requestersShown?, none of them retransmitted|, sent once{seconds? and unanswered for {seconds} s|, not retransmitted}}' +
  '| after {retransmits} {retransmits|retransmission|retransmissions}{seconds? over {seconds} s}{requestersShown? (the most resent)}}' +
  '| until the daemon gave up (its log does not count the retransmissions)}';

/**
 * ESP_ONE_WAY's "nothing comes back from X…" continued, by what showed it. Data: basis ('SA counters'
 * or a capture's ikeBothWays/lastIkeFrame); from tables: table, silentAmount, silentOn, age, and with
 * the peer's table peerTable, silentSa.spi and either peerSentAmount (it sent, this side counts none)
 * or peerSentNothing (with peerGot, sending.spi, peerGotNothing).
 */
export const ONE_WAY_CONTEXT =
  '{basis=SA counters?: {peerSentAmount?{peerTable} shows {silent} sent {peerSentAmount} on {silentSa.spi} and {table} counts none of them, so they are lost on the path between the two' +
  '|{peerSentNothing?{peerTable} shows {silent} sent nothing on {silentSa.spi}{peerGot? and received {peerGot} of the {amount} sent to it on {sending.spi}{peerGotNothing?, so the traffic towards it is lost on the path}}' +
  '|the SA table {table} counts {silentAmount} {silentOn} while the Child SA is installed{age? ({age} s)}}}' +
  '|{ikeBothWays?, although IKE from {silent} still arrives (last frame {lastIkeFrame})| (no IKE both ways in this capture, so it cannot tell whether replies are expected or only one direction passes the capture point)}}';

/**
 * An SPI spelt as every report spells it, 0x and lower-case hex (0x8356d647), whether the source
 * printed `8356d647` (strongSwan), `0x8356D647` or `0x8356d647` (libreswan, Cisco). A value that is
 * not hex (a redacted log's `SPISPI`) is left as it is.
 */
export function spiSpelling(raw: string): string {
  const m = /^(?:0x)?([0-9a-f]+)$/i.exec(raw.trim());
  return m ? `0x${m[1].toLowerCase()}` : raw;
}

const PRINTED_LISTS = '{printedReceived?received {printedReceived}{printedConfigured?; }}{printedConfigured?configured {printedConfigured}}{printedReceived?|{printedConfigured?|neither list is printed}}';

/** What a proposal finding's message says of the overlap, from OverlapFacts (derived/log/proposals.ts) and `received` (a capture's offer). */
export const OVERLAP_TEMPLATE =
  '{overlapKind=capture?the capture cannot show which transform types differ: the refusing side never sends its configuration (offered {received})' +
  `|{overlapKind=unknown?this log does not show which transform types differ (${PRINTED_LISTS})` +
  `|{overlapKind=lists-overlap?the printed lists overlap (${PRINTED_LISTS}), so the refusal is about something else` +
  `|transform types without overlap: {missing} (${PRINTED_LISTS})}}}`;

const WHO_PRINTS = 'strongSwan also prints the one it has configured, libreswan only the one it received';

/** What to change, for a proposal finding's hint, from OverlapFacts and `rejectedBy` (a capture). */
export const ADVICE_TEMPLATE =
  // charon prints "received proposals" and "configured proposals"; pluto only the peer's offer (libreswan ikev2_proposals.c v4.10–v5.4: its own list with debugging only)
  `{overlapKind=capture?compare what was offered with the configuration of {rejectedBy}, whose log prints the list it received (${WHO_PRINTS})` +
  "|{overlapKind=unknown?{libreswan?{printedReceived?compare the peer's offer printed here with this host's `esp=`/`ike=` (libreswan prints the proposals it received, never its own list)" +
  "|compare the two peers' proposals: libreswan never prints its own list, only (as responder) the peer's offer, so compare that with its `esp=`/`ike=`; a strongSwan peer's log prints both lists}" +
  `|compare the two peers' proposals; the responder's log prints the list it received (${WHO_PRINTS})}` +
  '|{overlapKind=lists-overlap?the algorithm lists already overlap: compare the mode (tunnel/transport), the PFS group and the selectors' +
  "|give both peers at least one common {missing}{fixHere?, for example add {fixHere} to this host's proposals, or {fixThere} to the peer's}}}}";

/** How config-diff's proposal findings word `combination` and `transform` of proposalGapData. */
export const PROPOSAL_GAP_TEMPLATE = '{combination?each transform type has a value in common, but no proposal of one side combines them as one of the other does; the closest pair differs in {transform}|no common {transform} in any of them}';
