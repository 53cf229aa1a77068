import { describe, expect, it } from 'vitest';
import { runChecks } from '../../src/engine/run-checks.js';
import { defineCheck } from '../../src/engine/define-check.js';
import { buildReport, filterBySeverity } from '../../src/report/build-report.js';
import type { Evidence } from '../../src/evidence/types.js';

// The engine's contract (DESIGN.md): requires → not-applicable, a throw → status
// 'error' while the others still run, findings only with registered codes and evidence.
const evidence = (withLogs: boolean): Evidence => ({
  inputs: [],
  diagnostics: [],
  options: { local: [], peer: [] },
  logEvents: withLogs
    ? [{ kind: 'retransmit', at: { source: 'a.log', line: 3 }, excerpt: 'retransmit 1 of request with message ID 0', impl: 'strongswan', data: { count: 1, msgid: 0 } }]
    : undefined,
});

const reporting = defineCheck({
  meta: {
    id: 'reporting',
    title: 'reports',
    description: 'test',
    requires: ['logEvents'],
    codes: { SOME_CODE: { severity: 'error', message: 'saw {count} retransmits to {peer}', hint: 'fix {count}' } },
  },
  run(ctx) {
    const e = ctx.evidence.logEvents![0];
    ctx.report({ code: 'SOME_CODE', data: { count: 1 }, evidence: [{ ...e.at, excerpt: e.excerpt }] });
  },
});
const throwing = defineCheck({
  meta: { id: 'throwing', title: 't', description: 't', requires: ['logEvents'], codes: {} },
  run() {
    throw new Error('boom');
  },
});
const packetsOnly = defineCheck({
  meta: { id: 'packets-only', title: 'p', description: 'p', requires: ['packets'], codes: {} },
  run() {
    throw new Error('must not run');
  },
});
const unregistered = defineCheck({
  meta: { id: 'unregistered', title: 'u', description: 'u', requires: ['logEvents'], codes: {} },
  run(ctx) {
    ctx.report({ code: 'NOPE', evidence: [{ source: 'x', excerpt: 'x' }] });
  },
});

describe('runChecks', () => {
  it('runs applicable checks, isolates throws, skips what lacks evidence', async () => {
    const results = await runChecks([throwing, reporting, packetsOnly, unregistered], evidence(true));
    expect(results.map((r) => [r.check, r.status])).toEqual([
      ['throwing', 'error'],
      ['reporting', 'fail'],
      ['packets-only', 'not-applicable'],
      ['unregistered', 'error'],
    ]);
    expect(results[0].error).toBe('boom');
    expect(results[3].error).toMatch(/unregistered code NOPE/);
    const f = results[1].findings[0];
    expect(f).toMatchObject({ code: 'SOME_CODE', severity: 'error', check: 'reporting', hint: 'fix 1' });
    // placeholders without data say so instead of printing "undefined"
    expect(f.message).toBe('saw 1 retransmits to (not in the evidence)');
    expect(f.evidence).toEqual([{ source: 'a.log', line: 3, excerpt: 'retransmit 1 of request with message ID 0' }]);
  });

  it('marks every check not-applicable when there is no evidence of its kind', async () => {
    const results = await runChecks([reporting], evidence(false));
    expect(results[0].status).toBe('not-applicable');
  });

  it('builds a summary and filters by severity without changing the counts', async () => {
    const results = await runChecks([reporting], evidence(true));
    const report = buildReport([], results, []);
    expect(report.schema).toBe('ipsec-doctor.report/1');
    expect(report.summary).toEqual({ errors: 1, warnings: 0, info: 0, checks: { judged: 1, notApplicable: 0, failedToRun: 0 } });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    const onlyErrors = filterBySeverity(report, 'error');
    expect(onlyErrors.findings).toHaveLength(1);
  });

  it('never lets a secret from an excerpt through', async () => {
    const leaky = defineCheck({
      meta: { id: 'leaky', title: 'l', description: 'l', requires: ['logEvents'], codes: { X: { severity: 'info', message: 'm', hint: 'h' } } },
      run(ctx) {
        ctx.report({ code: 'X', evidence: [{ source: 'ipsec.secrets', line: 1, excerpt: '192.0.2.1 198.51.100.1 : PSK "s3cr3t-value"' }] });
      },
    });
    const [r] = await runChecks([leaky], evidence(true));
    expect(r.findings[0].evidence[0].excerpt).not.toContain('s3cr3t-value');
    expect(r.findings[0].evidence[0].excerpt).toContain('<secret masked>');
  });
});

