/**
 * Dead peer detection as each daemon will actually run it for a configured
 * connection, with the settings it ignores:
 * - swanctl: on when `dpd_delay` > 0 (default 0s); `dpd_timeout` is IKEv1 only
 *   (swanctl.opt); the action is per child (`dpd_action`, default clear).
 * - strongSwan ipsec.conf: `dpdaction=none` (the default) disables DPD whatever
 *   `dpddelay` says (ipsec.conf(5)); `dpdtimeout` applies to IKEv1 only.
 * - libreswan: on when `dpddelay` > 0 (default 0); IKEv1 needs `dpdtimeout` too
 *   (pluto: "IKEv1 dpd settings are ignored unless both dpdtimeout= and dpddelay= are
 *   set"); IKEv2 ignores `dpdtimeout` ("IKEv2 ignores dpdtimeout==; use dpddelay= and
 *   retransmit-timeout="); `dpdaction` is obsolete in libreswan 5 ("obsolete keyword
 *   ignored: dpdaction=clear") — see testing/pluto/addconn-09-dpd-vs-liveness.
 * - PAN-OS: IKEv1 DPD (`protocol ikev1 dpd enable`, interval, retry) or IKEv2 liveness
 *   (`protocol ikev2 dpd enable`, interval). IKEv1 DPD is "not persistent": it runs only
 *   when a phase-2 rekey is due, so while phase 2 is up a dead peer goes unnoticed
 *   (KB kA10g000000ClFaCAK). IKEv2 liveness gives up after 10 retries — 1+2+…+64 = 319 s in
 *   PAN-OS 7.0 (KB kA10g000000ClgcCAC), 5+10+20+40+6×60 = 7 min 15 s in PAN-OS 11.0
 *   ("Set Up Tunnel Monitoring") — then deletes the SAs, but the tunnel interface and the static
 *   routes through it stay up: failing over needs tunnel monitoring, PBF or dynamic routing
 *   (same KB). Whether DPD/liveness runs when `enable` is not written changed between releases
 *   (7.0 KB: liveness "not enabled by default"; 11.0 docs: "enabled by default"), so that case
 *   is undetermined and not judged.
 */
import type { ConfigFacts, ConnectionConfig, Setting } from '../../config-types.js';

export interface IgnoredDpdSetting {
  setting: Setting<unknown>;
  reason: string;
}

export interface ChildDpdAction {
  child: string;
  action: Setting<string>;
  startAction: Setting<string>;
}

export interface DpdView {
  facts: ConfigFacts;
  conn: ConnectionConfig;
  enabled: boolean;
  delay: Setting<number>;
  /** the setting that turns DPD off (delay 0, strongSwan dpdaction=none, libreswan IKEv1 without dpdtimeout) */
  offBecause?: Setting<unknown>;
  actions: ChildDpdAction[];
  ignored: IgnoredDpdSetting[];
  /** the peer is a fixed address (site-to-site) rather than %any (road warriors) */
  siteToSite: boolean;
  /** without DPD, the next request this side sends (rekey/reauth) finds a dead peer: seconds until then */
  noticedAfter?: number;
  noticedBy?: Setting<number>;
  /** how long retransmissions run before the SA is declared dead, seconds (daemon defaults) */
  retransmitSeconds: number;
  /** the same for a message, when the vendor publishes a range or nothing (PAN-OS) */
  retransmitText?: string;
  /** whether DPD runs depends on the release (PAN-OS without `dpd enable` written): not judged */
  undetermined?: boolean;
  /** the platform's own facts about what happens without DPD, each with its source */
  platformFacts?: Array<{ fact: string; source: string }>;
  /** how to turn it on, in this platform's syntax (the hint) */
  enableHow: string;
}

const KB_IKEV1_DPD = 'https://knowledgebase.paloaltonetworks.com/KCSArticleDetail?id=kA10g000000ClFaCAK';
const KB_LIVENESS = 'https://knowledgebase.paloaltonetworks.com/KCSArticleDetail?id=kA10g000000ClgcCAC';
const DOC_MONITORING_11 = 'https://docs.paloaltonetworks.com/content/techdocs/en_US/pan-os/11-0/pan-os-admin/vpns/set-up-site-to-site-vpn/set-up-tunnel-monitoring.html';

