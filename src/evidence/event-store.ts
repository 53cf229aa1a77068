import type { LogEvent, LogEventKind } from './log-events.js';

/**
 * Keeps memory flat on huge logs: per event kind it stores the first HEAD and the
 * last TAIL events (the start of a negotiation and the latest failure both matter)
 * and counts the rest. Rare kinds (failures) never reach the cap in practice.
 */
export class EventStore {
  private readonly head = new Map<LogEventKind, LogEvent[]>();
  private readonly tail = new Map<LogEventKind, { ring: LogEvent[]; next: number; seen: number }>();
  private readonly dropped = new Map<LogEventKind, number>();

  constructor(private readonly headCap = 3000, private readonly tailCap = 300) {}

  add(e: LogEvent): void {
    let h = this.head.get(e.kind);
    if (!h) this.head.set(e.kind, (h = []));
    if (h.length < this.headCap) {
      h.push(e);
      return;
    }
    let t = this.tail.get(e.kind);
    if (!t) this.tail.set(e.kind, (t = { ring: [], next: 0, seen: 0 }));
    t.seen++;
    if (t.ring.length < this.tailCap) {
      t.ring.push(e);
    } else {
      t.ring[t.next] = e;
      t.next = (t.next + 1) % this.tailCap;
      this.dropped.set(e.kind, (this.dropped.get(e.kind) ?? 0) + 1);
    }
  }

  /** All kept events in input order (by source, then line). */
  events(): LogEvent[] {
    const all: LogEvent[] = [];
    for (const h of this.head.values()) all.push(...h);
    for (const t of this.tail.values()) all.push(...t.ring);
    return all.sort((a, b) => (a.at.source === b.at.source ? (a.at.line ?? 0) - (b.at.line ?? 0) : 0));
  }

  droppedCounts(): Map<LogEventKind, number> {
    return this.dropped;
  }
}
