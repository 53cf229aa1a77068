import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ciscoIosDialect } from '../../../src/platforms/cisco-ios/log.js';
import { ciscoAsaDialect } from '../../../src/platforms/cisco-asa/log.js';
import { ASA, decodeAll, itIsTotal, summary } from '../fixtures/vendor-lines.js';

// tunupgh/tunupgh.github.io blog post (2013): debug crypto isakmp of an IOS initiator, PFS on one side only
const DEBUG = readFileSync(new URL('../../../samples/cisco-ios-debug-isakmp-pfs-mismatch/debug-crypto-isakmp.log', import.meta.url), 'utf8').split('\n');
// Cisco's own sample debugs (aswan15 solution guide, "Sample Problem Scenarios", docstore.mik.ua mirror): uptime-stamped lines
const CISCO_DOC = [
  '00:27:07: ISAKMP (0:2): beginning Main Mode exchange',
  '00:27:07: ISAKMP (0:2): sending packet to 10.15.58.38 (I) MM_NO_STATE',
  '00:27:07: ISAKMP (0:2): atts are acceptable. Next payload is 0',
];

describe('Cisco IOS debug crypto isakmp', () => {
  const { events, results } = decodeAll(ciscoIosDialect, DEBUG);

  it('reads the initiator, phase 1 completing, and the peer refusing Quick Mode', () => {
    expect(summary(events)).toEqual(['10:initiate', '106:notify', '119:ike-established', '121:initiate', '132:notify', '132:no-proposal-chosen', '143:sa-deleted', '152:sa-deleted']);
    expect(events[0].data).toEqual({ peer: '77.77.77.77', ikeVersion: 1, mode: 'main' });
    expect(events[1].data).toEqual({ direction: 'received', name: 'RESPONDER_LIFETIME', exchange: undefined });
    expect(events[2]).toMatchObject({ impl: 'cisco-ios', sa: '9577', data: { ikeVersion: 1, remote: '77.77.77.77' } });
    expect(events[5].data).toEqual({ phase: 'child', direction: 'received', exchange: 'Quick Mode', reason: 'the peer sent PROPOSAL_NOT_CHOSEN (protocol 3)' });
  });

  it('one refused ISAKMP transform followed by an accepted one is not a phase 1 mismatch', () => {
    expect(events.filter((e) => e.kind === 'no-proposal-chosen' && (e.data as { phase: string }).phase === 'ike')).toEqual([]);
  });

  it('claims its debug lines (tab-indented payload dumps and blank lines are left alone)', () => {
    const unclaimed = DEBUG.map((l, i) => [l, results[i]] as const).filter(([l, r]) => l.trim() !== '' && r === undefined).map(([l]) => l.trim());
    expect(unclaimed.every((l) => /^(?:ins\.ert sa|next-payload|type|address|protocol|port|length)\b/.test(l))).toBe(true);
    expect(decodeAll(ciscoIosDialect, CISCO_DOC).events.map((e) => [e.time, e.kind])).toEqual([['00:27:07', 'initiate']]);
  });

  it('and the ASA and IOS dialects do not read each other\'s lines', () => {
    expect(ciscoAsaDialect.sniff(DEBUG)).toBe(0);
    expect(ciscoIosDialect.sniff(ASA)).toBe(0);
  });
});

describe('ciscoIosDialect is total', () => {
  itIsTotal(ciscoIosDialect, [...DEBUG, ...CISCO_DOC], `ISAKMP:(1): processing NOTIFY ${'PROPOSAL_NOT_CHOSEN '.repeat(800)} protocol 3`);
});
