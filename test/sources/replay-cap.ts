/**
 * The `cap` binding's JavaScript surface driven by a real capture file instead of
 * a network card, so the live source (ring, counters, writer, saveCapture) runs
 * unprivileged. Frames take the path binding.cc's EmitPacket takes: copied into
 * the one buffer handed to open(), cut at its length (truncated = true), then
 * emitted as ('packet', copiedLength, truncated) — and the buffer is reused for the
 * next frame, as libpcap does. Real libpcap is exercised by live-capture.test.ts.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createPcapReader } from '../../src/wire/pcap.js';
import { type CapturedFrame, frameBytes } from '../../src/evidence/packet-types.js';
import type { CapHandle, CapModule } from '../../src/sources/live/cap-binding.js';

export function readPcapFrames(bytes: Uint8Array): CapturedFrame[] {
  const frames: CapturedFrame[] = [];
  const r = createPcapReader('mem', { frame: (f) => frames.push({ ...f, data: frameBytes(f), offset: 0 }), diagnostic: () => {} });
  r.push(bytes);
  r.end();
  return frames;
}

export interface ReplayCap {
  module: CapModule;
  /** emits the next `n` frames of the file (all remaining when omitted); returns how many */
  emit(n?: number): number;
  frames: CapturedFrame[];
}

export function replayCap(pcapPath: string, devices: string[], linkName = 'ETHERNET'): ReplayCap {
  const frames = readPcapFrames(readFileSync(pcapPath));
  let handle: (EventEmitter & { buffer?: Buffer }) | undefined;
  let next = 0;
  class Cap extends EventEmitter implements CapHandle {
    buffer?: Buffer;
    static deviceList() {
      return devices.map((name) => ({ name }));
    }
    open(_device: string, _filter: string, _bufSize: number, buffer: Buffer): string {
      this.buffer = buffer;
      handle = this;
      return linkName;
    }
    close() {
      handle = undefined;
    }
  }
  return {
    module: { Cap },
    frames,
    emit(n = frames.length - next) {
      let sent = 0;
      for (; sent < n && next < frames.length && handle?.buffer; sent++, next++) {
        const f = frames[next];
        const len = Math.min(f.data.length, handle.buffer.length);
        handle.buffer.set(f.data.subarray(0, len));
        handle.emit('packet', len, len < f.data.length);
      }
      return sent;
    },
  };
}
