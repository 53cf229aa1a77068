/**
 * Issue 16 §1, "more generally": a decoder that throws on one frame costs that frame
 * only. Each packet decoder is made to throw once, on a real capture (test/fixtures/pcaps,
 * PROVENANCE.md), through the collector that both capture files and live capture use:
 * the frame becomes a located "malformed packet" diagnostic and the frames after it are
 * decoded as without the fault.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPacketCollector } from '../../src/wire/collector/packet-collector.js';
import { FragmentReassembler } from '../../src/wire/ip-fragments.js';
import type { CapturedFrame } from '../../src/evidence/packet-types.js';
import { framesOf } from './pcap-fixtures.js';

/** Which decoder throws, and on which of its calls (1-based). */
const fault = vi.hoisted(() => ({ decoder: '', onCall: 0, calls: 0 }));

function faulty<A extends unknown[], R>(name: string, real: (...args: A) => R): (...args: A) => R {
  return (...args: A) => {
    if (fault.decoder === name && ++fault.calls === fault.onCall) throw new RangeError(`${name} decoder fault injected by the test`);
    return real(...args);
  };
}

vi.mock('../../src/wire/link.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/wire/link.js')>();
  return { ...m, decodeLink: faulty('link', m.decodeLink) };
});
vi.mock('../../src/wire/ip.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/wire/ip.js')>();
  return { ...m, decodeIp: faulty('ip', m.decodeIp) };
});
vi.mock('../../src/wire/udp.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/wire/udp.js')>();
  return { ...m, decodeUdp: faulty('udp', m.decodeUdp) };
});
vi.mock('../../src/wire/esp.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/wire/esp.js')>();
  return { ...m, decodeEsp: faulty('esp', m.decodeEsp), decodeAh: faulty('ah', m.decodeAh) };
});
vi.mock('../../src/wire/icmp.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/wire/icmp.js')>();
  return { ...m, decodeIcmp: faulty('icmp', m.decodeIcmp) };
});
vi.mock('../../src/wire/ike.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/wire/ike.js')>();
  return { ...m, decodeIke: faulty('ike', m.decodeIke) };
});

function collect(frames: CapturedFrame[]) {
  const c = createPacketCollector({ local: [], peer: [] });
  for (const f of frames) c.addFrame({ ...f });
  const packets = c.finish();
  return { packets, diagnostics: c.diagnostics() };
}

const CASES: Array<{ decoder: string; capture: string; onCall: number }> = [
  { decoder: 'link', capture: 'ikev1-main-mode-psk-quick-mode.pcap', onCall: 2 },
  { decoder: 'ip', capture: 'ikev1-main-mode-psk-quick-mode.pcap', onCall: 2 },
  { decoder: 'udp', capture: 'ikev1-main-mode-psk-quick-mode.pcap', onCall: 2 },
  { decoder: 'ike', capture: 'ikev1-main-mode-psk-quick-mode.pcap', onCall: 2 },
  { decoder: 'esp', capture: 'ikev1-natt-float-4500-keepalive-one-way-esp.pcap', onCall: 2 },
  { decoder: 'ah', capture: 'ah-esp-tunnel-bidirectional.pcap', onCall: 2 },
  { decoder: 'icmp', capture: 'icmp-frag-needed-mtu500-from-vpn-gw.pcap', onCall: 1 },
  { decoder: 'ip-fragments', capture: 'ikev2-nat-auth-ipfrag-no-response.pcap', onCall: 2 },
];

describe('a decoder that throws loses one frame, not the capture', () => {
  afterEach(() => {
    fault.decoder = '';
    fault.calls = 0;
    vi.restoreAllMocks();
  });

  for (const { decoder, capture, onCall } of CASES) {
    it(`${decoder} (${capture})`, () => {
      const { frames } = framesOf(capture);
      const clean = collect(frames);
      fault.decoder = decoder;
      fault.onCall = onCall;
      fault.calls = 0;
      if (decoder === 'ip-fragments') {
        const real = FragmentReassembler.prototype.add;
        vi.spyOn(FragmentReassembler.prototype, 'add').mockImplementation(function (this: FragmentReassembler, ...args: Parameters<FragmentReassembler['add']>) {
          return faulty('ip-fragments', real.bind(this))(...args);
        });
      }
      let broken: ReturnType<typeof collect> | undefined;
      expect(() => (broken = collect(frames))).not.toThrow();
      expect(fault.calls).toBeGreaterThanOrEqual(onCall);
      const malformed = broken!.diagnostics.filter((d) => /malformed packet: the \S+ decoder failed/i.test(d.message));
      expect(malformed).toHaveLength(1);
      expect(malformed[0].decoder).toBe(decoder);
      expect(malformed[0].message).toContain('fault injected by the test');
      expect(malformed[0].at.source).toBe(capture);
      const at = malformed[0].at.frame!;
      expect(at).toBeGreaterThan(0);
      // every frame was read; at most the faulty one is missing from what was decoded
      expect(broken!.packets.counters.frames).toBe(clean.packets.counters.frames);
      const decoded = (p: typeof clean.packets) => p.counters.ike + p.counters.esp + p.counters.espInUdp + p.counters.ah + p.counters.icmpErrors + p.counters.ipFragments;
      expect(decoded(broken!.packets)).toBeGreaterThanOrEqual(decoded(clean.packets) - (decoder === 'ah' ? 2 : 1));
      // and the frames after the faulty one were decoded (a lost fragment also loses the datagram it completed)
      const later = (p: typeof clean.packets) => [...p.ikeMessages.map((m) => m.at.frame), ...p.espFlows.map((f) => f.last.frame), ...p.icmpErrors.map((e) => e.at.frame)].filter((n) => n > at).length;
      expect(later(broken!.packets)).toBeGreaterThanOrEqual(later(clean.packets) - (decoder === 'ip-fragments' ? 1 : 0));
      expect(later(clean.packets)).toBeGreaterThan(0);
    });
  }
});
