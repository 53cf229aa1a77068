/**
 * AFM network-firewall events (tmm, message 23003137 "Network Event"), ../shared/reference/
 * platforms.md §2.1. The field list is configurable per security log profile (F5's
 * bigip_firewall_log_profile_network docs: `log_storage_format` none / field-list / user
 * string, `log_translation_fields` yes/no), and one article (the seed "Passthrough IPSec with
 * AFM") shows 26-, 23- and 15-field lines, so fields are recognised by what they hold, not
 * where they stand: the context type, then the first two addresses (source, destination),
 * the two port numbers after them, the VLAN path, the protocol name, the action, the rule
 * before the action and the drop reason after it, the 16-digit flow id.
 *
 * The RFC 5424 structured-data form names its fields (`[F5@12276 action="Reject" …]`), with
 * keys that differ from the CSV list (`ip_protocol`, `source_ip`, `source_port`).
 */
import type { LogEventData } from '../../../evidence/log-events.js';
import { isAddress, stripRouteDomain } from '../text.js';

export type FirewallDecision = LogEventData['firewall-decision'];

const CONTEXT_TYPES = new Set(['Global', 'Virtual Server', 'Route Domain', 'Self IP', 'Management Port']);
const PROTOCOLS = new Set(['UDP', 'TCP', 'ESP', 'AH', 'ICMP', 'ICMPV6', 'IPV6-ICMP', 'GRE', 'SCTP', 'IPIP', 'IPV6', 'OSPF']);
/** actions AFM prints (seed: "Accept decisively", "Reject"; f5-ansible names Accept and Drop as loggable matches) */
const ACTIONS: Record<string, FirewallDecision['verdict']> = { 'accept decisively': 'accept', accept: 'accept', established: 'accept', drop: 'drop', reject: 'reject' };
const POLICY_TYPES = new Set(['Enforced', 'Staged']);
const FLOW_ID = /^[0-9a-f]{16}$/i;
const NUMBER = /^\d{1,5}$/;

function verdictOf(action: string): FirewallDecision['verdict'] | undefined {
  return ACTIONS[action.trim().toLowerCase()];
}

/** The CSV fields after `23003137 `: a decision, or undefined when they do not hold one. */
export function decisionFromFields(f: readonly string[]): FirewallDecision | undefined {
  const actionAt = f.findIndex((v) => verdictOf(v) !== undefined);
  if (actionAt < 0) return undefined;
  const ctxAt = f.findIndex((v) => CONTEXT_TYPES.has(v));
  const start = ctxAt >= 0 ? ctxAt + 1 : 0;
  // the client-side addresses come first; the translated (server-side) ones, when logged, after the protocol
  const addrs: number[] = [];
  for (let i = start; i < actionAt && addrs.length < 2; i++) if (isAddress(f[i])) addrs.push(i);
  if (addrs.length < 2) return undefined;
  const ports: number[] = [];
  for (let i = addrs[1] + 1; i < actionAt && ports.length < 2; i++) {
    if (NUMBER.test(f[i])) ports.push(i);
    else if (f[i] !== '' && !/^[A-Za-z-]+$/.test(f[i])) break; // a geo name ("No-lookup") may sit between; a path or protocol ends the ports
  }
  const protoAt = f.findIndex((v, i) => i > addrs[1] && i < actionAt && PROTOCOLS.has(v.toUpperCase()));
  if (protoAt < 0) return undefined;
  const vlan = f.find((v, i) => i > addrs[1] && i < protoAt && v.startsWith('/'));
  // the rule: the nearest non-empty field before the action that is not the policy type, a UUID or the policy itself
  let rule: string | undefined;
  let ruleAt = -1;
  for (let i = actionAt - 1; i > protoAt; i--) {
    const v = f[i];
    if (!v || POLICY_TYPES.has(v) || /^[0-9a-f-]{32,36}$/i.test(v)) continue;
    rule = v;
    ruleAt = i;
    break;
  }
  const policyTypeAt = f.findIndex((v, i) => i > protoAt && i < actionAt && POLICY_TYPES.has(v));
  const policy = policyTypeAt >= 0 && ruleAt > policyTypeAt + 1 ? f.slice(policyTypeAt + 1, ruleAt).find((v) => v.startsWith('/')) : undefined;
  const after = f[actionAt + 1];
  const reason = after && !FLOW_ID.test(after) && !/^(NAT|SNAT|DNAT|NAPT|PBA|Deterministic)/i.test(after) ? after : undefined;
  const flowId = [...f].reverse().find((v) => FLOW_ID.test(v));
  const hostname = f.slice(0, Math.max(0, ctxAt)).find((v) => v && !isAddress(v));
  return {
    verdict: verdictOf(f[actionAt])!,
    action: f[actionAt],
    protocol: f[protoAt].toUpperCase(),
    src: endpoint(f[addrs[0]], ports[0] !== undefined ? f[ports[0]] : undefined),
    dst: endpoint(f[addrs[1]], ports[1] !== undefined ? f[ports[1]] : undefined),
    ...(rule ? { rule, defaultRule: rule === '(Default)' } : {}),
    ...(ctxAt >= 0 ? { contextType: f[ctxAt] } : {}),
    ...(ctxAt >= 0 && f[ctxAt + 1] && !isAddress(f[ctxAt + 1]) ? { context: f[ctxAt + 1] } : {}),
    ...(policy ? { policy } : {}),
    ...(reason ? { reason } : {}),
    ...(vlan ? { vlan } : {}),
    ...(flowId ? { flowId, flowCreated: !/^0+$/.test(flowId) } : {}),
    ...(hostname ? { box: hostname } : {}),
  };
}

