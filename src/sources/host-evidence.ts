/**
 * Puts what `--host` found into the Evidence: the host facts, the live ruleset(s),
 * and the configs, log files and journal found in the usual places, read by the same
 * loaders as `--config`/`--log`. A file that cannot be read becomes a diagnostic:
 * the audit goes on with the rest.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Evidence } from '../evidence/types.js';
import { probeCounters, probeDefaultRoutes, probeHost, probeRoutes } from './host.js';
import { endpointsOf } from '../evidence/derived/firewall/ipsec.js';
import { execRunner, type ProbeRunner } from './host/runner.js';
import { loadConfigs } from './config-file.js';
import { loadLogFile } from './log-file.js';

export async function addHostEvidence(evidence: Evidence, opts: { runner?: ProbeRunner; readFiles?: boolean } = {}): Promise<void> {
  const runner = opts.runner ?? execRunner();
  const r = await probeHost(runner);
  evidence.host = r.host;
  evidence.inputs.push(...r.inputs);
  evidence.diagnostics.push(...r.diagnostics);
  if (r.rulesets.length) evidence.rulesets = [...(evidence.rulesets ?? []), ...r.rulesets];
  if (r.tables.length) evidence.saTables = [...(evidence.saTables ?? []), ...r.tables];
  if (opts.readFiles === false) {
    await addRoutes(evidence, runner);
    return;
  }
  const note = (source: string, err: unknown) => evidence.diagnostics.push({ at: { source }, decoder: 'host', message: `not read: ${err instanceof Error ? err.message : String(err)}` });
  // configs the user passed with --config are already in; the usual places add to them
  const given = new Set((evidence.configs ?? []).map((c) => c.source));
  for (const path of r.configPaths.filter((p) => !given.has(p))) {
    try {
      // distributions ship these files commented out: say "nothing configured", not "unreadable"
      if (await onlyComments(path)) {
        evidence.diagnostics.push({ at: { source: path }, decoder: 'host', message: 'holds no settings (only comments and blank lines): nothing is configured there' });
        continue;
      }
      const c = await loadConfigs([path]);
      evidence.inputs.push(...c.inputs);
      evidence.diagnostics.push(...c.diagnostics);
      evidence.configs = [...(evidence.configs ?? []), ...c.configs];
    } catch (err) {
      note(path, err);
    }
  }
  await addRoutes(evidence, runner);
  const logs = [...r.logPaths];
  let tmp: string | undefined;
  if (r.journal) {
    tmp = await mkdtemp(join(tmpdir(), 'ipsec-doctor-journal-'));
    const path = join(tmp, 'journalctl-strongswan-ipsec.log');
    await writeFile(path, r.journal, { mode: 0o600 });
    logs.push(path);
  }
  try {
    for (const path of logs) {
      try {
        const loaded = await loadLogFile(path);
        evidence.diagnostics.push(...loaded.diagnostics);
        for (const l of loaded.hosts ?? [loaded]) {
          evidence.inputs.push(l.input);
          evidence.logEvents = [...(evidence.logEvents ?? []), ...l.events];
        }
      } catch (err) {
        note(path, err);
      }
    }
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Routes to the peers, once every config is in: the peers come from them and from --peer.
 * With no peer known, the default routes stand in (the interface a gateway's peers come in on).
 */
async function addRoutes(evidence: Evidence, runner: ProbeRunner): Promise<void> {
  const peers = endpointsOf(evidence).peers;
  const host = evidence.host;
  if (!host) return;
  host.routes = peers.length ? await probeRoutes(runner, peers, host.probes) : await probeDefaultRoutes(runner, host.probes);
  const input = evidence.inputs.find((i) => i.kind === 'host');
  if (input) input.counters = { ...input.counters, ...probeCounters(host.probes) };
}

async function onlyComments(path: string): Promise<boolean> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined || text.length > 1 << 20) return false;
  return text.split('\n').every((l) => /^\s*(#.*)?$/.test(l));
}
