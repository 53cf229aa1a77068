/**
 * The timers of a state line (`REKEY in 2722s; REPLACE in 3052s;`, 3.x
 * `EVENT_SA_REKEY in 3330s`) and what they mean for the SA, which depends on the IKE
 * version:
 *  - IKEv2 (ikev2_parent.c schedule_v2_replace_event, 4.10): REKEY at lifetime minus
 *    margin; REPLACE at the end of life, when the SA is replaced by a new one from
 *    scratch (an IKE SA: re-authentication; with reauth=yes the only timer); EXPIRE
 *    when it will be deleted without replacement.
 *  - IKEv1 (ikev1.c, 4.10): libreswan rekeys by replacing: REPLACE (or REPLACE_IF_USED)
 *    at lifetime minus margin; EXPIRE at the end.
 */
export interface SaTimers {
  rekeySeconds?: number;
  reauthSeconds?: number;
  expiresSeconds?: number;
}

export interface TimerItem {
  event: string;
  secondsText: string;
}

/** `REKEY in 2722s`, `EVENT_SA_REPLACE in 3330s`, `EVENT_v1_SA_REPLACE_IF_USED in 28s` */
export function parseTimerItem(item: string): TimerItem | undefined {
  const m = /^(?:EVENT_)?(?:v[12]_)?(?:SA_)?([A-Za-z0-9_]+) in (\S+?)s$/.exec(item);
  return m === null ? undefined : { event: m[1].toUpperCase(), secondsText: m[2] };
}

export function applyTimer(timers: SaTimers, kind: 'ike' | 'child', version: 1 | 2 | undefined, event: string, seconds: number): void {
  if (event === 'REKEY') timers.rekeySeconds = seconds;
  else if (event === 'EXPIRE' && kind === 'child') timers.expiresSeconds = seconds;
  else if (event === 'REPLACE' || event === 'REPLACE_IF_USED') {
    if (version === 1) timers.rekeySeconds ??= seconds;
    else if (version === 2 && kind === 'ike') timers.reauthSeconds = seconds;
    else if (version === 2) timers.expiresSeconds ??= seconds;
  }
}