describe('message templates', () => {
  it('an empty string is an optional clause left out; a missing value says so', async () => {
    const { fillTemplate } = await import('../../src/engine/template.js');
    expect(fillTemplate('seen{clause}.', { clause: '' })).toBe('seen.');
    expect(fillTemplate('seen{clause}.', {})).toBe('seen(not in the evidence).');
    expect(fillTemplate('by {who}', { who: null })).toBe('by (not in the evidence)');
  });
});

// What a check judges, on real captures (samples/*: README.md there says where each comes from):
// evidence of the kind a check requires, but nothing of what it judges, is not applicable.
describe('nothing to judge, on real captures', () => {
  const sample = (name: string, file: string) => new URL(`../../samples/${name}/${file}`, import.meta.url).pathname;
  const results = async (pcap: string) => {
    const { diagnose } = await import('../../src/run.js');
    const report = await diagnose({ logs: [], pcaps: [pcap], configs: [], host: false, local: [], peer: [] });
    return (id: string) => report.results.find((r) => r.check === id)!;
  };

  it('ESP only (24 SAs one way, no IKE): the checks that judge IKE exchanges say 0 IKE messages, esp-flows judges', async () => {
    const of = await results(sample('pcap-esp-one-way-no-ike', 'esp-one-way-24-sa-ipv4-ipv6.pcap'));
    for (const id of ['ike-reachability', 'ike-fragmentation', 'proposal-mismatch', 'nat-traversal']) {
      expect([id, of(id).status, of(id).reason]).toEqual([id, 'not-applicable', 'nothing to judge: 0 IKE messages captured']);
    }
    expect(of('esp-flows').status).toBe('fail');
  });

  it('other traffic and an ICMP frag-needed about it: path-mtu judges, esp-flows has no IPsec packet to judge', async () => {
    const of = await results(sample('pcap-icmp-frag-needed-mtu500', 'icmp-frag-needed-mtu500-from-vpn-gw.pcap'));
    expect([of('esp-flows').status, of('esp-flows').reason]).toEqual(['not-applicable', 'nothing to judge: 0 IPsec packets or Child SAs with counters']);
    expect(of('ike-reachability').status).toBe('not-applicable');
    expect(of('path-mtu').status).toBe('info');
  });
});

describe('meta.reads: a log without the events a check reads is nothing to judge', () => {
  const readsRetransmits = defineCheck({
    meta: { id: 'reads-retransmits', title: 't', description: 'test', requires: ['logEvents'], reads: ['retransmit', 'give-up'], codes: {} },
    run() {},
  });
  const readsDpd = defineCheck({
    meta: { id: 'reads-dpd', title: 't', description: 'test', requires: ['logEvents'], reads: ['dpd'], codes: {} },
    run() {},
  });

  it('passes over a log holding an event it reads, is not applicable over one holding only others, saying how many', async () => {
    const [r, d] = await runChecks([readsRetransmits, readsDpd], evidence(true));
    expect(r.status).toBe('pass');
    expect([d.status, d.reason]).toEqual(['not-applicable', 'nothing to judge: 0 IKE events about this in the logs (1 about other things)']);
  });

  it('on real logs: the lab responder that refused the PSK never installed a Child SA, so sa-install has nothing to judge; the healthy lab did', async () => {
    const { diagnose } = await import('../../src/run.js');
    const at = (name: string, file: string) => new URL(`../../samples/${name}/${file}`, import.meta.url).pathname;
    const status = async (log: string) => (await diagnose({ logs: [log], pcaps: [], configs: [], host: false, local: [], peer: [], only: ['sa-install'] })).results[0].status;
    expect(await status(at('lab-psk-mismatch', 'right.log'))).toBe('not-applicable');
    expect(await status(at('lab-healthy', 'right.log'))).toBe('pass');
  });
});