function endpoint(addr: string, port: string | undefined): { address: string; port?: number } {
  return { address: stripRouteDomain(addr), ...(port !== undefined ? { port: Number(port) } : {}) };
}

/** `key="value"` pairs of an RFC 5424 structured-data element (values may hold `\"`). */
export function sdPairs(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /([A-Za-z_][\w.-]*)="((?:[^"\\]|\\.)*)"/g;
  let m: RegExpExecArray | null;
  let guard = 0;
  while ((m = re.exec(text)) !== null && guard++ < 200) out.set(m[1], m[2].replace(/\\(.)/g, '$1'));
  return out;
}

/** The structured-data form: field names, so no guessing. */
export function decisionFromSd(kv: Map<string, string>): FirewallDecision | undefined {
  const action = kv.get('action');
  const verdict = action ? verdictOf(action) : undefined;
  const src = kv.get('source_ip') ?? kv.get('src_ip');
  const dst = kv.get('dest_ip') ?? kv.get('dst_ip');
  const proto = kv.get('ip_protocol') ?? kv.get('protocol');
  if (!verdict || !action || !src || !dst || !proto || !isAddress(src) || !isAddress(dst)) return undefined;
  const port = (v: string | undefined) => (v && NUMBER.test(v) ? v : undefined);
  const rule = kv.get('acl_rule_name') || undefined;
  const flowId = kv.get('flow_id');
  return {
    verdict, action, protocol: proto.toUpperCase(),
    src: endpoint(src, port(kv.get('source_port') ?? kv.get('src_port'))),
    dst: endpoint(dst, port(kv.get('dest_port') ?? kv.get('dst_port'))),
    ...(rule ? { rule, defaultRule: rule === '(Default)' } : {}),
    ...(kv.get('context_type') ? { contextType: kv.get('context_type') } : {}),
    ...(kv.get('context_name') ? { context: kv.get('context_name') } : {}),
    ...(kv.get('acl_policy_name') ? { policy: kv.get('acl_policy_name') } : {}),
    ...(kv.get('drop_reason') ? { reason: kv.get('drop_reason') } : {}),
    ...(kv.get('vlan') ? { vlan: kv.get('vlan') } : {}),
    ...(flowId && FLOW_ID.test(flowId) ? { flowId, flowCreated: !/^0+$/.test(flowId) } : {}),
    ...(kv.get('hostname') ? { box: kv.get('hostname') } : {}),
  };
}

/**
 * F5 Telemetry Streaming's JSON of the same event (its Event Listener turns the AFM log into an
 * object per event: F5Networks/f5-telemetry-streaming examples/output/request_logs/
 * afm_request_log.json): the structured-data keys (`source_ip`, `dest_ip`, `ip_protocol`,
 * `acl_rule_name`, `context_type`, `drop_reason`, `flow_id`, `hostname` …) with
 * `errdefs_msgno` "23003137". Anything else parsed from JSON is not this event.
 */
export function decisionFromJson(text: string): FirewallDecision | undefined | 'other' {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'other';
  const kv = new Map(Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => (typeof v === 'string' || typeof v === 'number' ? [[k, String(v)] as [string, string]] : [])));
  if (kv.get('errdefs_msgno') !== '23003137') return 'other';
  return decisionFromSd(kv);
}

/** Brace depth after a line of JSON text (strings and their escapes skipped), from depth `d`. */
export function jsonDepth(line: string, d: number): number {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') d++;
    else if (c === '}' || c === ']') d--;
  }
  return d;
}

/** `"IPSEC_TEARDOWN""1.1.1.1:0""1.1.1.1:0""AH""1598875123247""1953384""<null>"` (seed; fields abut without a separator). */
export function teardownFrom(body: string): LogEventData['flow-teardown'] | undefined {
  const m = /^"(IPSEC|IKE)_TEARDOWN"((?:"[^"]*")*)\s*$/.exec(body.trim());
  if (!m) return undefined;
  const fields = [...m[2].matchAll(/"([^"]*)"/g)].map((x) => x[1]);
  const endpoints = fields.flatMap((v) => {
    const e = /^(.+):(\d{1,5})$/.exec(v);
    return e && isAddress(e[1]) ? [{ address: stripRouteDomain(e[1]), port: Number(e[2]) }] : [];
  });
  const protocol = fields.find((v) => /^(ESP|AH)$/.test(v));
  return { what: m[1] === 'IKE' ? 'ike' : 'ipsec', ...(protocol ? { protocol } : {}), endpoints };
}
