/**
 * Shared shapes of the PAN-OS log readers: an event before the decoder locates it,
 * and what one record of the System log holds once its form (syslog CSV, CEF,
 * GUI text, `show log system` row) has been taken off.
 */
import type { Endpoint, LogEventData, LogEventKind } from '../../../evidence/log-events.js';

/** An event before the decoder adds location, time, conn and sa. */
export type Draft = { [K in LogEventKind]: { kind: K; data: LogEventData[K] } }[LogEventKind];

export function draft<K extends LogEventKind>(kind: K, data: LogEventData[K]): Draft {
  return { kind, data } as Draft;
}

/** A decoded line: its events plus the keys that group it (docs/platforms/panos-logs.md). */
export interface Decoded {
  drafts: Draft[];
  /** the IKE gateway or tunnel: the System log's Object field, or the `[GW]:` a description starts with */
  conn?: string;
  /** ikemgr's SA serial (`{ 1: }`, `6:` before the endpoints) */
  sa?: string;
  time?: string;
  t?: number;
}

/** `1.1.1.1[500]` → { address, port }; PAN-OS prints endpoints as address[port] (reference/platforms.md §1.1, §1.2). */
export function endpointOf(address: string, port: string | undefined): Endpoint {
  const n = port !== undefined && /^\d{1,5}$/.test(port) ? Number(port) : undefined;
  return n !== undefined && n <= 65535 ? { address, port: n } : { address };
}

/** "2019/10/19 15:39:29" (System log) and "2016-03-01 14:32:24.890 +0800" (ikemgr.log) → seconds; zone-less stamps read as UTC, as the other dialects do. */
export function secondsOf(date: string, time: string, zone?: string): number | undefined {
  const z = zone && /^[+-]\d{4}$/.test(zone) ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone && /^(?:Z|[+-]\d{2}:\d{2})$/.test(zone) ? zone : 'Z';
  const ms = Date.parse(`${date.replace(/\//g, '-')}T${time}${z}`);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}
