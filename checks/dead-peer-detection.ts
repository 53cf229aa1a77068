import { defineCheck } from '../src/engine/define-check.js';
import type { CheckContext, FindingInput } from '../src/engine/types.js';
import type { Evidence, EvidenceRef } from '../src/evidence/types.js';
import type { LogEvent } from '../src/evidence/log-events.js';
import { bothSides, mergeMutual } from '../src/engine/corroborate.js';
import { hostsAt, refsOf, type LogFile } from '../src/evidence/derived/log/sessions.js';
import { establishedAfter } from '../src/evidence/derived/log/phase.js';
import { livenessSilences } from '../src/evidence/derived/liveness.js';
import { ikeRef } from '../src/evidence/derived/wire/refs.js';
import { pushTo } from '../src/evidence/derived/aggregate.js';
import { actionWithoutRecovery, disabledWhy, dpdView, peerRecovers, type DpdView } from '../src/evidence/derived/config/dpd.js';
import { configPairs, loadable } from '../src/evidence/derived/config/pairs.js';
import { humanDuration } from '../src/evidence/derived/config/compare.js';
import { refs, type ConfiguredConnection } from '../src/evidence/derived/config/connections.js';

export default defineCheck({
  meta: {
    id: 'dead-peer-detection',
    title: 'Dead peer detection / liveness',
    stage: 'liveness',
    description:
      'Finds established SAs torn down because the peer stopped answering DPD (RFC 3706, IKEv1 R_U_THERE) or IKEv2 liveness checks ' +
      '(RFC 7296 §2.4: empty INFORMATIONAL requests): libreswan "DPD action - …", "liveness action - …", strongSwan retransmits of an ' +
      'INFORMATIONAL request on an established IKE SA followed by "giving up". ' +
      'From configs: DPD off (swanctl dpd_delay 0, strongSwan ipsec.conf dpdaction=none, libreswan dpddelay 0, PAN-OS `protocol ikev1|ikev2 dpd enable no` — with PAN-OS\'s own facts: IKEv1 DPD runs only at a phase-2 rekey, KB kA10g000000ClFaCAK; IKEv2 liveness leaves the tunnel interface and its routes up, KB kA10g000000ClgcCAC), detection without recovery, the two peers disagreeing, and settings the daemon ignores.',
    requires: ['logEvents', 'configs'], reads: ['dpd', 'dpd-action', 'give-up', 'retransmit', 'peer-retransmit'],
    codes: {
      DPD_TIMEOUT: {
        severity: 'error',
        message: 'The peer {peer} stopped answering {mechanism} on an established SA ({otherLog?and {peerAddress}\'s log says the same of {localAddress}: the path between them failed in both directions|noticed by {noticedBy?{noticedBy}|this log\'s host}}{onTheWire?; {onTheWire}}{otherLog.onTheWire?; {otherLog.onTheWire}}); action taken: {action}; established again later: {occurrences=1?{recovered=yes?yes (line {reestablishedLine})|no}|{recoveredTimes} of the {occurrences} times{lastReestablishedLine? (the last at line {lastReestablishedLine})}}.',
        hint: 'The peer or the path went away after the tunnel was up (reboot, NAT mapping expired, UDP 4500 dropped, ISP outage). Check the peer and the path; tune the timers to your link: strongSwan swanctl.conf `dpd_delay`/`dpd_timeout` and `dpd_action` (ipsec.conf `dpddelay`/`dpdtimeout`/`dpdaction`), libreswan `dpddelay`/`dpdtimeout` (IKEv2: `retransmit-timeout`) and `dpdaction`.',
      },
      DPD_DISABLED: {
        severity: 'warning',
        message: 'Connection {conn} ({file}) runs no dead peer detection / liveness check: a dead peer is noticed only when this side next sends a request — at the next rekey, after up to {noticedAfter} plus {retransmit} of retransmissions.',
        hint: 'Until then traffic is sent into a dead tunnel and no failover or re-establishment happens. Enable it: {enableHow}',
      },
      DPD_ACTION_NONE: {
        severity: 'warning',
        message: 'Connection {conn} in {file} (this host {host}) detects a dead peer every {delay} but then only clears child {child} ({actionKey} = {action}) and installs no trap: {consequence}.',
        hint: 'Use `dpd_action = restart` (or `start_action = trap` so traffic re-triggers it) in swanctl.conf; `dpdaction=restart` or `hold` with `auto=route` in ipsec.conf.',
      },
      DPD_MISMATCH: {
        severity: 'warning',
        message: 'DPD differs between the peers of {connA}: {fileA} {stateA}, {fileB} {stateB}.',
        hint: 'Configure DPD/liveness on both peers with similar intervals, so whichever side survives notices the other\'s loss and recovers (swanctl `dpd_delay`, ipsec.conf `dpddelay`).',
      },
      DPD_SETTING_IGNORED: {
        severity: 'info',
        message: '{key} in {conn} ({file}) has no effect: {reason}.',
        hint: 'Remove it or set what the daemon uses instead, so the config says what really happens.',
      },
    },
  },
  run(ctx) {
    const timeouts: FindingInput[] = [];
    checkLogs(ctx.evidence, (f) => timeouts.push(f));
    // each peer's log says the other went silent: one finding about the path between them
    for (const f of mergeMutual(timeouts, () => true, bothWays)) ctx.report(f);
    checkConfigs(ctx);
  },
});

