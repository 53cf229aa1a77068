/**
 * What a pluto state line says about its SA, read from the state's name or, where the
 * name is not printed, its story. Three spellings exist:
 *  - 3.x/4.x/5.0: `STATE_V2_ESTABLISHED_IKE_SA (established IKE SA)`, 3.x IKEv2 names
 *    `STATE_PARENT_I3`, `STATE_V2_IPSEC_I` (programs/pluto/ikev2_states.c, ikev1_states.c);
 *  - 5.1–5.3: IKEv2 names without the prefix, `ESTABLISHED_IKE_SA (established IKE SA)`
 *    (ikev2.h V2_STATE: `.name = #KIND`), IKEv1 names unchanged;
 *  - 5.4: the story alone, `established IKE SA;` (commit 0d6a8f1d33 "pluto: remove
 *    internal state names from ipsec status output", whack_showstates.c show_state).
 */

export interface StateReading {
  kind: 'ike' | 'child';
  version?: 1 | 2;
  /** IKE SA: up; Child SA: installed */
  up: boolean;
  role?: 'initiator' | 'responder';
}

/** libreswan's own V1_ISAKMP_SA_ESTABLISHED_STATES (include/pluto_constants.h 4.10) and the IKEv2 established states */
const IKE_UP = new Set([
  'STATE_V2_ESTABLISHED_IKE_SA', 'ESTABLISHED_IKE_SA', 'STATE_PARENT_I3', 'STATE_PARENT_R2',
  'STATE_MAIN_I4', 'STATE_MAIN_R3', 'STATE_AGGR_I2', 'STATE_AGGR_R2',
  'STATE_XAUTH_I0', 'STATE_XAUTH_I1', 'STATE_XAUTH_R0', 'STATE_XAUTH_R1',
  'STATE_MODE_CFG_I1', 'STATE_MODE_CFG_R0', 'STATE_MODE_CFG_R1', 'STATE_MODE_CFG_R2',
]);

/**
 * Child SAs whose kernel SAs are both in place. libreswan's IS_IPSEC_SA_ESTABLISHED also
 * counts STATE_QUICK_R1, whose story says only the inbound SA is installed: not here.
 */
const CHILD_UP = new Set([
  'STATE_V2_ESTABLISHED_CHILD_SA', 'ESTABLISHED_CHILD_SA', 'STATE_V2_IPSEC_I', 'STATE_V2_IPSEC_R',
  'STATE_QUICK_I2', 'STATE_QUICK_R2',
]);

const CHILD_NAME = /^(?:STATE_)?(?:QUICK_|V2_NEW_CHILD_|NEW_CHILD_|V2_REKEY_CHILD_|REKEY_CHILD_|V2_CREATE_|V2_IPSEC_|V2_ESTABLISHED_CHILD_SA|ESTABLISHED_CHILD_SA|V2_CHILD_SA_DELETE|CHILDSA_DEL|V2_IKE_AUTH_CHILD_|IKE_AUTH_CHILD_)/;
const V1_NAME = /^STATE_(?:MAIN|AGGR|QUICK|XAUTH|MODE_CFG|INFO)/;

/** 5.4 stories (ikev1_states.c, ikev2_states.c, state_category_names.c) */
const IKE_UP_STORIES = new Set([
  'established IKE SA', 'ISAKMP SA established', 'IKE SA established',
  'XAUTH client - possibly awaiting CFG_request', 'XAUTH client - possibly awaiting CFG_set',
  'XAUTH responder - optional CFG exchange', 'XAUTH status sent, expecting Ack',
  'sent ModeCfg request', 'sent ModeCfg reply, expecting Ack', 'received ModeCfg Ack',
  'received ModeCfg request, reply sent',
]);
const CHILD_UP_STORIES = new Set(['established Child SA', 'IPsec SA established']);
const V1_STORY = /ISAKMP|Main Mode|Aggressive Mode|Quick Mode|XAUTH|ModeCfg|^IPsec SA established$/;
const V2_STORY = /IKE_SA_INIT|IKE_AUTH|CREATE_CHILD_SA|IKE_INTERMEDIATE|IKE_SESSION_RESUME|EAP|established (?:IKE|Child) SA/;

export function readStateName(name: string): StateReading {
  const kind = CHILD_NAME.test(name) ? 'child' : 'ike';
  const version = V1_NAME.test(name) ? 1 : 2;
  const up = kind === 'ike' ? IKE_UP.has(name) : CHILD_UP.has(name);
  return { kind, version, up, role: kind === 'ike' ? roleOf(name) : undefined };
}

export function readStory(story: string): StateReading {
  const child = /Child SA|IPsec SA|Quick Mode/.test(story) && !/rekey IKE SA/.test(story);
  const version = V1_STORY.test(story) ? 1 : V2_STORY.test(story) ? 2 : undefined;
  const up = child ? CHILD_UP_STORIES.has(story) : IKE_UP_STORIES.has(story);
  return { kind: child ? 'child' : 'ike', version, up };
}

/** `_I4`, `_R2`, `IKE_SA_INIT_I`: the state machine's side; `_IR` and established names say nothing */
function roleOf(name: string): 'initiator' | 'responder' | undefined {
  const m = /_([IR])\d*$/.exec(name);
  if (m === null) return undefined;
  return m[1] === 'I' ? 'initiator' : 'responder';
}
