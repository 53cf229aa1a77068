/**
 * One lane of the ladder (see ladder/ladder.ts) and the builder both log and packet
 * sources feed: pairing, retransmit timing, bounds and secret masking live here.
 */
import type { Location } from '../../types.js';
import { maskSecrets } from '../../../report/secrets.js';

export const MAX_STEPS = 300;
export const MAX_LANES = 8;
const MAX_LABEL = 160;

/** 'out' = from this lane's local side to the remote side; 'note' = something that happened locally. */
export type StepDirection = 'out' | 'in' | 'note';

export interface LadderStep {
  dir: StepDirection;
  kind: 'message' | 'retransmit' | 'milestone' | 'failure';
  /** IKE exchange (IKE_SA_INIT, IKE_AUTH, INFORMATIONAL, Main Mode, Quick Mode, …) */
  exchange?: string;
  role?: 'request' | 'response';
  msgid?: number;
  /** what the arrow is labelled with: exchange, role, msgid and payloads, or the milestone text */
  label: string;
  /** RFC 7296 §3.10.1 error notify types carried by this message or decided here */
  errors?: string[];
  /** index (in this lane) of the request this response answers, or the response this request got */
  pair?: number;
  /** retransmission number and seconds since the original transmission, when timestamps allow */
  retransmit?: { count?: number; sinceFirst?: number };
  /** seconds since the lane's first step, when timestamps allow */
  t?: number;
  time?: string;
  at: Location;
}

export interface EspCounter {
  spi: string;
  dir: 'out' | 'in';
  packets: number;
  bytes?: number;
}

export interface Ladder {
  /** whose view: the log file, or the capture */
  perspective: string;
  source: 'log' | 'packets';
  local: string;
  remote: string;
  steps: LadderStep[];
  esp: EspCounter[];
  /** steps not kept because of MAX_STEPS */
  omitted: number;
}

export interface LadderView {
  ladders: Ladder[];
  /** lanes not kept because of MAX_LANES */
  omittedLanes: number;
}

/** RFC 7296 §3.10.1 error types (and the IKEv1 RFC 2408 §3.14.1 ones daemons print) that mark a failed exchange. */
const ERROR_NOTIFIES = new Set([
  'UNSUPPORTED_CRITICAL_PAYLOAD', 'INVALID_IKE_SPI', 'INVALID_MAJOR_VERSION', 'INVALID_SYNTAX', 'INVALID_MESSAGE_ID',
  'INVALID_SPI', 'NO_PROPOSAL_CHOSEN', 'INVALID_KE_PAYLOAD', 'AUTHENTICATION_FAILED', 'SINGLE_PAIR_REQUIRED',
  'NO_ADDITIONAL_SAS', 'INTERNAL_ADDRESS_FAILURE', 'FAILED_CP_REQUIRED', 'TS_UNACCEPTABLE', 'INVALID_SELECTORS',
  'TEMPORARY_FAILURE', 'CHILD_SA_NOT_FOUND', 'INVALID_ID_INFORMATION', 'PAYLOAD_MALFORMED', 'INVALID_PAYLOAD_TYPE',
  'INVALID_COOKIE', 'INVALID_HASH_INFORMATION', 'INVALID_SIGNATURE', 'ATTRIBUTES_NOT_SUPPORTED', 'INVALID_CERTIFICATE',
]);

/** strongSwan prints abbreviated notify names in payload lists (N(NO_PROP)); map them to RFC names. */
const CHARON_SHORT: Record<string, string> = {
  NO_PROP: 'NO_PROPOSAL_CHOSEN', INVAL_KE: 'INVALID_KE_PAYLOAD', AUTH_FAILED: 'AUTHENTICATION_FAILED', TS_UNACCEPT: 'TS_UNACCEPTABLE',
  INVAL_SYN: 'INVALID_SYNTAX', INVAL_SPI: 'INVALID_SPI', INVAL_IKE_SPI: 'INVALID_IKE_SPI', INVAL_MID: 'INVALID_MESSAGE_ID',
  TEMP_FAIL: 'TEMPORARY_FAILURE', NO_ADD_SAS: 'NO_ADDITIONAL_SAS', INT_ADDR_FAIL: 'INTERNAL_ADDRESS_FAILURE', CHLD_SA_NOT_FOUND: 'CHILD_SA_NOT_FOUND',
  UNSUPP_CRIT_PL: 'UNSUPPORTED_CRITICAL_PAYLOAD', INVAL_MAJ_VER: 'INVALID_MAJOR_VERSION', FAIL_CP_REQ: 'FAILED_CP_REQUIRED', INVAL_SEL: 'INVALID_SELECTORS',
};

