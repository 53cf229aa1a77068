/**
 * `npm run samples:refresh`: reruns every lab scenario (or the ones named on the
 * command line) and rewrites samples/lab-<scenario>/ with the real daemon output:
 * both peers' logs, the left peer's capture, the middle box's capture and ruleset (in
 * middle-box/, see the README), both swanctl.conf, both `swanctl --list-sas`, a
 * README and expected.json. Also refreshes the `npm start` sample's responder log
 * from the psk-mismatch scenario.
 *
 * expected.json holds the scenario's expected codes for its logs, left capture and
 * configs, limited to codes a registered check can report from that input today;
 * the README lists every expectation. Rerun after new checks land.
 */
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { labUnavailableReason } from './preflight.js';
import { REPO_ROOT, removeCredentials, runScenario, type LabResult } from './driver.js';
import { scenarioByName, scenarios } from './scenarios.js';
import { diagnoseInput, judge } from './expectations.js';
import type { InputKind, Scenario } from './scenario-types.js';

/** The inputs a sample directory holds at its top level, i.e. what a sample runner feeds together. */
const SAMPLE_KINDS: InputKind[] = ['bothLogs', 'leftPcap', 'configs', 'bothTables'];
const KIND_LABEL: Record<InputKind, string> = {
  responderLog: '`right.log` (responder) alone',
  initiatorLog: '`left.log` (initiator) alone',
  bothLogs: 'both logs',
  leftPcap: '`left.pcap`',
  middlePcap: '`middle-box/middle.pcap`',
  leftInnerPcap: '`inside-tunnel/left-ipsec0.pcap`',
  configs: 'both swanctl.conf',
  middleRuleset: '`middle-box/ruleset.nft.conf` with both swanctl.conf',
  middleRulesetJson: '`middle-box/ruleset.nft-json.conf` with both swanctl.conf',
  bothTables: 'both `list-sas`',
  leftTableAndPcap: '`left.list-sas` with `left.pcap`',
};

async function main(): Promise<number> {
  const reason = labUnavailableReason();
  if (reason) {
    console.error(`samples:refresh: ${reason}`);
    return process.env.CI === 'true' ? 1 : 0;
  }
  const names = process.argv.slice(2);
  const chosen = names.length ? names.map(scenarioByName) : scenarios;
  const problems: string[] = [];
  try {
    for (const scenario of chosen) {
      const dir = join(REPO_ROOT, 'samples', `lab-${scenario.name}`);
      await rm(dir, { recursive: true, force: true });
      console.error(`samples:refresh: ${scenario.name}`);
      const result = await runScenario(scenario, { outDir: dir, log: (l) => console.error(`  ${l}`) });
      await mkdir(join(dir, 'middle-box'));
      await rename(result.pcaps.middle, join(dir, 'middle-box', 'middle.pcap'));
      result.pcaps.middle = join(dir, 'middle-box', 'middle.pcap');
      for (const [key, name] of [['middleNft', 'ruleset.nft.conf'], ['middleNftJson', 'ruleset.nft-json.conf']] as const) {
        await rename(result.rulesets[key], join(dir, 'middle-box', name));
        result.rulesets[key] = join(dir, 'middle-box', name);
      }
      await mkdir(join(dir, 'inside-tunnel'));
      await rename(result.pcaps.leftInner, join(dir, 'inside-tunnel', 'left-ipsec0.pcap'));
      result.pcaps.leftInner = join(dir, 'inside-tunnel', 'left-ipsec0.pcap');
      const expected = await expectedFor(scenario, result, problems);
      await writeFile(join(dir, 'expected.json'), JSON.stringify(expected, null, 2) + '\n');
      await writeFile(join(dir, 'README.md'), readme(scenario, result, expected));
      if (scenario.name === 'psk-mismatch') {
        await copyFile(result.logs.right, join(REPO_ROOT, 'samples', 'strongswan-psk-mismatch', 'responder.log'));
      }
    }
  } finally {
    await removeCredentials();
  }
  if (problems.length) console.error(`samples:refresh: ipsec-doctor does not yet meet these expectations (findings for the check owners):\n  ${problems.join('\n  ')}`);
  return 0;
}

async function expectedFor(scenario: Scenario, result: LabResult, problems: string[]): Promise<{ codes: string[]; absent: string[] }> {
  const codes = new Set<string>();
  const absent = new Set<string>();
  for (const kind of SAMPLE_KINDS) {
    const exp = scenario.expect[kind];
    if (!exp) continue;
    const verdict = judge(scenario, kind, await diagnoseInput(kind, result));
    problems.push(...verdict.failures);
    for (const label of verdict.asserted) {
      const m = /: (no )?([A-Z0-9_]+)$/.exec(label);
      if (m) (m[1] ? absent : codes).add(m[2]);
    }
  }
  for (const c of codes) absent.delete(c);
  return { codes: [...codes].sort(), absent: [...absent].sort() };
}

