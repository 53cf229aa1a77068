/**
 * Parses of text that repeats from line to line — a payload list ("SA KE No N(NATD_S_IP) …"),
 * a proposal list, an address and port — done once and shared by every event that carries
 * them (issue 21 §2). On a busy gateway the same few lists come back for every SA: sharing
 * them spares the parse and, above all, keeps one copy where each event held its own (the
 * message, packet and proposal events were most of the bytes the store kept and most of
 * what the garbage collector moved). The shared values are frozen: an event's data is read,
 * never written, and a consumer that tried would fail loudly instead of changing other events.
 */
export class SharedParses<V> {
  private readonly values = new Map<string, V>();

  constructor(
    private readonly parse: (text: string) => V,
    /** distinct texts kept; past it the cache starts again (a log of ever-new texts costs one parse each, as before) */
    private readonly cap = 1024,
  ) {}

  get(text: string): V {
    let v = this.values.get(text);
    if (v === undefined) {
      if (this.values.size >= this.cap) this.values.clear();
      v = deepFreeze(this.parse(text));
      this.values.set(text, v);
    }
    return v;
  }
}

function deepFreeze<V>(value: V): V {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