/** What PAN-OS itself says about a gateway's dead-peer handling, for the finding's data. */
export const PANOS_DPD_FACTS = {
  ikev1: { fact: 'PAN-OS IKEv1 DPD is not persistent: it runs only when a phase-2 rekey is due, so while phase 2 is up a dead peer is not noticed; tunnel monitoring makes phase 2 rekey and DPD run', source: KB_IKEV1_DPD },
  ikev2: { fact: 'PAN-OS IKEv2 liveness gives up after 10 retries (319 s in PAN-OS 7.0, 7 min 15 s in 11.0) and deletes the SAs, but the tunnel interface stays up and static routes through it stay active: failover needs tunnel monitoring, policy-based forwarding or dynamic routing', source: `${KB_LIVENESS} ; ${DOC_MONITORING_11}` },
};

const STRONGSWAN_LIBRESWAN_ENABLE = 'swanctl `dpd_delay = 30s` (with `dpd_action = restart` or `start_action = trap`), strongSwan ipsec.conf `dpdaction=restart` (+ `dpddelay=30s`), libreswan `dpddelay=30` (IKEv1 also `dpdtimeout=120`).';

function panosEnableHow(conn: ConnectionConfig): string {
  const v = conn.ikeVersion.value;
  const ver = v === 1 ? 'ikev1' : 'ikev2';
  const tunnel = conn.children.find((c) => c.tunnel)?.tunnel ?? '<tunnel>';
  return `PAN-OS \`set network ike gateway ${conn.name} protocol ${ver} dpd enable yes\` (\`… dpd interval 5\`${v === 1 ? ', `… dpd retry 5`' : ''}); since ${v === 1 ? 'IKEv1 DPD runs only at a phase-2 rekey' : 'IKEv2 liveness leaves the tunnel interface and its routes up'}, add tunnel monitoring with a fail-over profile: \`set network tunnel ipsec ${tunnel} tunnel-monitor enable yes\`, \`… tunnel-monitor destination-ip <address across the tunnel>\`, \`… tunnel-monitor tunnel-monitor-profile <profile>\`, \`set network profiles monitor-profile <profile> action fail-over\` (strongSwan peer: ${STRONGSWAN_LIBRESWAN_ENABLE.replace(/\.$/, '')}).`;
}

// strongSwan: retransmit_tries 5, timeout 4s, base 1.8 → 4+7.2+13+23.3+42+75.6 ≈ 165s; libreswan retransmit-timeout 60s
const STRONGSWAN_RETRANSMIT = 165;
const LIBRESWAN_RETRANSMIT = 60;

export function dpdView(facts: ConfigFacts, conn: ConnectionConfig): DpdView {
  if (facts.dialect === 'panos') return panosDpdView(facts, conn);
  const lib = facts.dialect === 'libreswan';
  const v = conn.ikeVersion.value;
  const ignored: IgnoredDpdSetting[] = [];
  const { delay, timeout, action } = conn.dpd;
  let enabled = delay.value > 0;
  let offBecause: Setting<unknown> | undefined = enabled ? undefined : delay;
  if (facts.type === 'swanctl') {
    if (timeout && !timeout.implicit && v === 2) ignored.push({ setting: timeout, reason: 'dpd_timeout applies to IKEv1 only; IKEv2 declares a peer dead when its retransmissions time out (charon.retransmit_tries/timeout/base in strongswan.conf)' });
  } else if (!lib) {
    if (action && action.value.toLowerCase() === 'none') {
      if (enabled) offBecause = action;
      enabled = false;
      if (!delay.implicit) ignored.push({ setting: delay, reason: `dpddelay has no effect while dpdaction=none${action.implicit ? ' (the default)' : ''}: strongSwan runs DPD only with dpdaction=clear, hold or restart` });
    }
    if (timeout && !timeout.implicit && v === 2) ignored.push({ setting: timeout, reason: 'dpdtimeout applies to IKEv1 only; IKEv2 uses the retransmission timeout' });
  } else {
    if (timeout && !timeout.implicit && v !== 1) ignored.push({ setting: timeout, reason: 'IKEv2 ignores dpdtimeout=; use dpddelay= and retransmit-timeout= (pluto)' });
    if (v === 1 && (delay.value > 0) !== ((timeout?.value ?? 0) > 0)) {
      const given = delay.value > 0 ? delay : timeout!;
      ignored.push({ setting: given, reason: 'IKEv1 DPD needs both dpddelay= and dpdtimeout= non-zero (pluto: "IKEv1 dpd settings are ignored unless both dpdtimeout= and dpddelay= are set")' });
      enabled = false;
      offBecause = given;
    }
    if (action && !action.implicit) ignored.push({ setting: action, reason: 'obsolete keyword ignored: dpdaction= (libreswan 5); after a liveness failure the connection is restarted or not according to auto=' });
  }
  return {
    ...common(conn),
    facts,
    conn,
    enabled,
    delay,
    offBecause,
    ignored,
    retransmitSeconds: lib ? LIBRESWAN_RETRANSMIT : STRONGSWAN_RETRANSMIT,
    enableHow: STRONGSWAN_LIBRESWAN_ENABLE,
  };
}

