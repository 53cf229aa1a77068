import type { Endpoint, LogEventData, LogEventKind } from '../../../evidence/log-events.js';

/** An event before the decoder adds location, time, conn and sa. */
export type Draft = { [K in LogEventKind]: { kind: K; data: LogEventData[K] } }[LogEventKind];

export function draft<K extends LogEventKind>(kind: K, data: LogEventData[K]): Draft {
  return { kind, data } as Draft;
}

export type Mode = 'main' | 'aggressive' | 'quick' | 'ikev2';

/** What the decoder remembers about one pluto state (serial) across lines. */
export interface StateMemory {
  mode?: Mode;
  ikeVersion?: 1 | 2;
  /** last IKE peer endpoint seen for this state (sent … to / processing … from) */
  peer?: Endpoint;
  retransmits: number;
  /** an IKE/ISAKMP SA (or Child SA) was established on this state */
  established?: boolean;
  /** pluto already said why it rejected the peer's identity on this state */
  idMismatch?: boolean;
  /** the IKE SA serial a Child state belongs to */
  parent?: string;
}

/** What a message handler may read and update: the state the line is about, if any. */
export interface LineContext {
  /** undefined for connection-level, packet-level and debug lines */
  state?: StateMemory;
  /** the peer endpoint printed in the prefix (packet from …, "conn"[1] 192.1.2.23) */
  prefixPeer?: Endpoint;
  /** pluto prefixed the line with ERROR: */
  error: boolean;
  /** a state serial named inside the text that is this one's parent (Child SA #2 … using #1) */
  linkChild?: (childSerial: string, parentSerial: string) => void;
  serial?: string;
}

/** Exchange names as charon prints them, so that checks compare IKEv1 and IKEv2 alike. */
export function exchangeOfMode(mode: Mode | undefined): string | undefined {
  switch (mode) {
    case 'main':
      return 'ID_PROT';
    case 'aggressive':
      return 'AGGRESSIVE';
    case 'quick':
      return 'QUICK_MODE';
    default:
      return undefined;
  }
}

/** STATE_MAIN_I3 → main, IKE_SA_INIT_I → ikev2, STATE_QUICK_R0 → quick. */
export function modeOfState(state: string): Mode | undefined {
  if (state.includes('MAIN_')) return 'main';
  if (state.includes('AGGR_')) return 'aggressive';
  if (state.includes('QUICK_')) return 'quick';
  if (/PARENT_|V2_|IKE_SA_INIT|IKE_AUTH|ESTABLISHED_IKE_SA|ESTABLISHED_CHILD_SA|CREATE_CHILD|REKEY_|IKE_INTERMEDIATE/.test(state)) return 'ikev2';
  return undefined;
}

/** IKEv2 state → the exchange the state waits in (for give-up and retransmit events). */
export function exchangeOfState(state: string): string | undefined {
  if (state.startsWith('IKE_SA_INIT') || /PARENT_I1\b/.test(state)) return 'IKE_SA_INIT';
  if (state.startsWith('IKE_AUTH') || /PARENT_I2\b/.test(state)) return 'IKE_AUTH';
  if (state.startsWith('IKE_INTERMEDIATE')) return 'IKE_INTERMEDIATE';
  if (/CREATE_CHILD|REKEY_/.test(state)) return 'CREATE_CHILD_SA';
  return exchangeOfMode(modeOfState(state));
}