function checkLogs(evidence: Evidence, out: (f: FindingInput) => void): void {
  // a tunnel that fails and comes back for weeks logs the same timeout hundreds of times: one finding, counted (first and last cited)
  const groups = new Map<string, FindingInput[]>();
  // a capture of the same requests going unanswered proves the silence on the wire (ike-reachability lowers its IKE_NO_RESPONSE to this finding)
  for (const [t, wire] of livenessSilences(evidence)) {
    const frames = wire.groups.flatMap((g) => g.exchanges.flatMap((e) => e.requests)).slice(0, 8).map(ikeRef);
    const f = timeout(t.file, t.anchor, { peer: t.peer ?? '(address not in the log)', mechanism: t.mechanism, action: t.action, retransmits: t.retransmits, onTheWire: wire.text }, t.events, frames);
    pushTo(groups, JSON.stringify([t.file.source, f.data!.conn, f.data!.peer, f.data!.mechanism, f.data!.action, f.data!.localAddress, wire.text]), f);
  }
  for (const g of groups.values()) out(g.length === 1 ? g[0] : repeated(g));
}

function timeout(file: LogFile, anchor: LogEvent, data: Record<string, unknown>, events: (LogEvent | undefined)[], frames: EvidenceRef[]): FindingInput {
  const again = establishedAfter(file, anchor);
  const hosts = hostsAt(file, anchor);
  return {
    code: 'DPD_TIMEOUT',
    data: { ...data, ...hosts, noticedBy: hosts.localAddress, conn: anchor.conn, occurrences: 1, recovered: again ? 'yes' : 'no', reestablishedLine: again?.at.line },
    // the capture's frames among the first lines a text report shows, as a log and capture of one silence are (corroborate.ts)
    evidence: bothSides(refsOf([...events, again]), frames),
  };
}

function repeated(g: FindingInput[]): FindingInput {
  const [first, last] = [g[0], g[g.length - 1]];
  const back = g.filter((f) => f.data!.recovered === 'yes');
  const lastBack = back.length ? back[back.length - 1].data!.reestablishedLine : undefined;
  return { code: first.code, data: { ...first.data, occurrences: g.length, recoveredTimes: back.length, recovered: back.length === g.length ? 'yes' : back.length ? 'sometimes' : 'no', lastReestablishedLine: lastBack }, evidence: [...first.evidence, ...last.evidence] };
}

/** Both peers gave up on each other: the path failed both ways (or both lost their state at once). */
function bothWays(a: FindingInput, b: FindingInput): FindingInput {
  // each log's first lines, then the capture's frames of both (a frame cited by both once)
  const frames = [...a.evidence, ...b.evidence].filter((r, i, all) => r.frame !== undefined && all.findIndex((x) => x.source === r.source && x.frame === r.frame) === i);
  const lines = (f: FindingInput) => f.evidence.filter((r) => r.frame === undefined).slice(0, 6);
  return { code: a.code, data: { ...a.data, seenIn: "both peers' logs", otherLog: b.data }, evidence: [...lines(a), ...lines(b), ...frames] };
}