/** What every dialect computes alike: the children's actions, site-to-site or not, and the first request that would find a dead peer. */
function common(conn: ConnectionConfig): Pick<DpdView, 'actions' | 'siteToSite' | 'noticedAfter' | 'noticedBy'> {
  const actions: ChildDpdAction[] = conn.children.map((c) => ({ child: c.name, action: c.dpdAction, startAction: c.startAction }));
  const remote = conn.remote.addrs.value;
  const siteToSite = remote.length > 0 && remote.every((a) => !a.startsWith('%') && a !== '0.0.0.0' && a !== '::');
  const candidates: Setting<number>[] = [conn.ikeRekeyTime, ...(conn.reauthTime ? [conn.reauthTime] : []), ...conn.children.map((c) => c.rekeyTime)].filter((s) => s.value > 0);
  const noticedBy = candidates.sort((a, b) => a.value - b.value)[0];
  return { actions, siteToSite, noticedAfter: noticedBy?.value, noticedBy };
}

// PAN-OS 7.0 liveness retries (KB kA10g000000ClgcCAC); 11.0 documents 435 s
const PANOS_LIVENESS_RETRANSMIT = 319;

function panosDpdView(facts: ConfigFacts, conn: ConnectionConfig): DpdView {
  const v = conn.ikeVersion.value;
  const { delay } = conn.dpd;
  const enabled = delay.value > 0;
  const ikev1 = v === 1;
  return {
    ...common(conn),
    facts,
    conn,
    enabled,
    delay,
    offBecause: enabled ? undefined : delay,
    ignored: [],
    retransmitSeconds: PANOS_LIVENESS_RETRANSMIT,
    // Palo Alto publishes no IKEv1 retransmission schedule
    retransmitText: ikev1 ? 'PAN-OS\'s IKEv1 retransmission time (not published by Palo Alto Networks)' : '5m19s (PAN-OS 7.0) to 7m15s (PAN-OS 11.0)',
    undetermined: delay.implicit === true,
    platformFacts: [ikev1 ? PANOS_DPD_FACTS.ikev1 : PANOS_DPD_FACTS.ikev2],
    enableHow: panosEnableHow(conn),
  };
}

/** DPD/liveness that detects but does not recover: clear/none on a site-to-site tunnel without a trap policy. */
export function actionWithoutRecovery(view: DpdView): ChildDpdAction[] {
  // strongSwan's dpd_action/start_action only: libreswan restarts by auto=, PAN-OS re-negotiates on traffic
  if (!view.enabled || !view.siteToSite || view.facts.dialect !== 'strongswan') return [];
  return view.actions.filter((a) => /^(clear|none)$/i.test(a.action.value) && !/trap|route/i.test(a.startAction.value));
}

/**
 * The setting by which this peer brings a dead tunnel back itself — strongSwan `dpd_action =
 * restart`/`trap` (or `start_action = trap`), or DPD on in a daemon that restarts by its own
 * rules (libreswan by `auto=`, PAN-OS on traffic) — or undefined when it does not.
 */
export function peerRecovers(view: DpdView): Setting<unknown> | undefined {
  if (!view.enabled || view.undetermined || actionWithoutRecovery(view).length) return undefined;
  if (view.facts.dialect !== 'strongswan') return view.delay;
  const a = view.actions.find((x) => /^(restart|trap|hold)$/i.test(x.action.value)) ?? view.actions.find((x) => /trap|route/i.test(x.startAction.value));
  return a ? (/^(restart|trap|hold)$/i.test(a.action.value) ? a.action : a.startAction) : undefined;
}

/** Why DPD_DISABLED is a warning for one connection and info for another: what the peer side is. */
export function disabledWhy(view: DpdView): string {
  const remote = view.conn.remote.addrs.value.join(', ') || '%any';
  return view.siteToSite
    ? `the peer is a fixed address (${remote}), site to site: its death goes unnoticed until the next rekey`
    : `its peers are road warriors (${remote}): a client that loses the tunnel reconnects on its own`;
}
