import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ciscoAsaDialect } from '../../src/platforms/cisco-asa/log.js';
import { fortigateDialect } from '../../src/platforms/fortigate/log.js';
import { juniperSrxDialect } from '../../src/platforms/juniper-srx/log.js';
import { libreswanDialect } from '../../src/platforms/libreswan/log.js';
import { logDialects } from '../../src/platforms/index.js';
import type { LogDialect } from '../../src/platforms/log-dialect.js';
import type { LogEvent } from '../../src/evidence/log-events.js';

function decodeAll(dialect: LogDialect, lines: readonly string[]) {
  const decoder = dialect.createDecoder('vendor.log');
  const results = lines.map((l, i) => decoder.decode(l, i + 1));
  return { decoder, results, events: results.flatMap((r) => r ?? []) };
}

const summary = (events: LogEvent[]) => events.map((e) => `${e.at.line}:${e.kind}`);

// Verbatim lines of elastic/integrations packages/cisco_asa/data_stream/log/_dev/test/pipeline/
// test-additional-messages.log @094cb699 (Elastic License 2.0), in that file's order.
const ASA = [
  '<188>May  5 17:51:17 dev01: %ASA-4-313005: No matching connection for ICMP error message: icmp src srcif:192.168.2.2 dst dstif:192.168.2.3 (type 3, code 2) on srcif interface. Original IP payload: protocol 51 src 192.168.2.2 dst 192.168.2.3.',
  'Apr 27 02:03:03 dev01: %ASA-5-713049: Group = 81.2.69.144, IP = 81.2.69.144, Security negotiation complete for LAN-to-LAN Group (81.2.69.144) Responder, Inbound SPI = 0x276b1da2, Outbound SPI = 0x0e1a581d',
  'Apr 27 02:03:03 dev01: %ASA-4-113019: Group = 81.2.69.144, Username = 81.2.69.144, IP = 81.2.69.144, Session disconnected. Session Type: LAN-to-LAN, Duration: 0h:32m:16s, Bytes xmt: 297103, Bytes rcv: 1216163, Reason: User Requested',
  'Apr 27 2020 02:03:03 dev01: %ASA-6-602303: IPSEC: An outbound LAN-to-LAN SA (SPI= 0xF81283) between 81.2.69.144 and 192.168.2.2 (user= admin) has been created.',
  'Apr 27 2020 02:03:03 dev01: %ASA-5-750002: Local:81.2.69.144:7777 Remote:192.168.2.2:7777 Username:admin Received a IKE_INIT_SA request',
  'Apr 27 2020 02:03:03 dev01: %ASA-4-750003: Local:81.2.69.144:7777 Remote:192.168.2.2:7777 Username:admin Negotiation aborted due to ERROR: Failed to locate an item in the database',
  'Apr 27 2020 02:03:03 dev01: %ASA-5-713202: IP = 192.168.157.61, Duplicate first packet detected. Ignoring packet.',
  'Apr 27 2020 02:03:03 dev01: %ASA-6-713905: Group = 100.60.140.10, IP = 192.168.1.1, All IPSec SA proposals found unacceptable!',
  'Apr 27 2020 02:03:03 dev01: %ASA-6-713904: All IPSec SA proposals found unacceptable!',
  'Apr 27 2020 02:03:03 dev01: %ASA-4-106023: Deny protocol 47 src outside:81.2.69.144 dst inside:172.31.98.44 by access-group "inbound"',
  'Apr 27 2020 02:03:03 dev01: %ASA-4-302016: Teardown UDP connection 123364823 for OUTSIDE:67.43.156.13/500 to identity:216.160.83.61/500 duration 92:24:20 bytes 4671944',
  '<165>Mar 13 2025 09:37:52: %ASA-5-751025: Local:10.1.1.180:4500 Remote:10.2.66.123:53256 Username:anonyms IKEv2 Group:Remote-Power_Users IPv4 Address=172.16.58.24 IPv6 address=fd29:849c:87c7:41bb::1 assigned to session',
];