export function normaliseNotify(name: string): string {
  const bare = name.replace(/^N\((.*)\)$/, '$1').toUpperCase();
  return CHARON_SHORT[bare] ?? bare;
}

export function isErrorNotify(name: string): boolean {
  return ERROR_NOTIFIES.has(normaliseNotify(name));
}

export class LaneBuilder {
  private readonly steps: LadderStep[] = [];
  private omitted = 0;
  private origin: number | undefined;
  private local = '';
  private remote = '';
  /** last transmission of each outstanding request, by "dir exchange msgid", for pairing and retransmit timing */
  private readonly open = new Map<string, { index: number; firstT?: number }>();
  readonly esp = new Map<string, EspCounter>();

  constructor(private readonly perspective: string, private readonly source: 'log' | 'packets') {}

  setEndpoints(local: string | undefined, remote: string | undefined): void {
    if (local && !this.local) this.local = local;
    if (remote && !this.remote) this.remote = remote;
  }

  /** One IKE message on the lane; pairs a response with the open request of the same exchange and message ID. */
  message(m: { dir: 'out' | 'in'; exchange?: string; role?: 'request' | 'response'; msgid?: number; payloads?: string[]; errors?: string[]; at: Location; time?: string; t?: number }, absT?: number): void {
    const label = clip([m.exchange ?? 'IKE', m.role, m.msgid, m.payloads?.length ? `[ ${m.payloads.join(' ')} ]` : undefined].filter((x) => x !== undefined).join(' '));
    const step: LadderStep = { dir: m.dir, kind: 'message', label, at: m.at, time: m.time, t: m.t };
    if (m.exchange) step.exchange = m.exchange;
    if (m.role) step.role = m.role;
    if (m.msgid !== undefined) step.msgid = m.msgid;
    if (m.errors?.length) step.errors = m.errors;
    if (m.role === 'response') {
      const key = this.openKey(m.dir === 'out' ? 'in' : 'out', m.exchange, m.msgid);
      const req = key ? this.open.get(key) : undefined;
      const index = this.push(step);
      if (req && index >= 0) {
        step.pair = req.index;
        const reqStep = this.steps[req.index];
        if (reqStep && reqStep.pair === undefined) reqStep.pair = index;
        this.open.delete(key!);
      }
      return;
    }
    const key = m.role === 'request' ? this.openKey(m.dir, m.exchange, m.msgid) : undefined;
    const prior = key ? this.open.get(key) : undefined;
    // a request identical to an unanswered one is a retransmission (packets show it this way)
    if (prior && this.source === 'packets') {
      this.push({ ...step, kind: 'retransmit', retransmit: { sinceFirst: since(prior.firstT, absT) } });
      return;
    }
    const index = this.push(step);
    if (key && index >= 0) this.open.set(key, { index, firstT: absT });
  }

  /** A daemon's "retransmit N of request …": attach it to the outstanding request it repeats. */
  retransmit(r: { exchange?: string; msgid?: number; count?: number; at: Location; time?: string; t?: number }, absT?: number): void {
    let prior: { index: number; firstT?: number } | undefined;
    for (const [key, v] of this.open) {
      if (!key.startsWith('out ')) continue;
      const s = this.steps[v.index];
      if (r.msgid !== undefined && s?.msgid !== r.msgid) continue;
      if (r.exchange && s?.exchange && s.exchange !== r.exchange) continue;
      prior = v;
    }
    const orig = prior ? this.steps[prior.index] : undefined;
    const exchange = r.exchange ?? orig?.exchange;
    const label = clip(`retransmit${r.count !== undefined ? ` ${r.count}` : ''} of ${exchange ?? 'request'}${r.msgid !== undefined ? ` ${r.msgid}` : ''}`);
    const step: LadderStep = { dir: 'out', kind: 'retransmit', label, at: r.at, time: r.time, t: r.t, retransmit: { count: r.count, sinceFirst: since(prior?.firstT, absT) } };
    if (exchange) step.exchange = exchange;
    if (r.msgid !== undefined) step.msgid = r.msgid;
    this.push(step);
  }

