import { describe, expect, it } from 'vitest';
import { EventStore } from '../../src/evidence/event-store.js';
import type { LogEvent, LogEventKind } from '../../src/evidence/log-events.js';

const ev = (kind: LogEventKind, line: number): LogEvent => ({ kind, at: { source: 'f', line }, impl: 'strongswan', data: {} }) as unknown as LogEvent;

/** Adds events written as the assertions read them: 'kind@line', in order. */
function addAll(store: EventStore, ...events: string[]): void {
  for (const e of events) {
    const [kind, line] = e.split('@');
    store.add(ev(kind as LogEventKind, Number(line)));
  }
}

describe('EventStore', () => {
  it('keeps the first and the last events of each kind, in line order, and counts the rest', () => {
    const store = new EventStore(2, 2);
    // packet: lines 1..7 (2 first, 2 last kept, 3 dropped); dpd: lines 10..13 (2 + 2, none dropped); give-up: once
    for (let n = 1; n <= 7; n++) store.add(ev('packet', n));
    for (let n = 10; n <= 13; n++) store.add(ev('dpd', n));
    store.add(ev('give-up', 20));
    expect(store.events().map((e) => `${e.kind}@${e.at.line}`)).toEqual(['packet@1', 'packet@2', 'packet@6', 'packet@7', 'dpd@10', 'dpd@11', 'dpd@12', 'dpd@13', 'give-up@20']);
    expect([...store.droppedCounts()]).toEqual([['packet', 3]]);
  });

  it('lists dropped kinds in the order their first event was dropped', () => {
    const store = new EventStore(1, 1);
    // 'dpd' overflows its head first, 'packet' is the first to drop one
    addAll(store, 'dpd@1', 'packet@2', 'dpd@3', 'packet@4', 'packet@5', 'dpd@6', 'dpd@7');
    expect([...store.droppedCounts()]).toEqual([['packet', 1], ['dpd', 2]]);
    expect(store.events().map((e) => e.at.line)).toEqual([1, 2, 5, 7]);
  });

  it('keeps events of one line in the order they were added', () => {
    const store = new EventStore(1, 1);
    addAll(store, 'message@5', 'packet@5', 'message@6', 'packet@6');
    expect(store.events().map((e) => `${e.kind}@${e.at.line}`)).toEqual(['message@5', 'packet@5', 'message@6', 'packet@6']);
  });
});