// Verbatim lines of elastic/integrations packages/fortinet_fortigate/data_stream/log/_dev/test/pipeline/
// test-fortinet.log @099acb7c (Elastic License 2.0): the IPsec phase 1 error, a phase 1 progress, an SSL-VPN event.
const FORTI = [
  '<187>date=2020-04-23 time=12:32:47 devname="testswitch3" devid="someotherrouteridagain" logid="0101037124" type="event" subtype="vpn" level="error" vd="root" eventtime=1587231168339114138 tz="-0500" logdesc="IPsec phase 1 error" msg="IPsec phase 1 error" action="negotiate" remip=67.43.156.13 locip=67.43.156.13 remport=500 locport=500 outintf="wan2" cookies="345hkjhdrs87/0000000000000000" user="N/A" group="N/A" xauthuser="N/A" xauthgroup="N/A" assignip=N/A vpntunnel="N/A" status="negotiate_error" reason="peer SA proposal not match local policy" peer_notif="NOT-APPLICABLE"',
  '<189>date=2020-04-23 time=12:32:31 devname="testswitch3" devid="someotherrouteridagain" logid="0101037127" type="event" subtype="vpn" level="notice" vd="root" eventtime=1587231151628960857 tz="-0500" logdesc="Progress IPsec phase 1" msg="progress IPsec phase 1" action="negotiate" remip=67.43.156.13 locip=67.43.156.13 remport=500 locport=500 outintf="wan1" cookies="df868dsg876d/0000000000000000" user="N/A" group="N/A" xauthuser="N/A" xauthgroup="N/A" assignip=N/A vpntunnel="elasticvpn" status="success" init="local" mode="main" dir="outbound" stage=1 role="initiator" result="OK"',
  '<190>date=2020-04-23 time=12:23:47 devname="testswitch3" devid="someotherrouteridagain" logid="0101039947" type="event" subtype="vpn" level="information" vd="root" eventtime=1587230627698970007 tz="-0500" logdesc="SSL VPN tunnel up" action="tunnel-up" tunneltype="ssl-tunnel" tunnelid=2345 remip=67.43.156.13 tunnelip=10.10.10.10 user="someuser" group="somegroup" dst_host="N/A" reason="tunnel established" msg="SSL tunnel established"',
  '<190>date=2020-11-02 time=08:11:38 devname=testfirewall devid=newrouterid logid=0101037127 type="event" subtype=vpn level=notice vd=root logdesc="Progress IPsec phase 1" msg="progress IPsec phase 1" action=negotiate remip=67.43.156.13 locip=10.10.10.10 remport=500 locport=500 outintf="port1" cookies="125cbf9ee8349965/0000000000000000" user="N/A" group="N/A" xauthuser="N/A" xauthgroup="N/A" assignip=N/A vpntunnel="P1_Test" status=success init=local mode=aggressive dir=outbound stage=1 role=initiator result=OK',
];

