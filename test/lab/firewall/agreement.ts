/**
 * One ruleset's run: fresh namespaces, the ruleset loaded into the gateway by its real
 * tool, the kernel's ruleset dumped as the tool reads it (iptables-save /
 * ip6tables-save, `nft list ruleset`, `nft -j list ruleset`), every probe sent for real
 * and counted where it should arrive, and ipsec-doctor's evaluator run on each dump for
 * the same probes.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../exec.js';
import { decodeRuleset } from '../../../src/sources/ruleset-file.js';
import { evaluate, type Decision } from '../../../src/evidence/derived/firewall/eval.js';
import type { Ruleset } from '../../../src/evidence/ruleset-types.js';
import { Prober, type SendSpec } from './prober.js';
import { probesFor, type ProbeDef } from './probes.js';
import type { RulesetDef } from './rulesets.js';
import { createFwTopology, destroyFwNamespaces } from './topology.js';

export const VIEWS = ['iptables-save', 'nft', 'nft -j'] as const;
export type View = (typeof VIEWS)[number];

/** how long a probe may take to arrive before it counts as dropped (arrivals take well under 1 ms here); a final sweep catches stragglers */
const DROP_WAIT_MS = 120;
const SWEEP_MS = 300;

export interface EvalVerdict {
  verdict: 'accept' | 'drop' | 'reject';
  /** the rule or policy that decided, as the evaluator says */
  by: string;
  /** rules passed over whose conditions it could not decide */
  undecided: string[];
  /**
   * one of those rules would have decided otherwise had it matched: the evaluator's verdict
   * rests on a rule it could not read, and it says so (the firewall check gives a warning that
   * names the rule and asks for iptables-save) rather than claiming the verdict
   */
  open: boolean;
}

export interface ProbeResult {
  probe: ProbeDef;
  kernel: 'arrived' | 'dropped' | 'not run';
  /** why the probe was not run (an ICMP error about a flow that never crossed the gateway) */
  note?: string;
  /** arrived only after its wait: seen by the final sweep */
  late?: boolean;
  /** sendto's error in the sender's namespace (EPERM = an OUTPUT rule dropped it) */
  sendError?: string;
  evaluator: Partial<Record<View, EvalVerdict>>;
}

export interface RulesetRun {
  def: RulesetDef;
  families: Array<4 | 6>;
  views: View[];
  dumps: { iptables4: string; iptables6: string; nft: string; nftJson: string };
  /** decoder diagnostics per view (lines it could not read) */
  diagnostics: Partial<Record<View, string[]>>;
  results: ProbeResult[];
  error?: string;
  ms: number;
}

export async function runRuleset(def: RulesetDef, tag: string, python: string): Promise<RulesetRun> {
  const started = Date.now();
  const created: string[] = [];
  const tmp = await mkdtemp(join(tmpdir(), 'ipd-fw-'));
  const out: RulesetRun = { def, families: [], views: [], dumps: { iptables4: '', iptables6: '', nft: '', nftJson: '' }, diagnostics: {}, results: [], ms: 0 };
  let prober: Prober | undefined;
  try {
    const ns = await createFwTopology(tag, created);
    await def.load({ ns: ns.m, tmp });
    const dump = async (...argv: string[]) => (await run(['ip', 'netns', 'exec', ns.m, ...argv])).stdout;
    out.dumps = { iptables4: await dump('iptables-save'), iptables6: await dump('ip6tables-save'), nft: await dump('nft', 'list', 'ruleset'), nftJson: await dump('nft', '-j', 'list', 'ruleset') };
    const tables = [...out.dumps.nft.matchAll(/^table (ip6?|inet) /gm)].map((m) => m[1]);
    out.families = ([4, 6] as const).filter((f) => tables.includes('inet') || tables.includes(f === 4 ? 'ip' : 'ip6'));
    out.views = VIEWS.filter((v) => v !== 'iptables-save' || /^\*/m.test(out.dumps.iptables4 + out.dumps.iptables6));

    prober = new Prober(python);
    await prober.init(ns);
    let nextId = 1;
    const ids = new Map<ProbeResult, number>();
    for (const family of out.families) {
      const byName = new Map<string, ProbeResult>();
      for (const probe of probesFor(family)) {
        const result: ProbeResult = { probe, kernel: 'not run', evaluator: {} };
        byName.set(probe.name, result);
        out.results.push(result);
        const flushErrors = await prober.flush('m');
        if (flushErrors.length) throw new Error(`conntrack flush in ${ns.m}: ${flushErrors.join('; ')}`);
        let send: SendSpec = probe.send;
        if (probe.quotes) {
          const quoted = probe.quotes.map((n) => byName.get(n)).find((r) => r?.kernel === 'arrived');
          if (!quoted) {
            result.note = 'no flow that way crosses the gateway: nobody would send this error';
            continue;
          }
          // the quoted flow again, so that conntrack knows it when its error comes back
          const q = quoted.probe.send;
          const inner = { family: q.family, kind: q.kind, src: q.src, dst: q.dst, sport: q.sport, dport: q.dport };
          const again = await prober.probe(nextId++, quoted.probe.send, quoted.probe.expect, DROP_WAIT_MS);
          if (!again.arrived) {
            result.note = `the quoted flow (${quoted.probe.name}) did not cross this time`;
            continue;
          }
          send = { ...probe.send, inner };
          result.note = `quotes ${quoted.probe.name.replace(/\s+/g, ' ')}`;
        }
        const id = nextId++;
        ids.set(result, id);
        const reply = await prober.probe(id, send, probe.expect, DROP_WAIT_MS);
        result.kernel = reply.arrived ? 'arrived' : 'dropped';
        if (reply.sendError) {
          result.sendError = reply.sendError;
          // EPERM from sendto is an OUTPUT rule's drop; anything else means the packet never existed
          if (probe.packet.path !== 'output' || !/not permitted/i.test(reply.sendError)) {
            result.kernel = 'not run';
            result.note = `sendto failed: ${reply.sendError}`;
          }
        }
      }
    }
    const seen = new Set((await prober.sweep(SWEEP_MS)).map((k) => k.join('|')));
    for (const [result, id] of ids) {
      const e = result.probe.expect;
      const key = [e.ns, e.proto, e.icmp?.[0] ?? -1, e.icmp?.[1] ?? -1, id].join('|');
      if (result.kernel === 'dropped' && seen.has(key)) {
        result.kernel = 'arrived';
        result.late = true;
      }
    }
    evaluateViews(out);
    if (process.env.FW_LAB_DUMPS) await saveDumps(out, process.env.FW_LAB_DUMPS);
  } catch (err) {
    out.error = err instanceof Error ? err.message : String(err);
  } finally {
    await prober?.stop().catch(() => undefined);
    const problems = await destroyFwNamespaces(created);
    await rm(tmp, { recursive: true, force: true });
    if (problems.length) out.error = [out.error, ...problems].filter(Boolean).join('; ');
    out.ms = Date.now() - started;
  }
  return out;
}

