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
}

// strongSwan: retransmit_tries 5, timeout 4s, base 1.8 → 4+7.2+13+23.3+42+75.6 ≈ 165s; libreswan retransmit-timeout 60s
const STRONGSWAN_RETRANSMIT = 165;
const LIBRESWAN_RETRANSMIT = 60;

export function dpdView(facts: ConfigFacts, conn: ConnectionConfig): DpdView {
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
  const actions: ChildDpdAction[] = conn.children.map((c) => ({ child: c.name, action: c.dpdAction, startAction: c.startAction }));
  const remote = conn.remote.addrs.value;
  const siteToSite = remote.length > 0 && remote.every((a) => !a.startsWith('%') && a !== '0.0.0.0' && a !== '::');
  const candidates: Setting<number>[] = [conn.ikeRekeyTime, ...(conn.reauthTime ? [conn.reauthTime] : []), ...conn.children.map((c) => c.rekeyTime)].filter((s) => s.value > 0);
  const noticedBy = candidates.sort((a, b) => a.value - b.value)[0];
  return {
    facts,
    conn,
    enabled,
    delay,
    offBecause,
    actions,
    ignored,
    siteToSite,
    noticedAfter: noticedBy?.value,
    noticedBy,
    retransmitSeconds: lib ? LIBRESWAN_RETRANSMIT : STRONGSWAN_RETRANSMIT,
  };
}

/** DPD/liveness that detects but does not recover: clear/none on a site-to-site tunnel without a trap policy. */
export function actionWithoutRecovery(view: DpdView): ChildDpdAction[] {
  if (!view.enabled || !view.siteToSite || view.facts.dialect === 'libreswan') return [];
  return view.actions.filter((a) => /^(clear|none)$/i.test(a.action.value) && !/trap|route/i.test(a.startAction.value));
}
