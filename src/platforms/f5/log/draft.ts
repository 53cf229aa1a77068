import type { LogEventData, LogEventKind } from '../../../evidence/log-events.js';

/** An event before the dialect adds where and when it was read. */
export type Draft = { [K in LogEventKind]: { kind: K; data: LogEventData[K] } }[LogEventKind];