  /** A byte-identical copy of an earlier message (seen on the wire): a retransmission. */
  repeat(m: { dir: 'out' | 'in'; exchange?: string; msgid?: number; at: Location; time?: string; t?: number }, sinceFirst: number | undefined, count: number): void {
    const label = clip(`retransmit ${count} of ${m.exchange ?? 'message'}${m.msgid !== undefined ? ` ${m.msgid}` : ''}`);
    const step: LadderStep = { dir: m.dir, kind: 'retransmit', label, at: m.at, t: m.t, retransmit: { count, sinceFirst: sinceFirst === undefined ? undefined : round(sinceFirst) } };
    if (m.time !== undefined) step.time = m.time;
    if (m.exchange) step.exchange = m.exchange;
    if (m.msgid !== undefined) step.msgid = m.msgid;
    this.push(step);
  }

  countEsp(spi: string, dir: 'out' | 'in', bytes?: number): void {
    const key = `${dir} ${spi}`;
    let c = this.esp.get(key);
    if (!c) this.esp.set(key, (c = { spi, dir, packets: 0 }));
    c.packets++;
    if (bytes !== undefined) c.bytes = (c.bytes ?? 0) + bytes;
  }

  setEspCounter(c: EspCounter): void {
    this.esp.set(`${c.dir} ${c.spi}`, { ...c });
  }

  /** Seconds since the first timed step of this lane. */
  rel(t: number | undefined): number | undefined {
    if (t === undefined || !Number.isFinite(t)) return undefined;
    if (this.origin === undefined) this.origin = t;
    return round(t - this.origin);
  }

  finish(): Ladder {
    for (const s of this.steps) {
      if (s.t === undefined) delete s.t;
      if (s.time === undefined) delete s.time;
      if (s.retransmit) {
        if (s.retransmit.count === undefined) delete s.retransmit.count;
        if (s.retransmit.sinceFirst === undefined) delete s.retransmit.sinceFirst;
      }
    }
    return {
      perspective: this.perspective,
      source: this.source,
      local: this.local || (this.source === 'log' ? 'this host' : 'initiator'),
      remote: this.remote || (this.source === 'log' ? 'peer' : 'responder'),
      steps: this.steps,
      esp: [...this.esp.values()].sort((a, b) => a.spi.localeCompare(b.spi) || a.dir.localeCompare(b.dir)),
      omitted: this.omitted,
    };
  }

  /** A milestone or failure that happened on this side, at its point in the conversation. */
  note(step: LadderStep): void {
    // charon prints two lines for one give-up ("giving up after 3 retransmits", then
    // "establishing IKE_SA failed, peer not responding"): one mark on the ladder
    const last = this.steps[this.steps.length - 1];
    if (last && last.kind === 'failure' && step.kind === 'failure' && last.label.startsWith('gave up') && step.label.startsWith('gave up')) return;
    this.push(step);
  }

  private push(step: LadderStep): number {
    if (this.steps.length >= MAX_STEPS) {
      this.omitted++;
      return -1;
    }
    step.label = maskSecrets(step.label);
    this.steps.push(step);
    return this.steps.length - 1;
  }

  private openKey(dir: 'out' | 'in', exchange: string | undefined, msgid: number | undefined): string | undefined {
    if (msgid === undefined && !exchange) return undefined;
    return `${dir} ${exchange ?? ''} ${msgid ?? ''}`;
  }
}

function since(first: number | undefined, now: number | undefined): number | undefined {
  if (first === undefined || now === undefined || !Number.isFinite(first) || !Number.isFinite(now)) return undefined;
  return round(now - first);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function clip(s: string): string {
  return s.length > MAX_LABEL ? s.slice(0, MAX_LABEL - 1) + '…' : s;
}

export function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