function readme(s: Scenario, r: LabResult, expected: { codes: string[]; absent: string[] }): string {
  const table = (Object.keys(KIND_LABEL) as InputKind[])
    .filter((k) => s.expect[k])
    .map((k) => `| ${KIND_LABEL[k]} | ${(s.expect[k]!.codes ?? []).join(', ') || '—'}${s.expect[k]!.note ? ` (${s.expect[k]!.note})` : ''} | ${(s.expect[k]!.absent ?? []).join(', ') || '—'} |`)
    .join('\n');
  const pings = r.pings.length
    ? r.pings.map((p) => `- ping from ${p.from === 'left' ? '10.1.0.1 to 10.2.0.1' : '10.2.0.1 to 10.1.0.1'}, ${p.size} bytes${p.df ? ', DF' : ''}${p.afterFault ? ', after the fault' : ''}: ${p.received}/${p.transmitted} answered`).join('\n')
    : '- no traffic through the tunnel';
  return `# Lab: ${s.title}

Real output of two strongSwan 5.9 daemons (charon, kernel-libipsec) in network
namespaces, produced by \`npm run samples:refresh\` (scenario \`${s.name}\` in
test/lab/scenarios.ts). Nothing here is hand-written.

**Injected:** ${s.injected}

Topology: left (initiator) 192.0.2.10, inner 10.1.0.0/24 — middle box 192.0.2.1 | 198.51.100.1
(ip_forward, nftables faults) — right (responder) 198.51.100.20, inner 10.2.0.0/24. IKEv2,
${s.auth === 'cert' ? 'certificate authentication (throw-away lab CA; keys not kept)' : 'pre-shared key (a lab-only secret, visible in the swanctl.conf files on purpose: reports must never repeat it)'}.
With kernel-libipsec strongSwan forces UDP encapsulation, so ESP travels on UDP 4500 and
both sides log "behind NAT" even where there is no NAT.

What happened: \`swanctl --initiate\` on the left ${r.initiate.code === 0 ? 'succeeded' : `failed (\`${r.initiate.stdout.trim().split('\n').pop()}\`)`}.
${pings}

## Files

- \`left.log\`, \`right.log\` — charon filelog (\`ike 2\`, \`cfg 2\`, \`knl 1\`, \`net 1\`) of the initiator and the responder
- \`left.pcap\` — tcpdump on the left peer's outer interface
- \`middle-box/middle.pcap\` — tcpdump on the middle box's interface towards the responder: what
  the middle box forwarded towards the responder (after the fault and, where there is one, after
  the NAT) and everything the responder sent (before the fault filters it). Kept in a subfolder:
  it sees the same flows as \`left.pcap\` from another point of the path, so feed it on its own.
- \`middle-box/ruleset.nft.conf\`, \`middle-box/ruleset.nft-json.conf\` — the middle box's whole ruleset at the end
  of the run, \`nft list ruleset\` and \`nft -j list ruleset\`: its stateful forwarding firewall (table
  \`ipsdl_router\`: policy drop; established/related, UDP 500/4500, ESP and ICMP errors accepted)${s.faultBefore || s.faultAfter ? ' and the fault (table `ipsdl_fault`)' : ''}.
  Feed one with both swanctl.conf (\`-c middle-box/ruleset.nft.conf -c left.swanctl.conf -c right.swanctl.conf\`):
  the configs name the tunnel's two ends, so the firewall check judges the box between them on its forward path.
- \`inside-tunnel/left-ipsec0.pcap\` — tcpdump on the left peer's \`ipsec0\` (kernel-libipsec's TUN
  device, raw IP): the cleartext traffic before encryption and after decryption.
- \`left.swanctl.conf\`, \`right.swanctl.conf\` — the peers' configs
- \`left.list-sas\`, \`right.list-sas\` — \`swanctl --list-sas\` at the end of the run, read as SA tables (pass them with \`--log\`, \`--config\` or as plain arguments: the content decides); empty when no SA was left

## Expected findings

| input | codes | must not report |
|---|---|---|
${table}

\`expected.json\` (${expected.codes.join(', ') || 'no codes'}${expected.absent.length ? `; absent: ${expected.absent.join(', ')}` : ''}) holds
the expectations for the logs, \`left.pcap\`, the configs and the SA tables that a registered check could
report when the sample was generated; \`npm run test:lab\` asserts the whole table as checks land.
`;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(`samples:refresh failed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exitCode = 1;
  },
);
