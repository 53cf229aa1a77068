import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { codesOf, diagnoseLines, findingOf, linesOf } from '../helpers/diagnose-lines.js';

const labLog = (name: string) => readFileSync(new URL(`../../samples/lab-ts-mismatch/${name}`, import.meta.url), 'utf8').split('\n').filter((l) => l.length);

const only = ['traffic-selectors'];

describe('traffic-selectors', () => {
  it('libreswan initiator: Child SA rejected with TS_UNACCEPTABLE, with the selectors it proposed', async () => {
    // libreswan/libreswan testing/pluto/ikev2-allow-narrow-01/west.console.txt lines 63-69 (GPLv2+)
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        '"westnet-eastnet-ikev2" #1: initiating IKEv2 connection to 192.1.2.23 using UDP',
        '"westnet-eastnet-ikev2" #1: sent IKE_SA_INIT request to 192.1.2.23:UDP/500',
        '"westnet-eastnet-ikev2" #1: processed IKE_SA_INIT response from 192.1.2.23:UDP/500 {cipher=AES_GCM_16_256 integ=n/a prf=HMAC_SHA2_512 ke=DH19}, initiating IKE_AUTH',
        "\"westnet-eastnet-ikev2\" #1: sent IKE_AUTH request to 192.1.2.23:UDP/500 with digital-signature RSASSA-PSS with SHA2_512 and FQDN '@west'; Child SA #2 {ESP <0xESPESP} [192.0.1.0/24===192.0.2.0/24]",
        '"westnet-eastnet-ikev2" #1: processing IKE_AUTH response from 192.1.2.23:UDP/500 containing SK{IDr,AUTH,N(TS_UNACCEPTABLE)}',
        "\"westnet-eastnet-ikev2\" #1: initiator established IKE SA; authenticated peer using preloaded certificate '@east' and 2nnn-bit RSASSA-PSS with SHA2_512 digital signature",
        '"westnet-eastnet-ikev2" #2: IKE_AUTH response rejected Child SA with TS_UNACCEPTABLE',
      ],
    }, { only });
    expect(codesOf(report)).toEqual(['TS_MISMATCH']);
    const f = findingOf(report, 'TS_MISMATCH');
    expect(f.data).toMatchObject({ side: 'initiator', local: ['192.0.1.0/24'], remote: ['192.0.2.0/24'] });
    expect(linesOf(f)).toEqual(expect.arrayContaining([5, 7]));
    expect(f.hint).toMatch(/leftsubnet/);
    expect(f.hint).toMatch(/local_ts/);
  });

  it('strongSwan responder names both selector sets it refused', async () => {
    // charon format strings, child_create.c "traffic selectors %#R === %#R unacceptable", "no acceptable traffic selectors found"
    const report = await diagnoseLines({
      name: 'responder.log',
      lines: [
        'Nov 22 21:20:41 gw-east charon[1487]: 11[ENC] <west-east|3> parsed IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr ]',
        'Nov 22 21:20:41 gw-east charon[1487]: 11[CFG] <west-east|3> traffic selectors 10.10.0.0/16 === 10.20.0.0/16 unacceptable',
        'Nov 22 21:20:41 gw-east charon[1487]: 11[IKE] <west-east|3> no acceptable traffic selectors found',
        'Nov 22 21:20:41 gw-east charon[1487]: 11[ENC] <west-east|3> generating IKE_AUTH response 1 [ IDr AUTH N(TS_UNACCEPT) ]',
      ],
    }, { only });
    const f = findingOf(report, 'TS_MISMATCH');
    expect(f.data).toMatchObject({ side: 'responder', local: ['10.10.0.0/16'], remote: ['10.20.0.0/16'] });
    expect(f.message).toContain('10.10.0.0/16');
    expect(linesOf(f)).toEqual(expect.arrayContaining([2, 4]));
    expect(report.findings).toHaveLength(1);
  });

  it('a Child SA established with its selectors reports nothing', async () => {
    const report = await diagnoseLines({
      name: 'west.log',
      lines: ['CHILD_SA westnet-eastnet-ikev2{1} established with SPIs SPISPI_i SPISPI_o and TS 192.0.1.0/24 === 192.0.2.0/24'],
    }, { only });
    expect(report.findings).toEqual([]);
  });

  it('the lab responder (charon, cfg 2) gives both sets: what the initiator proposed and what its child config accepts', async () => {
    // samples/lab-ts-mismatch/right.log lines 130-134: "proposing traffic selectors for us/other:" then the refusal
    const report = await diagnoseLines({ name: 'right.log', lines: labLog('right.log') }, { only });
    const f = findingOf(report, 'TS_MISMATCH');
    expect(f.data).toMatchObject({
      side: 'responder', local: ['10.2.0.0/24'], remote: ['10.1.0.0/24'],
      acceptedLocal: ['10.2.0.0/24'], acceptedRemote: ['10.9.0.0/24'], differs: ['remote'],
    });
    expect(f.message).toContain('10.9.0.0/24');
    expect(f.message).toContain('10.1.0.0/24');
    expect(f.message).toMatch(/peer's subnets differ/);
    expect(linesOf(f)).toEqual(expect.arrayContaining([131, 133, 134]));
  });

  it('the lab initiator says what it proposed, and no accepted set it cannot know', async () => {
    const report = await diagnoseLines({ name: 'left.log', lines: labLog('left.log') }, { only });
    const f = findingOf(report, 'TS_MISMATCH');
    expect(f.data).toMatchObject({ side: 'initiator', local: ['10.1.0.0/24'], remote: ['10.2.0.0/24'] });
    expect(f.data).not.toHaveProperty('acceptedRemote');
    expect(linesOf(f)).toEqual(expect.arrayContaining([148, 150]));
  });

  it('both lab logs: one finding led by the responder, with both sets', async () => {
    const report = await diagnoseLines([{ name: 'left.log', lines: labLog('left.log') }, { name: 'right.log', lines: labLog('right.log') }], { only });
    expect(codesOf(report)).toEqual(['TS_MISMATCH']);
    expect(findingOf(report, 'TS_MISMATCH').data).toMatchObject({ acceptedRemote: ['10.9.0.0/24'] });
  });

  it('of several candidate child configs, the listing printed last before the refusal is the one refused', async () => {
    // charon child_cfg.c get_traffic_selectors(): one "proposing … for us/other:" listing per candidate; "selecting" prints "config: X, received: Y"
    const p = 'Nov 22 23:31:37 11[CFG] <lab|1> ';
    const report = await diagnoseLines({
      name: 'responder.log',
      lines: [
        'Nov 22 23:31:37 11[ENC] <lab|1> parsed IKE_AUTH request 1 [ IDi IDr AUTH SA TSi TSr ]',
        `${p}looking for a child config for 10.2.0.0/24 === 10.1.0.0/24`,
        `${p}proposing traffic selectors for us:`, `${p} 10.3.0.0/24`, `${p}proposing traffic selectors for other:`, `${p} 10.4.0.0/24`,
        `${p}selecting traffic selectors for us:`, `${p} config: 10.2.0.0/24, received: 10.2.0.0/24 => match: 10.2.0.0/24`,
        `${p}selecting traffic selectors for other:`, `${p} config: 10.9.0.0/24, received: 10.1.0.0/24 => no match`,
        'Nov 22 23:31:37 11[IKE] <lab|1> traffic selectors 10.2.0.0/24 === 10.1.0.0/24 unacceptable',
      ],
    }, { only });
    const f = findingOf(report, 'TS_MISMATCH');
    expect(f.data).toMatchObject({ acceptedLocal: ['10.2.0.0/24'], acceptedRemote: ['10.9.0.0/24'] });
    expect(linesOf(f)).not.toContain(4);
  });

  it('libreswan responder: the proposal it refused, from "Child SA\'s Traffic Selector request {TSi=…;TSr=…}"', async () => {
    // format: libreswan programs/pluto/ikev2_ts.c llog_ts() + jam_traffic_selector_payloads(); the line as a NAS's pluto logged it
    const report = await diagnoseLines({
      name: 'nas.log',
      lines: [
        '"workers"[1] 192.168.64.1 #4: responder established IKE SA; authenticated peer using authby=secret and ID_IPV4_ADDR \'192.168.64.1\'',
        '"workers"[1] 192.168.64.1 #5: Child SA\'s Traffic Selector request {TSi=192.168.5.15/32;TSr=192.168.64.7/32} does not match any IKEv2 connection; responding with TS_UNACCEPTABLE',
      ],
    }, { only, dialect: 'libreswan' });
    const f = findingOf(report, 'TS_MISMATCH');
    // TSi is the initiator's (the peer's) side, TSr this responder's
    expect(f.data).toMatchObject({ side: 'responder', local: ['192.168.64.7/32'], remote: ['192.168.5.15/32'] });
    expect(f.message).toContain('proposed local 192.168.64.7/32 === remote 192.168.5.15/32');
    expect(f.hint).not.toMatch(/cfg 2/);
  });

  it('libreswan initiator: what it proposed and what the responder answered with, from "… response {…} does not fit the proposal {…}"', async () => {
    // format: libreswan ikev2_ts.c process_v2TS_response_payloads(): jam_traffic_selector_payloads + " does not fit the proposal " + jam_traffic_selector_proposals
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        '"westnet-eastnet-ikev2" #1: initiating IKEv2 connection to 192.1.2.23 using UDP',
        '"westnet-eastnet-ikev2" #1: sent IKE_SA_INIT request to 192.1.2.23:UDP/500',
        '"westnet-eastnet-ikev2" #1: processed IKE_SA_INIT response from 192.1.2.23:UDP/500 {cipher=AES_GCM_16_256 integ=n/a prf=HMAC_SHA2_512 ke=DH19}, initiating IKE_AUTH',
        '"westnet-eastnet-ikev2" #2: Child SA\'s Traffic Selector response {TSi=192.0.1.0/24;TSr=192.0.3.0/24} does not fit the proposal {TSi=192.0.1.0/24;TSr=192.0.2.0/24}',
      ],
    }, { only });
    const f = findingOf(report, 'TS_MISMATCH');
    expect(f.data).toMatchObject({ side: 'initiator', local: ['192.0.1.0/24'], remote: ['192.0.2.0/24'], answeredLocal: ['192.0.1.0/24'], answeredRemote: ['192.0.3.0/24'], differs: ['remote'] });
    expect(f.message).toContain('the peer answered with local 192.0.1.0/24 === remote 192.0.3.0/24');
  });
});