// Verbatim lines of elastic/integrations packages/juniper_srx/data_stream/log/_dev/test/pipeline/test-system.log
// @19b48d20 (Elastic License 2.0).
const SRX = [
  '<30>1 2023-05-04T15:27:26.461+10:00 AB1234-A-AB-AB01C-ABC kmd 13862 KMD_PM_SA_ESTABLISHED [junos@1111.1.1.1.1.111 local-address="89.160.20.112" remote-address="67.43.156.0" local-initiator="ipv4_subnet(any:0,[0..7\\]=89.160.20.112/29)" remote-responder="ipv4_subnet(any:0,[0..7\\]=67.43.156.0/24)" argument1="outbound" index1="3700499780" index2="0" mode="Tunnel" type="dynamic" traffic-selector-name="" first-forwarding-class=""] Local gateway: 89.160.20.115, Remote gateway: 67.43.156.1, Local ID: ipv4_subnet(any:0,[0..7]=89.160.20.114/29), Remote ID: ipv4_subnet(any:0,[0..7]=67.43.156.1/24), Direction: outbound, SPI: 0xdc912544, AUX-SPI: 0, Mode: Tunnel, Type: dynamic, Traffic-selector: FC Name:',
  '<27>1 2023-05-04T15:19:33.984+10:00 AB1234-A-AB-AB01C-ABC kmd 9159 - - IKE negotiation failed with error: Timed out. IKE Version: 1, VPN: IPSEC-AAAAA-AAA1-PROD-VPN Gateway: IKE-AAAAA-AAA1-GW, Local: 89.160.20.112/500, Remote: 67.43.156.1/500, Local IKE-ID: Not-Available, Remote IKE-ID: Not-Available, VR-ID: 5: Role: Initiator',
  '<30>1 2023-07-04T10:21:11.590+10:00 AC004-PR-VPN01-DMZ kmd 9812 - - IKE negotiation successfully completed. IKE Version: 1, VPN: IPSEC-NIKON-TUN1-PROD-VPN Gateway: IKE-NIKON-TUN1-GW, Local: 10.8.10.115/9001, Remote: 89.160.20.112/9001, Local IKE-ID: 81.2.69.192, Remote IKE-ID: 89.160.20.112, VR-ID: 6, Role: Responder',
  '<27>1 2023-07-04T11:48:31.702+10:00 AC004-PR-VPN01-DMZ kmd 9812 - - IPSec negotiation failed with error: Peer proposed traffic-selectors are not in configured range. IKE Version: 2, VPN: IPSEC-INT-ORMB-TUN2-VPN Gateway: IKE-INT-ORMB-TUN2-GW, Local: 10.32.64.128/9001, Remote: 89.160.20.112/9001, Local IKE-ID: 89.160.20.112, Remote IKE-ID: 89.160.20.112, VR-ID: 6',
  '<37>1 2023-05-10T00:10:24.232+10:00 AB1234-A-AB-AB01C-ABC snmpd 8959 SNMPD_AUTH_FAILURE [junos@1111.1.1.1.1.111 function-name="nsa_log_community" message="unauthorized SNMP community" source-address="216.160.83.56" destination-address="89.160.20.128" index1="j5Cx6eSkKF7A"]',
  '<28>1 2023-05-08T14:25:07.466+10:00 AB1234-A-AB-AB01C-ABC mib2d 8956 SNMP_TRAP_LINK_DOWN [junos@1111.1.1.1.1.111 snmp-interface-index="508" admin-status="up(1)" operational-status="down(2)" interface-name="st0.60"]',
  '<37>1 2023-05-09T15:00:06.756+10:00 AC1234-ABC3-AB-FW01A-ABC sshd - SSHD_LOGIN_FAILED [junos@1111.1.1.1.1.111 username="aaaaa" source-address="175.16.199.0"]',
  '<27>1 2023-05-04T15:19:33.984+10:00 AB1234-A-AB-AB01C-ABC kmd 9159 - - IKE negotiation failed with error: Timed out. IKE Version: 1, Local: 89.160.20.112/500, Local: 89.160.20.113/500, VR-ID: 5',
];

describe('Cisco ASA syslog', () => {
  const { events, results } = decodeAll(ciscoAsaDialect, ASA);

  it('decodes the IKE/IPsec message ids and nothing else', () => {
    expect(summary(events)).toEqual(['2:child-established', '3:sa-deleted', '4:child-established', '5:respond', '6:negotiation-failed', '6:no-config', '7:peer-retransmit', '8:no-proposal-chosen', '9:no-proposal-chosen']);
    // every %ASA line is this dialect's, interesting or not
    expect(results.every((r) => Array.isArray(r))).toBe(true);
  });

  it('keeps SPIs, tunnel-group and reasons', () => {
    expect(events[0]).toMatchObject({ conn: '81.2.69.144', impl: 'cisco-asa', data: { spis: ['0x276b1da2', '0x0e1a581d'] } });
    // "User Requested" is an orderly disconnect: a delete with its reason, not a failure kind
    expect(events[1].data).toEqual({ what: 'ike', reason: 'User Requested', direction: 'local' });
    expect(events[4].data).toEqual({ phase: 'ike', reason: 'Failed to locate an item in the database', peer: '192.168.2.2' });
    expect(events[5].data).toMatchObject({ scope: 'ike', local: '81.2.69.144', remote: '192.168.2.2' });
    expect(events[7]).toMatchObject({ conn: '100.60.140.10', data: { phase: 'child', direction: 'local' } });
  });

  it('does not take GRE (protocol 47) for ESP', () => {
    expect(results[9]).toEqual([]);
  });

  it('carries the year of the last stamp that printed one', () => {
    const withYear = events.find((e) => e.at.line === 4)!;
    expect(new Date(withYear.t! * 1000).toISOString()).toBe('2020-04-27T02:03:03.000Z');
  });
});

