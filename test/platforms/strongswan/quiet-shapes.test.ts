/**
 * quiet-shapes.ts claims, per rule word, bodies that every rule of the word rejects without
 * emitting, naming an SA or writing a diagnostic — and, for 'quiet', without looking up the
 * SA's state. Each rule of the word is run here on the bodies a shape calls quiet (real ones
 * from the samples and fixtures, and generated ones built around the words the rules read)
 * with a context that records what the rule touched.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { REAL_CHARON_LOGS } from './real-logs.js';
import { rulesOf } from '../../../src/platforms/strongswan/log.js';
import { QUIET_SHAPES, type QuietShape } from '../../../src/platforms/strongswan/log/quiet-shapes.js';
import { parseLine } from '../../../src/platforms/strongswan/log/line-prefix.js';
import { DecoderState, type LineContext } from '../../../src/platforms/strongswan/log/context.js';

const FILES = REAL_CHARON_LOGS;
const BODIES = [...new Set(FILES.flatMap((f) => readFileSync(f, 'utf8').split('\n')).map((l) => parseLine(l.replace(/\r$/, '')).body))].filter((b) => b.length > 0);

/** What a rule did with a body: its answer, and every part of the context it used beyond reading the line. */
function runRule(rule: (body: string, c: LineContext) => boolean, body: string): { accepted: boolean; touched: string[] } {
  const touched: string[] = [];
  const file = new DecoderState('x');
  const c = {
    events: [] as unknown[],
    conn: 'lab',
    sa: '1',
    time: 'Nov 22 23:31:57',
    t: 0,
    bare: false,
    line: body,
    lineNo: 10,
    get file() {
      touched.push('file');
      return file;
    },
    get state() {
      touched.push('state');
      return file.sa('1');
    },
    emit: () => touched.push('emit'),
    namedSa: () => touched.push('namedSa'),
    diagnose: () => touched.push('diagnose'),
    keyFromPrefix: () => touched.push('keyFromPrefix'),
  };
  const accepted = rule(body, c as unknown as LineContext);
  if (c.events.length) touched.push('events');
  return { accepted, touched };
}

function verdictOf(shape: QuietShape, body: string) {
  const bytes = Buffer.from(body, 'utf8');
  const from = Math.min(Buffer.byteLength(shape.word) + 1, bytes.length);
  return shape.judge(bytes, from, bytes.length);
}

/** Every rule of the shape's word rejects the body and touches only what the verdict allows. */
function checkQuiet(shape: QuietShape, body: string): boolean {
  const verdict = verdictOf(shape, body);
  if (verdict === 'decode') return false;
  for (const rule of rulesOf(shape.word)) {
    const r = runRule(rule, body);
    const allowed = verdict === 'quiet-state' ? ['state'] : [];
    expect({ body, rule: rule.name, ...r }).toEqual({ body, rule: rule.name, accepted: false, touched: r.touched.filter((t) => allowed.includes(t)) });
  }
  return true;
}

