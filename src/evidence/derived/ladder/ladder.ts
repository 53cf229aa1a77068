/**
 * The ladder (sequence diagram) of an IKE conversation: one lane per perspective
 * (a daemon log is written from one peer's side; a capture is seen from the wire),
 * messages in order with their direction, request/response pairing, retransmissions
 * with their timing, error notifies at the message that carried them, milestones
 * (SA up, auth failed, gave up) and ESP packet counts per SPI and direction.
 *
 * Plain JSON-safe data and bounded (MAX_STEPS per lane, MAX_LANES), because it is
 * embedded in the Report (views.ladder) and rendered by the UI and the HTML report.
 */
import { spiSpelling } from '../words.js';
import { counted } from '../../plural.js';
import type { Evidence } from '../../types.js';
import type { LogEvent } from '../../log-events.js';
import { derived, derivedFromLogs } from '../memo.js';
import { clip, LaneBuilder, MAX_LANES, type Ladder, type LadderStep, type LadderView, uniq, isErrorNotify, normaliseNotify } from './lane.js';
import { packetLanes } from './packets.js';

export * from './lane.js';

/** The ladder of everything in the evidence, computed once per Evidence. */
export const ladderOf = derived((evidence: Evidence): LadderView => {
  const lanes: Ladder[] = [...logLanes(evidence), ...packetLanes(evidence)];
  const kept = lanes.filter((l) => l.steps.length > 0 || l.esp.length > 0);
  return { ladders: kept.slice(0, MAX_LANES), omittedLanes: Math.max(0, kept.length - MAX_LANES) };
});

/** One lane per log file (the logs' part of the ladder, shared by evidences with the same logs). */
const logLanes = derivedFromLogs((evidence: Evidence): Ladder[] => [...bySource(evidence.logEvents ?? [])].map(([source, events]) => logLane(source, events)));

function bySource(events: readonly LogEvent[]): Map<string, LogEvent[]> {
  const m = new Map<string, LogEvent[]>();
  for (const e of events) {
    let list = m.get(e.at.source);
    if (!list) m.set(e.at.source, (list = []));
    list.push(e);
  }
  for (const list of m.values()) list.sort((a, b) => (a.at.line ?? 0) - (b.at.line ?? 0));
  return m;
}

/** Builds one lane from one log file's events, seen from the daemon that wrote it. */
export function logLane(source: string, events: readonly LogEvent[]): Ladder {
  const lane = new LaneBuilder(source, 'log');
  for (const e of events) addLogEvent(lane, e);
  return lane.finish();
}

function addLogEvent(lane: LaneBuilder, e: LogEvent): void {
  const base = { at: e.at, time: e.time, t: lane.rel(e.t) };
  switch (e.kind) {
    case 'initiate':
    case 'respond': {
      const d = e.data as LogEvent<'initiate'>['data'];
      lane.setEndpoints(undefined, d.peer);
      return;
    }
    case 'packet': {
      const d = e.data as LogEvent<'packet'>['data'];
      lane.setEndpoints(d.local?.address, d.remote?.address);
      return;
    }
    case 'message': {
      const d = e.data as LogEvent<'message'>['data'];
      if (d.peer?.address) lane.setEndpoints(undefined, d.peer.address);
      const errors = (d.notifies ?? []).concat((d.payloads ?? []).filter((p) => p.startsWith('N('))).map(normaliseNotify).filter(isErrorNotify);
      lane.message({
        ...base,
        dir: d.direction === 'sent' ? 'out' : 'in',
        exchange: d.exchange,
        role: d.role,
        msgid: d.msgid,
        payloads: d.payloads,
        errors: uniq(errors),
      }, e.t);
      return;
    }
    case 'retransmit': {
      const d = e.data as LogEvent<'retransmit'>['data'];
      lane.retransmit({ ...base, exchange: d.exchange, msgid: d.msgid, count: d.count }, e.t);
      return;
    }
    default: {
      const note = milestone(e);
      if (note) lane.note({ ...base, dir: 'note', ...note });
    }
  }
}


/** Events that are worth a mark on the ladder at the point they happened. */
function milestone(e: LogEvent): Pick<LadderStep, 'kind' | 'label' | 'errors'> | undefined {
  const d = e.data as Record<string, unknown>;
  switch (e.kind) {
    case 'ike-established':
      return { kind: 'milestone', label: 'IKE SA established' };
    case 'child-established': {
      const spis = Array.isArray(d.spis) ? ` SPIs ${(d.spis as string[]).map(spiSpelling).join(' ')}` : '';
      return { kind: 'milestone', label: clip(`CHILD SA established${spis}`) };
    }
    case 'auth':
      // a sent/received AUTHENTICATION_FAILED notify is already on the message arrow that carried it
      if (!d.ok && d.direction !== 'local') return undefined;
      return d.ok ? { kind: 'milestone', label: `authentication ok${d.method ? ` (${String(d.method)})` : ''}` } : { kind: 'failure', label: clip(`authentication failed${d.reason ? `: ${String(d.reason)}` : ''}`), errors: ['AUTHENTICATION_FAILED'] };
    case 'no-proposal-chosen':
      return d.direction === 'local' ? { kind: 'failure', label: clip(`no acceptable ${d.phase === 'child' ? 'CHILD' : 'IKE'} proposal`), errors: ['NO_PROPOSAL_CHOSEN'] } : undefined;
    case 'invalid-ke':
      return { kind: 'milestone', label: clip(`DH group ${String(d.offered ?? '?')} refused, peer wants ${String(d.requested ?? '?')}`) };
    case 'ts-unacceptable':
      return d.direction === 'local' ? { kind: 'failure', label: 'traffic selectors unacceptable', errors: ['TS_UNACCEPTABLE'] } : undefined;
    case 'id-mismatch':
      return { kind: 'failure', label: clip(`peer identity ${quote(d.received)} does not match ${quote(d.expected)}`) };
    case 'no-config':
      return { kind: 'failure', label: clip(`no matching ${String(d.scope)} config`) };
    case 'give-up':
      return { kind: 'failure', label: clip(`gave up${d.retransmits !== undefined ? ` after ${counted(Number(d.retransmits), 'retransmit', 'retransmits')}` : ''}${d.seconds !== undefined ? ` (${String(d.seconds)} s)` : ''}`) };
    case 'dpd':
      return d.outcome === 'timeout' ? { kind: 'failure', label: clip(`${String(d.mechanism)} timeout${d.action ? `, ${String(d.action)}` : ''}`) } : undefined;
    case 'child-failed':
      return { kind: 'failure', label: clip(`CHILD SA failed${d.reason ? `: ${String(d.reason)}` : ''}`) };
    case 'negotiation-failed':
      return { kind: 'failure', label: clip(`negotiation failed: ${String(d.reason)}`) };
    case 'sa-install-failed':
      return { kind: 'failure', label: clip(`kernel refused ${String(d.what)}`) };
    case 'sa-deleted':
      return { kind: 'milestone', label: clip(`${d.what === 'child' ? 'CHILD' : 'IKE'} SA deleted${d.reason ? `: ${String(d.reason)}` : ''}`) };
    case 'nat-t-float':
      return { kind: 'milestone', label: 'NAT-T: floated to UDP 4500' };
    case 'nat':
      return d.localBehindNat || d.remoteBehindNat ? { kind: 'milestone', label: d.localBehindNat ? 'NAT detected: this host is behind NAT' : 'NAT detected: peer is behind NAT' } : undefined;
    default:
      return undefined;
  }
}

function quote(v: unknown): string {
  return v === undefined ? '?' : `'${String(v)}'`;
}