/** FW_LAB_DUMPS=DIR keeps each ruleset's dumps for a closer look. */
async function saveDumps(out: RulesetRun, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const base = join(dir, out.def.id);
  await writeFile(`${base}.iptables-save`, out.dumps.iptables4);
  await writeFile(`${base}.ip6tables-save`, out.dumps.iptables6);
  await writeFile(`${base}.nft`, out.dumps.nft);
  await writeFile(`${base}.nft.json`, out.dumps.nftJson);
  const rows = out.results.map((r) => ({ family: r.probe.family, probe: r.probe.name, kernel: r.kernel, note: r.note, evaluator: r.evaluator }));
  await writeFile(`${base}.results.json`, JSON.stringify(rows, null, 1));
}

function evaluateViews(out: RulesetRun): void {
  const decoded = new Map<string, Ruleset>();
  const decode = (view: View, family: 4 | 6): Ruleset => {
    const [text, source, type] =
      view === 'iptables-save'
        ? family === 4 ? [out.dumps.iptables4, 'iptables-save', 'iptables-save'] : [out.dumps.iptables6, 'ip6tables-save', 'ip6tables-save']
        : view === 'nft' ? [out.dumps.nft, 'nft list ruleset', 'nft'] : [out.dumps.nftJson, 'nft -j list ruleset', 'nft-json'];
    const key = `${view}/${family}`;
    let rs = decoded.get(key);
    if (!rs) {
      const r = decodeRuleset(text, source, type);
      rs = r.ruleset;
      decoded.set(key, rs);
      const diags = r.diagnostics.map((d) => `${d.at.source}:${d.at.line ?? '?'} ${d.message}`);
      out.diagnostics[view] = [...new Set([...(out.diagnostics[view] ?? []), ...diags])];
    }
    return rs;
  };
  for (const result of out.results) {
    if (result.kernel === 'not run') continue;
    for (const view of out.views) {
      const e = evaluate(decode(view, result.probe.family), result.probe.packet);
      const open = e.undecided.some((r) => ['accept', 'drop', 'reject', 'jump', 'goto'].includes(r.verdict.kind) && r.verdict.kind !== e.decision.verdict);
      result.evaluator[view] = { verdict: e.decision.verdict, by: describe(e.decision), undecided: e.undecided.map((r) => `${r.at.line ?? '?'}: ${r.text}`), open };
    }
  }
}

function describe(d: Decision): string {
  const where = `${d.table.family} ${d.table.name}/${d.chain.name}`;
  if (d.rule) return `${where} line ${d.rule.at.line ?? '?'}: ${d.rule.text.trim()}`;
  return `${where} policy ${d.chain.policy ?? 'accept'}`;
}

/**
 * true / false: the evaluator's verdict agrees or not with the kernel's; 'undecided': it
 * disagrees, but rests on a rule the evaluator said it could not read (not a wrong claim:
 * an open question, which the tool reports as such); undefined: not run.
 */
export function agrees(r: ProbeResult, view: View): boolean | 'undecided' | undefined {
  const e = r.evaluator[view];
  if (r.kernel === 'not run' || !e) return undefined;
  const same = (e.verdict === 'accept') === (r.kernel === 'arrived');
  return same ? true : e.open ? 'undecided' : false;
}