describe('FortiGate event log', () => {
  const { events, results } = decodeAll(fortigateDialect, FORTI);

  it('reads a phase 1 proposal error and phase 1 progress, and leaves SSL-VPN alone', () => {
    expect(summary(events)).toEqual(['1:negotiation-failed', '1:no-proposal-chosen', '2:initiate', '2:message', '4:initiate', '4:message']);
    expect(results[2]).toEqual([]);
    expect(events[0]).toMatchObject({ impl: 'fortigate', conn: undefined, time: '2020-04-23 12:32:47', data: { phase: 'ike', reason: 'peer SA proposal not match local policy', peer: '67.43.156.13' } });
    expect(new Date(events[0].t! * 1000).toISOString()).toBe('2020-04-23T17:32:47.000Z');
  });

  it('never reports phase 1 progress as an established tunnel', () => {
    expect(events.some((e) => e.kind === 'ike-established' || e.kind === 'child-established')).toBe(false);
    expect(events[2]).toMatchObject({ conn: 'elasticvpn', data: { ikeVersion: 1, mode: 'main', peer: '67.43.156.13' } });
    expect(events[5]).toMatchObject({ conn: 'P1_Test', data: { direction: 'sent', exchange: 'AGGRESSIVE', peer: { address: '67.43.156.13', port: 500 } } });
  });

  it('reads documented IPsec logids (FortiOS Log Message Reference 37133, 37136)', () => {
    // field names from the reference; values invented
    const base = 'date=2024-01-02 time=03:04:05 devname="fw" devid="FG100" type="event" subtype="vpn" remip=198.51.100.7 vpntunnel="hq"';
    const { events: ev } = decodeAll(fortigateDialect, [`${base} logid="0101037133" in_spi="c0ffee01" out_spi="c0ffee02"`, `${base} logid="0101037136"`]);
    expect(ev.map((e) => [e.kind, e.conn, e.data])).toEqual([
      ['child-established', 'hq', { name: 'hq', spis: ['c0ffee01', 'c0ffee02'] }],
      ['dpd', 'hq', { mechanism: 'dpd', outcome: 'timeout', peer: '198.51.100.7' }],
    ]);
  });
});

