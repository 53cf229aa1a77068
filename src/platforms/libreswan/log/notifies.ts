/**
 * One place that turns "notify X went this way in this phase" into the shared
 * vocabulary, so every pluto wording of the same notify yields the same event.
 */
import type { Direction, Phase } from '../../../evidence/log-events.js';
import { draft, type Draft } from './draft.js';
import { normaliseNotify } from './fields.js';

export interface NotifyContext {
  phase?: Phase;
  exchange?: string;
  reason?: string;
  /** the reason line ("peer ID … does not match expected …") came first: the notify adds nothing */
  idMismatchKnown?: boolean;
}

export function notifyDrafts(rawName: string, direction: Direction | 'local', ctx: NotifyContext): Draft[] {
  const name = normaliseNotify(rawName.replace(/[,.;:]$/, ''));
  switch (name) {
    case 'NO_PROPOSAL_CHOSEN':
      return [draft('no-proposal-chosen', { phase: ctx.phase, direction, exchange: ctx.exchange, reason: ctx.reason })];
    case 'INVALID_KE_PAYLOAD':
      return direction === 'local' ? [] : [draft('invalid-ke', { direction })];
    case 'AUTHENTICATION_FAILED':
      return [draft('auth', { ok: false, direction, reason: ctx.reason ?? name })];
    case 'TS_UNACCEPTABLE':
      return [draft('ts-unacceptable', { direction, exchange: ctx.exchange })];
    case 'INVALID_ID_INFORMATION':
      // RFC 2408 §3.14.1: in phase 1 it rejects the peer's identity, in Quick Mode the client IDs (selectors)
      if (ctx.phase === 'child') return [draft('ts-unacceptable', { direction, exchange: ctx.exchange ?? 'QUICK_MODE' })];
      if (ctx.phase === 'ike' && !ctx.idMismatchKnown) {
        const who = direction === 'received' ? 'the peer rejected our identity' : direction === 'sent' ? 'we rejected the peer identity' : 'identity rejected';
        return [draft('id-mismatch', { detail: `INVALID_ID_INFORMATION ${direction}: ${who}` })];
      }
      return direction === 'local' ? [] : [draft('notify', { direction, name, exchange: ctx.exchange })];
    default:
      return direction === 'local' ? [] : [draft('notify', { direction, name, exchange: ctx.exchange })];
  }
}