// ---------------------------------------------------------------------------
// config side: what the configured timers and actions will do

function checkConfigs(ctx: CheckContext): void {
  const views = new Map<object, DpdView>();
  const pairs = configPairs(ctx.evidence);
  const partnerOf = new Map<object, ConfiguredConnection>(pairs.flatMap(({ a, b }) => [[a.original, b], [b.original, a]] as const));
  for (const facts of ctx.evidence.configs ?? []) {
    for (const conn of loadable(facts)) {
      if (conn.children.length && conn.children.every((c) => c.mode.value === 'pass' || c.mode.value === 'drop')) continue;
      const view = dpdView(facts, conn);
      views.set(conn, view);
      const base = { conn: conn.name, file: facts.source };
      for (const ig of view.ignored) ctx.report({ code: 'DPD_SETTING_IGNORED', data: { ...base, key: ig.setting.key, reason: ig.reason }, evidence: refs(ig.setting) });
      if (!view.enabled && !view.undetermined) {
        ctx.report({
          code: 'DPD_DISABLED',
          // a road-warrior responder (%any peers) loses little: clients reconnect on their own
          severity: view.siteToSite ? undefined : 'info',
          data: { ...base, siteToSite: view.siteToSite, severityReason: disabledWhy(view), noticedAfter: view.noticedAfter ? humanDuration(view.noticedAfter) : 'never (no rekey configured)', noticedAfterSeconds: view.noticedAfter, retransmit: view.retransmitText ?? humanDuration(view.retransmitSeconds), enableHow: view.enableHow, platformFacts: view.platformFacts },
          evidence: refs(view.offBecause ?? view.delay, view.noticedBy),
        });
      }
      const partner = partnerOf.get(conn);
      const rescue = partner && peerRecovers(dpdView(partner.facts, partner.original));
      for (const a of actionWithoutRecovery(view)) {
        const peer = conn.remote.addrs.value.join(', ');
        ctx.report({
          code: 'DPD_ACTION_NONE',
          // the peer's own DPD restarts the tunnel from its side: this one is not left down
          ...(rescue ? { severity: 'info' as const } : {}),
          data: {
            ...base, child: a.child, action: a.action.value, actionKey: a.action.key, delay: humanDuration(view.delay.value), peer: conn.remote.addrs.value, host: conn.local.addrs.value.join(', ') || 'address not written',
            consequence: rescue ? `this side does not bring the tunnel to ${peer} back, the peer does (${partner.facts.source}: ${rescue.excerpt})` : `the tunnel to ${peer} stays down until someone restarts it`,
            ...(rescue ? { recoveredBy: partner.facts.source, severityReason: `the peer's config ${partner.facts.source} restarts the tunnel when its own DPD fires (${rescue.excerpt})` } : {}),
          },
          evidence: refs(view.delay, a.action, a.startAction, rescue),
        });
      }
    }
  }
  for (const { a, b } of pairs) {
    const va = views.get(a.original);
    const vb = views.get(b.original);
    if (!va || !vb || va.undetermined || vb.undetermined) continue;
    const state = (v: DpdView) => (v.enabled ? `checks every ${humanDuration(v.delay.value)}` : 'runs no DPD');
    const onlyOne = va.enabled !== vb.enabled;
    const ratio = va.enabled && vb.enabled ? Math.max(va.delay.value, vb.delay.value) / Math.min(va.delay.value, vb.delay.value) : 1;
    if (!onlyOne && ratio < 3) continue;
    ctx.report({
      code: 'DPD_MISMATCH',
      severity: onlyOne ? undefined : 'info',
      data: { connA: a.conn.name, connB: b.conn.name, fileA: a.facts.source, fileB: b.facts.source, stateA: state(va), stateB: state(vb), delayA: va.enabled ? va.delay.value : 0, delayB: vb.enabled ? vb.delay.value : 0 },
      evidence: refs(va.offBecause ?? va.delay, vb.offBecause ?? vb.delay),
    });
  }
}