describe('strongSwan quiet shapes', () => {
  it('were written for the rules each word has now', () => {
    for (const shape of QUIET_SHAPES) expect({ word: shape.word, rules: rulesOf(shape.word).length }).toEqual({ word: shape.word, rules: shape.rules });
  });

  // What the rules of each shaped word read (charon's format strings, filled in): a shape must send each to the decoder
  const READ = [
    'IKE_SA lab[1] established between 192.0.2.1[gw]...198.51.100.2[peer]',
    'IKE_SA lab[1] rekeyed between 192.0.2.1[gw]...198.51.100.2[peer]',
    'IKE_SA lab[1] state change: CONNECTING => x[2] established between 192.0.2.1[gw]...198.51.100.2[peer]',
    'IKE_SA deleted',
    'IKE_SA rekey collision lost',
    'selecting traffic selectors for us:',
    'sending packet: from 192.0.2.1[500] to 198.51.100.2[500] (464 bytes)',
    'sending DPD request',
    'sending retransmit 1 of request message ID 0, seq 1',
    'received packet: from 198.51.100.2[500] to 192.0.2.1[500] (36 bytes)',
    'received proposals: IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048',
    'received proposals unacceptable',
    'received proposals inacceptable',
    'received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built',
    // the rule reads this one by its start (anything may follow)
    'received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built, and more',
    'received INVALID_SYNTAX notify error',
    'received INVALID_ID_INFORMATION error notify',
    'received IDr gw, but require other',
    'received TS_UNACCEPTABLE notify, no CHILD_SA built',
    'received SINGLE_PAIR_REQUIRED notify, no CHILD_SA built',
    'received DELETE for IKE_SA lab[1]',
    'received netlink error: Invalid argument (22)',
    'received fragment #1 of 2, waiting for complete IKE message',
    'received FRAGMENTATION vendor ID',
    'received invalid hash-and-url encoded cert, ignore',
    'received unsupported cert type X509_AC',
    'local host is behind NAT, sending keep alives',
    'remote host is behind NAT',
    'remote host is not behind NAT anymore',
    'local traffic selector missing in configuration',
    'local EAP vendor type 1-2 method failed',
    'remote certificate invalid (valid from Jan 1 to Jan 2)',
    "peer didn't accept DH group MODP_2048, it requested MODP_1024",
    'peer certificate verification failed, deleting SA',
    'peer selected invalid traffic selectors: 10.0.0.0/8 for 10.0.0.0/8, 10.1.0.0/16 for 10.1.0.0/16',
    'peer initiated rekeying, but we did too and already finished',
    'peer not responding, trying again (2/3)',
    'peer DH group selection invalid',
    'peer certificate invalid (valid from Jan 1 to Jan 2)',
    'peer EAP vendor type 1-2 method failed',
    'looking for peer configs matching 192.0.2.1[gw]...198.51.100.2[peer]',
    'looking for XAuthInitPSK peer configs matching 192.0.2.1...198.51.100.2[peer]',
    'looking for a child config for 10.0.0.0/8 === 10.1.0.0/16',
    'found 2 matching configs, but none allows pre-shared key authentication using Main Mode',
    'establishing IKE_SA failed, peer not responding',
    "establishing connection 'lab' failed",
    'selected proposal: IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048',
  ];

  it('send every body a rule of the word reads to the decoder', () => {
    const read = [...READ, ...BODIES.filter((b) => QUIET_SHAPES.some((s) => b.startsWith(`${s.word} `) && rulesOf(s.word).some((r) => runRule(r, b).accepted)))];
    for (const body of read) {
      const shape = QUIET_SHAPES.find((s) => body.startsWith(`${s.word} `))!;
      // the example is one the rules read (else it proves nothing), and the shape leaves it to them
      expect({ body, read: rulesOf(shape.word).some((r) => runRule(r, body).accepted), verdict: verdictOf(shape, body) }).toEqual({ body, read: true, verdict: 'decode' });
    }
  });

  it('call quiet only bodies no rule reads, on the real logs', () => {
    for (const shape of QUIET_SHAPES) {
      const real = BODIES.filter((b) => b === shape.word || b.startsWith(`${shape.word} `));
      const quiet = real.filter((b) => checkQuiet(shape, b)).length;
      // each shape was made for lines real charon logs carry: it must skip some, and not every one (some are read)
      expect({ word: shape.word, quietSome: quiet > 0 }).toEqual({ word: shape.word, quietSome: true });
    }
  });

  it('call quiet only bodies no rule reads, on generated bodies around the words the rules read', () => {
    const realRests = BODIES.map((b) => b.split(' ').slice(1).join(' '));
    const seconds = [...new Set([...realRests.map((r) => r.split(' ')[0]), 'packet:', 'proposals:', 'proposals', 'DPD', 'retransmit', 'IDr', 'DELETE', 'netlink', 'fragment', 'FRAGMENTATION', 'invalid', 'unsupported', 'NO_PROPOSAL_CHOSEN', 'TS_UNACCEPTABLE', 'host', 'traffic', 'EAP', 'certificate', "didn't", 'selected', 'initiated', 'not', 'DH', 'for', 'IKE_SA', 'connection', 'proposal:', 'lab[1]', '(unnamed)[12]', '3', 'x[]', '[1]'])];
    const tails = [...new Set([...realRests.map((r) => r.split(' ').slice(1).join(' ')), 'notify error', 'error notify', 'notify, no CHILD_SA built', 'state change: CONNECTING => ESTABLISHED', 'state change: A => B x', 'state change: CONNECTING => x[2] established between 1.2.3.4[a]...5.6.7.8[b]', 'established between 1.2.3.4[a]...5.6.7.8[b]', 'a child config for 10.0.0.0/8', 'XAuthInitPSK peer configs matching 1.2.3.4...5.6.7.8[x]', 'peer configs matching 1.2.3.4[a]...5.6.7.8[b]', 'matching configs, but none allows pre-shared key authentication using Main Mode', 'request', 'of request with message ID 3', 'is behind NAT', 'is not behind NAT anymore', ''])];
    const body = fc.record({
      shape: fc.constantFrom(...QUIET_SHAPES),
      second: fc.oneof(fc.constantFrom(...seconds), fc.string({ maxLength: 8 })),
      tail: fc.oneof(fc.constantFrom(...tails), fc.string({ maxLength: 20 })),
    });
    fc.assert(
      fc.property(body, ({ shape, second, tail }) => {
        checkQuiet(shape, [shape.word, second, tail].filter((p) => p !== '').join(' '));
      }),
      { numRuns: 3000 },
    );
  });
});
