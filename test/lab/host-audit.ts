/**
 * `--host` on the left peer while its charon runs: the probes (ps, ss, sysctl, nft,
 * ip xfrm, journalctl) go through the runner's command prefix `nsenter -t <charon pid>
 * -m -n`, i.e. into the network namespace and the mount namespace (/etc/netns/<ns>/
 * bound over /etc, a private /run) the daemon itself lives in. File lookups for the
 * usual config places go through /proc/<pid>/root, the same mount namespace.
 */
import { existsSync } from 'node:fs';
import { analyse, buildEvidence } from '../../src/run.js';
import { addHostEvidence } from '../../src/sources/host-evidence.js';
import { execRunner, type ProbeRunner } from '../../src/sources/host/runner.js';
import type { Report } from '../../src/report/types.js';
import type { HostFacts } from '../../src/evidence/host-types.js';

export interface HostAudit {
  /** the command prefix the probes ran under */
  prefix: string[];
  /** the left peer's charon */
  charonPid: number;
  facts: HostFacts;
  report: Report;
}

export async function auditPeerHost(charonPid: number, swanctlConf: string): Promise<HostAudit> {
  const prefix = ['nsenter', '-t', String(charonPid), '-m', '-n'];
  const inNs = execRunner(prefix);
  const runner: ProbeRunner = { root: inNs.root, run: (cmd, args) => inNs.run(cmd, args), fileExists: (p) => existsSync(`/proc/${charonPid}/root${p}`) };
  // the peer's swanctl.conf is given as --config (the same file charon loaded): the host
  // audit's own file reads would open this machine's /etc, not the namespace's
  const evidence = await buildEvidence({ logs: [], pcaps: [], configs: [swanctlConf], host: false, local: [], peer: [] });
  await addHostEvidence(evidence, { runner, readFiles: false });
  return { prefix, charonPid, facts: evidence.host!, report: await analyse(evidence) };
}
