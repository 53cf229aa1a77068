import type { LogEvent, LogEventKind } from './log-events.js';

/** What the store holds of one kind: its first events, then a ring of its latest ones. */
interface KindRecord {
  head: LogEvent[];
  ring: LogEvent[];
  next: number;
  dropped: number;
}

/**
 * Keeps memory flat on huge logs: per event kind it stores the first HEAD and the
 * last TAIL events (the start of a negotiation and the latest failure both matter)
 * and counts the rest. Rare kinds (failures) never reach the cap in practice.
 */
export class EventStore {
  // one Map lookup per event (a big log adds millions); the orders below are what the
  // separate maps this replaced iterated in: kinds by first event, by first tail event, by first drop
  private readonly kinds = new Map<LogEventKind, KindRecord>();
  private readonly tailOrder: LogEventKind[] = [];
  private readonly dropOrder: LogEventKind[] = [];

  constructor(private readonly headCap = 3000, private readonly tailCap = 300) {}

  add(e: LogEvent): void {
    let k = this.kinds.get(e.kind);
    if (!k) this.kinds.set(e.kind, (k = { head: [], ring: [], next: 0, dropped: 0 }));
    if (k.head.length < this.headCap) {
      k.head.push(e);
      return;
    }
    if (k.ring.length < this.tailCap) {
      if (k.ring.length === 0) this.tailOrder.push(e.kind);
      k.ring.push(e);
      return;
    }
    k.ring[k.next] = e;
    k.next = (k.next + 1) % this.tailCap;
    if (k.dropped++ === 0) this.dropOrder.push(e.kind);
  }

  /** All kept events in input order (by source, then line). */
  events(): LogEvent[] {
    const all: LogEvent[] = [];
    for (const k of this.kinds.values()) all.push(...k.head);
    for (const kind of this.tailOrder) all.push(...this.kinds.get(kind)!.ring);
    return all.sort((a, b) => (a.at.source === b.at.source ? (a.at.line ?? 0) - (b.at.line ?? 0) : 0));
  }

  droppedCounts(): Map<LogEventKind, number> {
    return new Map(this.dropOrder.map((kind) => [kind, this.kinds.get(kind)!.dropped]));
  }
}
