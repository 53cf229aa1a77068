/**
 * middle-box on the seed's own artefacts (test/platforms/f5/fixtures, PROVENANCE.md there), on
 * tmsh listings built from the seed's rules and virtual server, and on the lab's strongSwan
 * peers next to the seed's AFM lines (samples/f5-afm-return-esp-rejected-lab-peers, README there).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/run.js';
import { daysApart } from '../../src/evidence/derived/middlebox/passthrough.js';

const FX = join(import.meta.dirname, '..', 'platforms', 'f5', 'fixtures');
const LAB = join(import.meta.dirname, '..', '..', 'samples', 'f5-afm-return-esp-rejected-lab-peers');
const seed = readFileSync(join(FX, 'seed-tmm.log'), 'utf8').trimEnd().split('\n');
const vs = readFileSync(join(FX, 'seed-vs-fwd.tmsh'), 'utf8');

function file(name: string, text: string): string {
  const p = join(mkdtempSync(join(tmpdir(), 'mb-')), name);
  writeFileSync(p, text);
  return p;
}

async function run(logs: string[], configs: string[] = [], only = ['middle-box', 'esp-flows']) {
  return (await diagnose({ logs, pcaps: [], configs, host: false, local: [], peer: [], only })).findings;
}

describe('middle-box: return ESP refused', () => {
  it('the seed\'s test: ESP accepted out by velascoOUT_ESP, the return rejected by VS-FWD\'s (Default) rule: one error naming box, rule, reason, direction and both fixes', async () => {
    const fs = await run([file('ltm.log', seed.slice(0, 3).join('\n'))]);
    const e = fs.filter((f) => f.code === 'MIDDLEBOX_REJECTS_RETURN_ESP');
    expect(e).toHaveLength(1);
    expect(e[0].severity).toBe('error');
    expect(e[0].message).toMatch(/VELASCO\.afm\.passthrough rejects ESP from 2\.2\.2\.2 to 1\.1\.1\.1 \(arriving on \/Common\/EXTERNAL\) with the default rule \(Default\) of virtual server \/Common\/VS-FWD \(drop reason Policy\)/);
    expect(e[0].hint).toContain('ip-protocol esp source { addresses add { 2.2.2.2 } }');
    expect(e[0].hint).toContain('tmsh modify sys db ipsec.lookupspi value disable');
    expect(e[0].evidence.map((r) => r.line)).toEqual([3, 2]);
  });

  it('the refusal alone, with nothing showing the other way passes, is not called one-way', async () => {
    expect((await run([file('ltm.log', seed[2])])).filter((f) => f.code === 'MIDDLEBOX_REJECTS_RETURN_ESP')).toEqual([]);
  });

  it('with the lab peers\' SA tables: one merged finding led by the box\'s rule, with the peers\' counters as evidence; no separate ESP_ONE_WAY', async () => {
    const fs = await run([join(LAB, 'velasco-ltm.log'), join(LAB, 'left.list-sas'), join(LAB, 'right.list-sas')]);
    expect(fs.map((f) => f.code).sort()).toEqual(['MIDDLEBOX_REJECTS_RETURN_ESP']);
    expect(fs[0].data).toMatchObject({ from: '198.51.100.20', to: '192.0.2.10' });
    expect(String(fs[0].data.seenIn)).toMatch(/log and the SA tables? .*left\.list-sas/);
    expect(fs[0].evidence.some((r) => /list-sas$/.test(r.source) && /in\s+9e3b4c73/.test(r.excerpt))).toBe(true);
    // the peers' tables alone still say ESP_ONE_WAY
    expect((await run([join(LAB, 'left.list-sas'), join(LAB, 'right.list-sas')])).map((f) => f.code)).toContain('ESP_ONE_WAY');
  });

  it('the lab peer\'s capture of ESP in UDP 4500 is not explained by a refusal of plain ESP: two findings, not one', async () => {
    const report = await diagnose({ logs: [join(LAB, 'velasco-ltm.log')], pcaps: [join(LAB, '..', 'lab-esp-return-dropped', 'left.pcap')], configs: [], host: false, local: [], peer: [], only: ['middle-box', 'esp-flows'] });
    const codes = report.findings.map((f) => f.code).sort();
    expect(codes).toEqual(['ESP_ONE_WAY', 'MIDDLEBOX_REJECTS_RETURN_ESP']);
    expect(report.findings.find((f) => f.code === 'MIDDLEBOX_REJECTS_RETURN_ESP')!.data.seenIn).toBeUndefined();
  });

  it('with the ALG and lookupspi disabled the fix is to enable lookupspi: an extra rule does not help (K93873214)', async () => {
    const conf = file('bigip.conf', 'ltm virtual /Common/vs_ipsec {\n    destination /Common/0.0.0.0:any\n    profiles {\n        /Common/ipsecalg { }\n        /Common/tcp { }\n    }\n    translate-address disabled\n}\nsys db ipsec.lookupspi {\n    value "disable"\n}\n');
    const fs = await run([file('ltm.log', seed.slice(0, 3).join('\n'))], [conf]);
    expect(fs.find((f) => f.code === 'MIDDLEBOX_REJECTS_RETURN_ESP')?.hint).toContain('ipsec.lookupspi value enable');
    expect(fs.find((f) => f.code === 'IPSEC_ALG_WITHOUT_LOOKUPSPI')?.severity).toBe('error');
  });
});

describe('middle-box: IKE one way, flows, states', () => {
  it('the far peer\'s IKE rejected while the near one\'s passes: only the near peer can start the tunnel', async () => {
    const fs = await run([file('ltm.log', [seed[0], seed[5]].join('\n'))]);
    const w = fs.find((f) => f.code === 'MIDDLEBOX_IKE_ONE_WAY')!;
    expect(w.severity).toBe('warning');
    expect(w.message).toMatch(/refuses IKE from 2\.2\.2\.2 to 1\.1\.1\.1 .* while IKE from 1\.1\.1\.1 passes: only 1\.1\.1\.1 can start the tunnel/);
  });

  it('an IKE refusal alone says who cannot start the tunnel, not who can', async () => {
    const w = (await run([file('ltm.log', seed[5])])).find((f) => f.code === 'MIDDLEBOX_IKE_ONE_WAY')!;
    expect(w.message).toMatch(/: 2\.2\.2\.2 cannot start the tunnel, nor rekey/);
    expect(w.message).not.toMatch(/only 1\.1\.1\.1/);
  });

  it('Sys::Connections: healthy with lookupspi on or off says what it saw; one ESP flow per direction missing its return is a warning; the ALG table without return flow says lookupspi', async () => {
    const codes = async (n: number) => (await run([join(FX, `seed-sys-connection-${n}.txt`)])).map((f) => [f.code, f.severity]);
    expect(await codes(1)).toEqual([['PASSTHROUGH_SEEN', 'info']]);
    expect(await codes(2)).toEqual([['MIDDLEBOX_NO_RETURN_ESP_FLOW', 'warning']]);
    expect(await codes(3)).toEqual([['PASSTHROUGH_SEEN', 'info']]);
    expect(await codes(4)).toEqual([]);
    expect(await codes(5)).toEqual([['PASSTHROUGH_SEEN', 'info']]);
    expect(await codes(6)).toEqual([['IPSEC_ALG_WITHOUT_LOOKUPSPI', 'warning']]);
    const alg = (await run([join(FX, 'seed-sys-connection-5.txt')]))[0];
    expect(alg.message).toMatch(/AH one unanswered as expected/);
  });

  it('teardown lines are information, never an error', async () => {
    const fs = await run([file('ltm.log', seed.slice(6, 9).join('\n'))]);
    expect(fs.map((f) => [f.code, f.severity])).toEqual([['MIDDLEBOX_FLOWS_TORN_DOWN', 'info']]);
  });

  it('`Tunnel State : up` alone is information that it proves nothing about the path', async () => {
    const fs = await run([file('state.txt', '# tmsh sho net ipsec | grep State\n  Tunnel State : up\n  Tunnel State : up\n')], [], ['middle-box', 'esp-flows', 'sa-state', 'tunnel-state']);
    expect(fs.map((f) => [f.code, f.severity])).toEqual([['SA_STATE_NOT_PROOF', 'info']]);
    expect(fs[0].message).toMatch(/Tunnel State: up, 2 times/);
  });
});

describe('middle-box: virtual servers', () => {
  const alg = (extra: string) => file('vs.conf', `ltm virtual /Common/vs_ipsec {\n    destination /Common/0.0.0.0:isakmp\n    ip-protocol udp\n${extra}    profiles {\n        /Common/ipsecalg { }\n        /Common/udp { }\n    }\n}\n`);
  it('the seed\'s VS-FWD (FastL4, translate-address disabled, no ALG) raises nothing', async () => {
    expect(await run([], [file('vs.conf', vs)])).toEqual([]);
  });
  it('an ALG server with a pool and translate-address at its default: IKE goes to the pool member; NAT-T not handled (warning, no NAT seen)', async () => {
    const fs = await run([], [alg('    pool /Common/far_peer\n')]);
    expect(fs.map((f) => [f.code, f.severity]).sort()).toEqual([['IPSEC_ALG_NAT_T', 'warning'], ['VIRTUAL_SERVER_SENDS_IKE_TO_POOL', 'warning']]);
    expect(fs.find((f) => f.code === 'VIRTUAL_SERVER_SENDS_IKE_TO_POOL')!.message).toContain('pool /Common/far_peer');
  });
  it('translate-address disabled and a second server for UDP 4500: nothing to say', async () => {
    const text = readFileSync(alg('    translate-address disabled\n'), 'utf8') + 'ltm virtual /Common/vs_natt {\n    destination /Common/0.0.0.0:4500\n    ip-protocol udp\n    profiles {\n        /Common/fastL4 { }\n    }\n    translate-address disabled\n}\n';
    expect(await run([], [file('vs.conf', text)])).toEqual([]);
  });
  it('the ALG on a FastL4 server is not in effect', async () => {
    const fs = await run([], [file('vs.conf', 'ltm virtual /Common/vs_x {\n    destination /Common/0.0.0.0:any\n    profiles {\n        /Common/fastL4 { }\n        /Common/ipsecalg { }\n    }\n    translate-address disabled\n}\n')]);
    expect(fs.map((f) => f.code)).toContain('VIRTUAL_SERVER_ALG_ON_FASTL4');
  });
  it('the ALG with NAT shown by a peer\'s log: an error naming the server', async () => {
    const charon = file('charon.log', 'Nov 22 23:36:01 06[IKE] local host is behind NAT, sending keep alives\nNov 22 23:36:01 06[IKE] remote host is behind NAT\n');
    const fs = await run([charon], [alg('    translate-address disabled\n')]);
    const nat = fs.find((f) => f.code === 'IPSEC_ALG_NAT_T')!;
    expect(nat.severity).toBe('error');
    expect(nat.message).toMatch(/vs_ipsec does not handle UDP 4500 .*charon\.log:1/);
  });
});

describe('NAT-T through the box: NAT_T_BLOCKED names the BIG-IP when its artefacts cover the same addresses', () => {
  // the lab's real capture on the left peer (scenario nat-udp4500-blocked): NAT detected, IKE_AUTH on 4500 to 198.51.100.20 never answered
  const pcap = join(import.meta.dirname, '..', 'fixtures', 'pcaps', 'lab-nat-udp4500-blocked-left.pcap');
  const server = (destination: string, more = '') => `ltm virtual /Common/vs_ipsec {\n    destination ${destination}\n    ip-protocol udp\n    profiles {\n        /Common/ipsecalg { }\n        /Common/udp { }\n    }\n    translate-address disabled\n}\n${more}`;
  const withPcap = async (logs: string[], configs: string[]) => (await diagnose({ logs, pcaps: [pcap], configs, host: false, local: [], peer: [], only: ['middle-box', 'nat-traversal'] })).findings;
  const blocked = (fs: Awaited<ReturnType<typeof withPcap>>) => fs.filter((f) => f.code === 'NAT_T_BLOCKED');

  it('an ALG server for any destination on UDP 500 and none for 4500: the error names the box, the server and K97997482, with the config lines as evidence; IPSEC_ALG_NAT_T is lowered to its cause', async () => {
    const fs = await withPcap([], [file('vs.conf', server('/Common/0.0.0.0:isakmp'))]);
    const [b] = blocked(fs);
    expect(b.severity).toBe('error');
    expect(b.message).toMatch(/198\.51\.100\.20:4500 never answered there \(IKE_AUTH, 4 transmissions from 192\.0\.2\.10:4500\): F5 BIG-IP between them passes IKE with the IPsec ALG on virtual server \/Common\/vs_ipsec, which does not handle UDP 4500 \(F5 K97997482\)/);
    expect(b.hint).toMatch(/^On F5 BIG-IP, add a virtual server for UDP 4500 towards 198\.51\.100\.20/);
    expect(b.evidence.map((r) => r.frame ?? `${r.source.replace(/^.*\//, '')}:${r.line}`)).toEqual([3, 4, 5, 'vs.conf:5', 'vs.conf:1', 6]);
    const alg = fs.find((f) => f.code === 'IPSEC_ALG_NAT_T')!;
    expect([alg.severity, alg.data?.explainedBy]).toEqual(['info', 'NAT_T_BLOCKED']);
  });

  it('an ALG server for another destination, or a second server that carries UDP 4500: the box is not named (its artefacts do not explain these addresses)', async () => {
    for (const text of [server('/Common/203.0.113.9:isakmp'), server('/Common/0.0.0.0:isakmp', 'ltm virtual /Common/vs_natt {\n    destination /Common/0.0.0.0:4500\n    ip-protocol udp\n    profiles {\n        /Common/fastL4 { }\n    }\n}\n')]) {
      const [b] = blocked(await withPcap([], [file('vs.conf', text)]));
      expect(b.message).not.toMatch(/BIG-IP/);
      expect(b.hint).toMatch(/^UDP 4500 is blocked between the peers/);
    }
  });

  it('the peer\'s log and its capture of the same silence: one NAT_T_BLOCKED holding both, the BIG-IP named', async () => {
    const log = join(import.meta.dirname, '..', '..', 'samples', 'lab-nat-udp4500-blocked', 'left.log');
    const fs = blocked(await withPcap([log], [file('vs.conf', server('/Common/0.0.0.0:isakmp'))]));
    expect(fs).toHaveLength(1);
    expect(fs[0].data?.seenIn).toMatch(/^the capture \S*lab-nat-udp4500-blocked-left\.pcap and the log \S*left\.log$/);
    expect(fs[0].message).toContain('F5 BIG-IP between them passes IKE with the IPsec ALG on virtual server /Common/vs_ipsec');
    expect(new Set(fs[0].evidence.map((r) => r.source.replace(/^.*\//, '')))).toEqual(new Set(['lab-nat-udp4500-blocked-left.pcap', 'left.log', 'vs.conf']));
  });

  it('an AFM event that rejects UDP 4500 towards the responder (the seed\'s 26-field shape, this flow\'s addresses): the error names the rule', async () => {
    const reject = seed[2].replace(/"2\.2\.2\.2","1\.1\.1\.1","3057","3998","\/Common\/EXTERNAL","ESP"/, '"198.51.100.1","198.51.100.20","4500","4500","/Common/EXTERNAL","UDP"');
    expect(reject).not.toBe(seed[2]);
    const [b] = blocked(await withPcap([file('ltm.log', reject)], []));
    expect(b.message).toMatch(/: F5 BIG-IP VELASCO\.afm\.passthrough between them rejects UDP 4500 from 198\.51\.100\.1 to 198\.51\.100\.20 with the default rule \(Default\) of virtual server \/Common\/VS-FWD \(drop reason Policy\)\.$/);
    expect(b.hint).toContain('ports add { 4500 }');
    expect(b.evidence.some((r) => r.line === 1 && /ltm\.log$/.test(r.source))).toBe(true);
  });
});

describe('the AFM default action learned from a logged (Default) refusal', () => {
  // the seed's failing test: its two OUT rules, VS-FWD, and (for the log) its reject of the return ESP
  const rules = join(import.meta.dirname, '..', '..', 'samples', 'f5-afm-out-rules-only', 'afm-rules.tmsh.conf');
  const esp = async (logs: string[]) => (await diagnose({ logs, pcaps: [], configs: [rules, file('vs.conf', vs)], host: false, local: [], peer: [], only: ['firewall'] })).findings.find((f) => f.code === 'FIREWALL_BLOCKS_ESP' && f.message.includes('from 2.2.2.2'))!;

  it('the rules alone: the default is undecided (ADC mode accepts), so the return ESP "may be dropped" (warning)', async () => {
    const f = await esp([]);
    expect(f.severity).toBe('warning');
    expect(f.message).toContain('it may be dropped');
  });
  it('with the box\'s own line of VS-FWD\'s (Default) rule rejecting: firewall mode, the return ESP is refused (error), the log line as the rule\'s evidence', async () => {
    const f = await esp([file('ltm.log', seed[2])]);
    expect(f.severity).toBe('error');
    expect(f.message).not.toContain('may be dropped');
    expect(f.evidence[0]).toMatchObject({ line: 1 });
    expect(f.evidence[0].excerpt).toMatch(/default action, reject, as the box logged it \(the default rule \(Default\) of virtual server \/Common\/VS-FWD \(drop reason Policy\)/);
  });
  it('an accept by a named rule, or a (Default) of the Global context, settles nothing', async () => {
    expect((await esp([file('ltm.log', seed[1])])).severity).toBe('warning');
    expect((await esp([file('ltm.log', seed[2].replace('"Virtual Server","/Common/VS-FWD"', '"Global","/Common/global-firewall-rules"'))])).severity).toBe('warning');
  });
});

describe('a lab peer\'s capture and the box\'s log: one merged finding (samples/f5-afm-return-esp-rejected-lab-capture)', () => {
  const dir = join(import.meta.dirname, '..', '..', 'samples', 'f5-afm-return-esp-rejected-lab-capture');
  it('MIDDLEBOX_REJECTS_RETURN_ESP holds the box\'s lines and the capture\'s ESP flow; ESP_ONE_WAY is not repeated', async () => {
    const fs = (await diagnose({ logs: [join(dir, 'velasco-ltm.log')], pcaps: [join(dir, 'left.pcap')], configs: [], host: false, local: [], peer: [] })).findings;
    const [m] = fs.filter((f) => f.code === 'MIDDLEBOX_REJECTS_RETURN_ESP');
    expect(m.message).toMatch(/the capture \S*left\.pcap shows ESP from 192\.0\.2\.10 with nothing back/);
    expect(m.evidence.map((r) => r.frame ?? r.line)).toEqual([3, 2, 5]);
    expect(fs.map((f) => f.code)).not.toContain('ESP_ONE_WAY');
  });
  it('the same box lines dated another month are another incident: two findings, the box\'s without the capture', async () => {
    const moved = readFileSync(join(dir, 'velasco-ltm.log'), 'utf8').replace(/^Nov 22 /gm, 'Mar  3 ');
    const log = join(mkdtempSync(join(tmpdir(), 'mb-')), 'velasco-ltm.log');
    writeFileSync(log, moved);
    const fs = (await diagnose({ logs: [log], pcaps: [join(dir, 'left.pcap')], configs: [], host: false, local: [], peer: [] })).findings;
    expect(fs.find((f) => f.code === 'MIDDLEBOX_REJECTS_RETURN_ESP')?.data.seenIn).toBeUndefined();
    expect(fs.map((f) => f.code)).toContain('ESP_ONE_WAY');
  });
  it('daysApart: BSD syslog has no year (the nearest is taken), ISO has one; unknown without a date', () => {
    const ts = Date.UTC(2026, 10, 22, 23, 31, 52) / 1000;
    expect(daysApart('Nov 22 23:31:52', ts)).toBe(0);
    expect(daysApart('Nov 23 00:10:00', ts)).toBe(1);
    expect(daysApart('Mar  3 10:00:00', ts)).toBeGreaterThan(100);
    expect(daysApart('Jan  2 10:00:00', Date.UTC(2026, 11, 31) / 1000)).toBe(2);
    expect(daysApart('2025-11-22T23:31:52Z', ts)).toBe(365);
    expect(daysApart(undefined, ts)).toBeUndefined();
    expect(daysApart('23:31:52', ts)).toBeUndefined();
  });
  it('the capture is the lab\'s, rewritten by scripts/pcap-without-nat-t.mjs and nothing else', async () => {
    const { execFileSync } = await import('node:child_process');
    const out = join(mkdtempSync(join(tmpdir(), 'mb-')), 'left.pcap');
    execFileSync(process.execPath, [join(import.meta.dirname, '..', '..', 'scripts', 'pcap-without-nat-t.mjs'), join(import.meta.dirname, '..', '..', 'samples', 'lab-esp-return-dropped', 'left.pcap'), out], { stdio: 'ignore' });
    expect(readFileSync(out).equals(readFileSync(join(dir, 'left.pcap')))).toBe(true);
  });
});

describe('a log of firewall decisions only: what is judged', () => {
  // the sample's accepted IKE decision, and the same line edited to the mDNS multicast an AFM
  // Global reject-all rule logs all day (the corpus's f5-afm-network-event.rfc5424-sd.log is one)
  const ike = readFileSync(join(import.meta.dirname, '..', '..', 'samples', 'f5-ipsec-alg-lookupspi-healthy', 'velasco-ltm.log'), 'utf8').trimEnd();
  const mdns = ike.replaceAll('"1.1.1.1","2.2.2.2","500","500"', '"10.99.5.239","224.0.0.251","5353","5353"').replace('"Accept decisively"', '"Reject"');
  const results = async (text: string) => {
    const report = await diagnose({ logs: [file('ltm.log', text)], pcaps: [], configs: [], host: false, local: [], peer: [] });
    return { report, status: (id: string) => report.results.find((r) => r.check === id)!.status };
  };

  it('the log checks have no IKE event to judge: not applicable, never pass', async () => {
    const { report, status } = await results(ike);
    for (const id of ['authentication', 'dead-peer-detection', 'ike-reachability', 'peer-identity', 'proposal-mismatch', 'traffic-selectors', 'tunnel-state']) expect([id, status(id)]).toEqual([id, 'not-applicable']);
    expect(report.results.find((r) => r.check === 'tunnel-state')!.reason).toBe('nothing to judge: 0 IKE events in the logs');
    expect(status('middle-box')).not.toBe('not-applicable');
    expect(report.inputs[0].coverage).toMatchObject({ total: 1, events: 1, decisions: 1 });
  });

  it('a decision on other traffic is no evidence that the box passes IPsec: middle-box has nothing to judge', async () => {
    const { report, status } = await results(mdns);
    expect(status('middle-box')).toBe('not-applicable');
    expect(report.results.find((r) => r.check === 'middle-box')!.reason).toMatch(/^nothing to judge: 0 middle-box records of IPsec/);
    expect(report.results.filter((r) => r.status === 'pass')).toEqual([]);
  });
});
