/**
 * The F5 log dialect on the seed's own tmm lines (fixtures/PROVENANCE.md) and the public
 * examples of ../shared/corpus/platforms/f5 (copied here by line where a test needs them).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../../src/evidence/log-events.js';
import { f5Dialect } from '../../../src/platforms/f5/log/dialect.js';
import { logDialects } from '../../../src/platforms/index.js';

const FX = join(import.meta.dirname, 'fixtures');
const seedLines = readFileSync(join(FX, 'seed-tmm.log'), 'utf8').trimEnd().split('\n');

function decode(lines: readonly string[]): { events: LogEvent[]; unparsed: number[] } {
  const d = f5Dialect.createDecoder('t.log');
  const events: LogEvent[] = [];
  const unparsed: number[] = [];
  lines.forEach((l, i) => {
    const e = d.decode(l, i + 1);
    if (e === undefined) unparsed.push(i + 1);
    else events.push(...e);
  });
  d.diagnostics?.();
  return { events, unparsed };
}

function best(lines: readonly string[]): string {
  return logDialects.map((d) => ({ id: d.id, score: d.sniff(lines) })).sort((a, b) => b.score - a.score)[0].id;
}

describe('AFM network events (seed)', () => {
  const { events, unparsed } = decode(seedLines);
  const decisions = events.filter((e): e is LogEvent<'firewall-decision'> => e.kind === 'firewall-decision');

  it('reads every seed line: seven AFM events in three field layouts, three teardowns', () => {
    expect(unparsed).toEqual([]);
    expect(decisions).toHaveLength(7);
    expect(events.filter((e) => e.kind === 'flow-teardown')).toHaveLength(3);
    expect(best(seedLines)).toBe('f5');
  });

  it('26-field accept: rule, context, policy, ports, flow created', () => {
    expect(decisions[1].data).toMatchObject({
      verdict: 'accept', action: 'Accept decisively', protocol: 'ESP', src: { address: '1.1.1.1', port: 3196 }, dst: { address: '2.2.2.2', port: 14741 },
      rule: 'velascoOUT_ESP', contextType: 'Global', context: '/Common/global-firewall-rules', policy: '/Common/GLOBAL-FW-POLICY', vlan: '/Common/INTERNAL', flowCreated: true, box: 'VELASCO.afm.passthrough',
    });
  });

  it('26-field reject of the return ESP: the virtual server\'s (Default) rule, drop reason Policy, no flow', () => {
    expect(decisions[2].data).toMatchObject({ verdict: 'reject', protocol: 'ESP', src: { address: '2.2.2.2' }, dst: { address: '1.1.1.1' }, rule: '(Default)', defaultRule: true, contextType: 'Virtual Server', context: '/Common/VS-FWD', reason: 'Policy', flowCreated: false });
  });

  it('23-field and 15-field layouts are read by content, not position', () => {
    expect(decisions[4].data).toMatchObject({ verdict: 'accept', protocol: 'ESP', src: { address: '1.1.1.1', port: 0 }, dst: { address: '2.2.2.2', port: 0 }, rule: 'velascoOUT_ESP', flowId: '00005656596f3a04' });
    expect(decisions[5].data).toMatchObject({ verdict: 'reject', protocol: 'UDP', src: { address: '2.2.2.2', port: 500 }, dst: { address: '1.1.1.1', port: 500 }, rule: '(Default)', reason: 'Policy', contextType: 'Virtual Server' });
    expect(decisions[5].data.policy).toBeUndefined();
  });

  it('no-break spaces where a copy has them read as spaces', () => {
    const nbsp = seedLines.map((l) => l.replaceAll(' ', '\u00a0'));
    const again = decode(nbsp);
    expect(again.unparsed).toEqual([]);
    expect(again.events.map((e) => e.data)).toEqual(events.map((e) => e.data));
  });

  it('teardowns are read as such (expected after flows are deleted), with protocol and ends', () => {
    const t = events.filter((e): e is LogEvent<'flow-teardown'> => e.kind === 'flow-teardown');
    expect(t.map((e) => [e.data.what, e.data.protocol])).toEqual([['ipsec', 'AH'], ['ike', undefined], ['ipsec', 'ESP']]);
    expect(t[1].data.endpoints).toEqual([{ address: '1.1.1.1', port: 500 }, { address: '1.1.1.1', port: 500 }]);
  });

  it('a line with the message number but no action or addresses is a located diagnostic, not an event', () => {
    const d = f5Dialect.createDecoder('x.log');
    expect(d.decode('Aug 31 04:23:10 VELASCO info tmm[17718]: 23003137 "VELASCO","Global","x"', 1)).toEqual([]);
    expect(d.diagnostics!()).toHaveLength(1);
  });
});

describe('AFM network event, RFC 5424 structured data (corpus f5-afm-network-event.rfc5424-sd.log)', () => {
  // the record as the public lab guide wraps it, over 11 lines
  const wrapped = [
    'Mar 15 12:24:32 10.99.5.207 1 2015-03-14T20:24:34-07:00 big207.f5jp.local tmm 14807 23003137',
    '[F5@12276 acl_policy_name="" acl_policy_type="Enforced" acl_rule_name="Global-Reject-ALL"',
    'action="Reject" hostname="big207.f5jp.local" bigip_mgmt_ip="10.99.88.207" context_name=""',
    'context_type="Global" date_time="Mar 14 2015 20:24:33" dest_ip="224.0.0.251" dst_geo="No-lookup"',
    'dest_port="5353" device_product="Advanced Firewall Module" device_vendor="F5" device_version=""',
    'drop_reason="Policy" errdefs_msgno="23003137" errdefs_msg_name="Network Event"',
    'flow_id="0000000000000000" ip_protocol="UDP" severity="8" partition_name="Common" route_domain="0"',
    'sa_translation_pool="" sa_translation_type="" source_ip="10.99.5.239" src_geo="No-lookup"',
    'source_port="5353" translated_dest_ip="" translated_dest_port="" translated_ip_protocol=""',
    'translated_route_domain="" translated_source_ip="" translated_source_port="" translated_vlan=""',
    'vlan="/Common/Ovserve"] 224.0.0.251,10.99.5.239,5353,5353',
  ];
  it('one event from the wrapped record, fields by name', () => {
    const { events, unparsed } = decode(wrapped);
    expect(unparsed).toEqual([]);
    expect(events).toHaveLength(1);
    expect(events[0].at.line).toBe(1);
    expect(events[0].data).toMatchObject({ verdict: 'reject', rule: 'Global-Reject-ALL', protocol: 'UDP', src: { address: '10.99.5.239', port: 5353 }, dst: { address: '224.0.0.251', port: 5353 }, reason: 'Policy', contextType: 'Global', flowCreated: false, box: 'big207.f5jp.local' });
    expect(best(wrapped)).toBe('f5');
  });
  it('the same record on one line', () => {
    const { events } = decode([wrapped.join(' ')]);
    expect(events).toHaveLength(1);
    expect(events[0].data).toMatchObject({ verdict: 'reject', rule: 'Global-Reject-ALL' });
  });
});

describe('ipsec.log, IKEv2 in tmm (corpus f5-ipsec-log-ikev2.clouddocs.log)', () => {
  const lines = [
    'info tmm[20647]: 017c0000  [0.0] [IKE] v2 192.0.2.1%0-198.51.100.1%0 [0xb9e04f9831b6d377-0x92f7016301791cc2][R] [PROTO_ERR]: message lacks KE payload',
    'info tmm[20647]: 017c0000  [0.0] [IKE] v2 192.0.2.1%0-198.51.100.1%0 [0xb9e04f9831b6d377-0x92f7016301791cc2][R] [PROTO_ERR]: ike_sa ABORT, err 110',
    'info tmm[16338]: 017c0000  [0.0] [IKE] v2 192.0.2.1%0-198.51.100.1%0 [0xa621fea8ec074ba9-0x90054164f78ecdcd][I] [PROTO_WARN]: received a message to a dead IKE SA',
    'info tmm[16338]: 017c0000 [0.0] [IKE] [PROTO_WARN]: message to a nonexistent ike_sa',
    'info tmm[20647]: 017c0000  [0.0] [IKE] v2 192.0.2.1%0-198.51.100.1%0 [0xbabf623a8fa1e13f-0x10d7f4bb4e866676][R] [PROTO_ERR]: retransmission count exceeded the limit',
  ];
  it('is this dialect, every line read', () => {
    expect(best(lines)).toBe('f5');
    expect(decode(lines).unparsed).toEqual([]);
  });
  it('missing KE payload → a Child SA proposal refused for its DH group; dead/nonexistent SA → stale SA; the responder\'s retransmission limit → liveness timeout', () => {
    const { events } = decode(lines);
    expect(events.map((e) => e.kind)).toEqual(['no-proposal-chosen', 'stale-sa', 'stale-sa', 'dpd']);
    expect(events[0].data).toMatchObject({ phase: 'child', missing: 'DH/KE group' });
    expect(events[3].data).toMatchObject({ mechanism: 'liveness', outcome: 'timeout', peer: '198.51.100.1' });
    // tmm prints nothing of what it did next: no "SA deleted" the log does not state
    expect((events[3].data as { action?: string }).action).toBe('not stated in this log');
  });
  it('an initiator whose IKE_SA_INIT was never answered (zero responder SPI) gives up instead', () => {
    const { events } = decode(['info tmm[1]: 017c0000 [0.0] [IKE] v2 192.0.2.1%0-198.51.100.1%0 [0xbabf623a8fa1e13f-0x0000000000000000][I] [PROTO_ERR]: retransmission count exceeded the limit']);
    expect(events.map((e) => [e.kind, (e.data as { exchange?: string }).exchange])).toEqual([['give-up', 'IKE_SA_INIT']]);
  });
});

describe('racoon.log, IKEv1 (corpus f5-racoon-log-ikev1.clouddocs.log)', () => {
  const lines = readFileSync(join(FX, 'racoon.log'), 'utf8').trimEnd().split('\n');
  it('is this dialect, never libreswan\'s, and every line is read', () => {
    expect(best(lines)).toBe('f5');
    expect(decode(lines).unparsed).toEqual([]);
  });
  it('the DEBUG id comparison is not a verdict (it appears in healthy negotiations); SA established/expired are', () => {
    const { events } = decode(lines);
    expect(events.some((e) => e.kind === 'ts-unacceptable')).toBe(false);
    expect(events.filter((e) => e.kind === 'child-established').map((e) => (e.data as { spis?: string[] }).spis)).toEqual([['fc56d0ac'], ['710f64dd']]);
    expect(events.filter((e) => e.kind === 'sa-deleted')).toHaveLength(2);
  });
  it('the corpus\'s sainfo lines (2018-03-12) are not given to its SAs (2014-06-02); a `selected sainfo` of the same second is', () => {
    const selectors = (ls: string[]) => decode(ls).events.filter((e) => e.kind === 'child-established').map((e) => [(e.data as { local?: string[] }).local, (e.data as { remote?: string[] }).remote]);
    expect(selectors(lines)).toEqual([[undefined, undefined], [undefined, undefined]]);
    // the corpus's own sainfo line, re-dated to the second of its own SA line
    const sainfo = lines.find((l) => l.includes('selected sainfo'))!.replace('2018-03-12 09:13:04', '2014-06-02 12:39:30');
    const sa = lines.find((l) => l.includes('IPsec-SA established'))!;
    expect(selectors([sainfo, sa])).toEqual([[['10.1.1.0/24'], ['10.2.1.0/24']]]);
    expect(selectors([lines.find((l) => l.includes('selected sainfo'))!, sa])).toEqual([[undefined, undefined]]);
  });
  it('racoon\'s verdict lines (ipsec-tools isakmp_quick.c) are read', () => {
    const { events } = decode(['2018-03-20 09:38:16: ERROR: failed to get sainfo.', '2018-03-20 09:38:17: ERROR: phase1 negotiation failed due to time up. 192.0.2.1[500]<=>203.0.113.1[500] 8f0b8c0d4f2b5a6e:0000000000000000']);
    expect(events.map((e) => e.kind)).toEqual(['ts-unacceptable', 'give-up']);
  });
});

describe('Telemetry Streaming JSON (fixtures/ts-afm-request-log.json, F5\'s own example)', () => {
  const text = readFileSync(join(FX, 'ts-afm-request-log.json'), 'utf8');
  const expected = {
    verdict: 'reject', action: 'Reject', protocol: 'TCP', src: { address: '50.206.82.144', port: 62204 }, dst: { address: '10.0.2.101', port: 80 },
    rule: 'ping', defaultRule: false, contextType: 'Virtual Server', context: '/Common/app.app/app_vs', policy: '/Common/app', reason: 'Policy', vlan: '/Common/external', flowId: '0000000000000000', flowCreated: false, box: 'telemetry.bigip.com',
  };
  it('pretty-printed as published: one firewall decision, at the line the object opens, every field by its key, the date_time as the time', () => {
    const lines = text.split('\n');
    expect(best(lines)).toBe('f5');
    const { events, unparsed } = decode(lines);
    expect(unparsed).toEqual([]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'firewall-decision', data: expected, at: { line: 1 }, time: expect.stringContaining('2018-12-17') });
    expect(events[0].excerpt).toMatch(/^\{ "acl_policy_name":"\/Common\/app", "acl_policy_type":"Enforced", "acl_rule_name":"ping", "action":"Reject",/);
  });
  it('one object per line (as a consumer writes them) reads the same; another JSON object on a line is not claimed', () => {
    const compact = JSON.stringify(JSON.parse(text));
    const { events, unparsed } = decode([compact, '{"event_source":"request_logging","hostname":"hostname","client_ip":"177.47.192.42"}', compact.replace('"Reject"', '"Accept decisively"')]);
    expect(events.map((e) => (e.data as { verdict: string }).verdict)).toEqual(['reject', 'accept']);
    expect(events[0].data).toMatchObject(expected);
    expect(unparsed).toEqual([2]);
  });
  it('an object that never closes is bounded and said once; broken JSON is a located note, not a throw', () => {
    const d = f5Dialect.createDecoder('t.json');
    for (let i = 1; i <= 300; i++) d.decode(i === 1 ? '{ "errdefs_msgno":"23003137",' : '"x": {', i);
    d.decode('{"errdefs_msgno":"23003137", "action": }', 301);
    const notes = d.diagnostics!().map((n) => [n.at.line, n.message]);
    expect(notes[0]).toEqual([1, expect.stringContaining('still open after 200 lines')]);
    expect(notes.some(([line, m]) => line === 301 && /not JSON|without the action/.test(String(m)))).toBe(true);
  });
});
