/**
 * What an exchange name in "generating/parsed <EXCHANGE> request|response N [ … ]"
 * tells us (exchange_type_names, encoding/payloads/ike_header.c).
 */
import type { Phase } from '../../../evidence/log-events.js';
import { isErrorNotify, notifyName } from './notify-names.js';

const IKEV1 = new Set(['ID_PROT', 'AUTH_ONLY', 'AGGRESSIVE', 'INFORMATIONAL_V1', 'TRANSACTION', 'QUICK_MODE', 'NEW_GROUP_MODE']);

export function ikeVersionOfExchange(exchange: string): 1 | 2 | undefined {
  if (IKEV1.has(exchange)) return 1;
  if (exchange.startsWith('IKE_') || exchange === 'CREATE_CHILD_SA' || exchange === 'INFORMATIONAL') return 2;
  return undefined;
}

/**
 * The SA a notify in this exchange is about. RFC 7296 §1.2/§1.3: NO_PROPOSAL_CHOSEN
 * in IKE_SA_INIT rejects the IKE SA, in IKE_AUTH/CREATE_CHILD_SA the Child SA; IKEv1
 * (RFC 2409 §5, §5.5): Main/Aggressive Mode is phase 1, Quick Mode phase 2.
 * INFORMATIONAL exchanges carry no phase of their own: the caller uses the one before.
 */
export function phaseOfExchange(exchange: string): Phase | undefined {
  switch (exchange) {
    case 'IKE_SA_INIT':
    case 'IKE_INTERMEDIATE':
    case 'ID_PROT':
    case 'AGGRESSIVE':
    case 'AUTH_ONLY':
      return 'ike';
    case 'IKE_AUTH':
    case 'CREATE_CHILD_SA':
    case 'QUICK_MODE':
      return 'child';
    default:
      return undefined;
  }
}

export interface PayloadList {
  payloads: string[];
  /** RFC names of all notifies, in order */
  notifies: string[];
  /** RFC names of error notifies only */
  errors: string[];
  /** EF(i/n): RFC 7383 encrypted fragment number and total */
  fragment?: { number: number; total: number };
}

/**
 * Splits charon's payload shorthand ("SA KE No N(NATD_S_IP) EF(1/5) N(MS_STATUS(3))",
 * message.c get_string) into tokens and reads the notifies and fragment numbers.
 */
export function parsePayloadList(text: string): PayloadList {
  const payloads = text.split(' ').filter((p) => p.length > 0);
  const notifies: string[] = [];
  const errors: string[] = [];
  let fragment: PayloadList['fragment'];
  for (const p of payloads) {
    if (p.startsWith('N(') && p.endsWith(')')) {
      const inner = p.slice(2, -1);
      const paren = inner.indexOf('(');
      const name = notifyName(paren === -1 ? inner : inner.slice(0, paren));
      notifies.push(name);
      if (isErrorNotify(name)) errors.push(name);
    } else if (p.startsWith('EF(')) {
      const m = /^EF\((\d{1,5})\/(\d{1,5})\)$/.exec(p);
      if (m) fragment = { number: Number(m[1]), total: Number(m[2]) };
    }
  }
  return { payloads, notifies, errors, fragment };
}