describe('Juniper SRX kmd', () => {
  const { events, results, decoder } = decodeAll(juniperSrxDialect, SRX);

  it('reads SA establishment, timeouts, success and selector refusals', () => {
    expect(summary(events)).toEqual(['1:child-established', '2:negotiation-failed', '2:give-up', '3:ike-established', '4:negotiation-failed', '4:ts-unacceptable', '8:negotiation-failed', '8:give-up']);
    expect(events[0].data).toMatchObject({ spis: ['0xdc912544'], mode: 'tunnel', local: ['ipv4_subnet(any:0,[0..7]=89.160.20.114/29)'] });
    expect(events[1]).toMatchObject({ conn: 'IPSEC-AAAAA-AAA1-PROD-VPN', impl: 'juniper-srx', data: { phase: 'ike', reason: 'Timed out', peer: '67.43.156.1' } });
    // kmd names the phase that timed out, not the exchange
    expect(events[2].data).toEqual({ peer: { address: '67.43.156.1', port: 500 }, detail: 'Timed out', state: 'phase 1 (Main or Aggressive Mode)' });
    expect(events[3].data).toEqual({ ikeVersion: 1, local: '10.8.10.115', remote: '89.160.20.112', localId: '81.2.69.192', remoteId: '89.160.20.112' });
    expect(events[4]).toMatchObject({ conn: 'IPSEC-INT-ORMB-TUN2-VPN', data: { phase: 'child' } });
  });

  it('does not turn SNMP or SSH authentication failures into IKE evidence', () => {
    expect(results.slice(4, 7)).toEqual([[], [], []]);
  });

  it('locates the malformed kmd line and still reads it', () => {
    expect(decoder.diagnostics?.()).toEqual([
      { at: { source: 'vendor.log', line: 8 }, decoder: 'juniper-srx', message: 'kmd line repeats Local; the first value was kept' },
      { at: { source: 'vendor.log', line: 8 }, decoder: 'juniper-srx', message: 'kmd negotiation line without a VPN name' },
    ]);
  });
});

describe('dialect detection across vendors', () => {
  const samples: [string, string[]][] = [
    ['cisco-asa', ASA],
    ['fortigate', FORTI],
    ['juniper-srx', SRX],
  ];
  it.each(samples)('%s lines are sniffed by their own dialect only', (id, lines) => {
    for (const d of logDialects) {
      if (d.id === id) expect(d.sniff(lines)).toBeGreaterThan(0);
      else if (d.id !== 'strongswan') expect(d.sniff(lines), d.id).toBe(0);
    }
    // and the pluto decoder claims none of them
    expect(decodeAll(libreswanDialect, lines).results.every((r) => r === undefined)).toBe(true);
  });

  it('vendor decoders claim no pluto line', () => {
    const pluto = ['"west" #1: sent IKE_SA_INIT request to 192.1.2.23:UDP/500', 'Jan  8 17:04:06 R2-1500 pluto[26867]: "Link1" #1: ignoring informational payload NO_PROPOSAL_CHOSEN, msgid=00000000, length=16'];
    for (const d of [ciscoAsaDialect, fortigateDialect, juniperSrxDialect]) {
      expect(d.sniff(pluto)).toBe(0);
      expect(decodeAll(d, pluto).results).toEqual([undefined, undefined]);
    }
  });
});

describe('vendor decoders are total', () => {
  const real = [...ASA, ...FORTI, ...SRX];
  for (const d of [ciscoAsaDialect, fortigateDialect, juniperSrxDialect]) {
    it(`${d.id}: random and mutated lines never throw`, () => {
      const mutated = fc
        .tuple(fc.constantFrom(...real), fc.nat(600), fc.nat(30), fc.string({ maxLength: 16 }))
        .map(([l, at, del, ins]) => l.slice(0, at % (l.length + 1)) + ins + l.slice((at % (l.length + 1)) + del));
      fc.assert(
        fc.property(fc.array(fc.oneof(mutated, fc.string({ maxLength: 200 })), { maxLength: 20 }), (lines) => {
          const decoder = d.createDecoder('fuzz.log');
          lines.forEach((l, i) => {
            const r = decoder.decode(l, i + 1);
            if (r !== undefined) for (const e of r) expect(e.at.line).toBe(i + 1);
          });
        }),
        { numRuns: 800 },
      );
      const decoder = d.createDecoder('long.log');
      for (const l of [`%ASA-4-750003: ${'x'.repeat(16000)}`, `logid="0101037124" devid=x type=event subtype=vpn ${'a=b '.repeat(4000)}`, `<27>1 2023-05-04T15:19:33.984+10:00 h kmd 1 - - IKE negotiation failed with error: ${'Local: 1/1, '.repeat(1200)}. IKE Version: 1, ${'Local: 1/1, '.repeat(1200)}`]) {
        expect(() => decoder.decode(l, 1)).not.toThrow();
      }
    });
  }
});
