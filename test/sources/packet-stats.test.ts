/**
 * libpcap's own received/dropped counters (src/sources/live/packet-stats.ts).
 *
 * Pure parts on real /proc text: /proc/net/packet and the readlink targets of
 * /proc/self/fd as read on this project's machine (Linux 6.18) while a tcpdump
 * (inode 896112, on lo) and two cap handles (`-i any`: cooked SOCK_DGRAM 895357;
 * `lo`: SOCK_RAW 895360) were capturing; the accumulation of reset-on-read counters.
 *
 * For real (root, `ip`, cap and the addon built): a capture on the loopback of a
 * network namespace created here, its consumer deliberately stalled (the event loop
 * busy-waits, so cap's libpcap callback cannot run) while a UDP blaster inside the
 * same namespace sends 20,000 datagrams to a socket on 127.0.0.1. libpcap's ring
 * overflows; the kernel counts it; the /proc/net/dev proxy does not. Nothing leaves
 * the namespace.
 */
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  accumulate,
  describeUnavailable,
  findNewPacketSocket,
  loadPacketStatsAddon,
  parseProcNetPacket,
  PcapStatsUnavailable,
  readSocketFds,
  socketFds,
  socketInode,
  socketReader,
  watchPacketSocket,
} from '../../src/sources/live/packet-stats.js';
import { useNetns } from './netns-fixture.js';

const ROOT = join(import.meta.dirname, '..', '..');

const PROC_NET_PACKET = `sk               RefCnt Type Proto  Iface R Rmem   User   Inode
00000000d4a28c6c 3      3    0003   1     1 0      0      896112
000000005796aa69 3      2    0003   0     1 0      0      895357
000000004b4c66be 3      3    0003   1     1 0      0      895360
`;

/** readlink of /proc/self/fd/* in the same process: the cap handles are fds 19 and 20; 18 was readdir's own, gone by readlink */
const FD_LINKS: Array<[string, string | undefined]> = [
  ['0', '/dev/null'], ['1', '/tmp/bash_jobs.0/fc5aa2d0263e/stdout'], ['2', '/tmp/bash_jobs.0/fc5aa2d0263e/stderr'],
  ['3', 'anon_inode:[eventpoll]'], ['4', 'pipe:[895350]'], ['5', 'pipe:[895350]'], ['8', 'anon_inode:[eventfd]'],
  ['11', 'pipe:[896230]'], ['13', 'anon_inode:[eventfd]'], ['14', 'anon_inode:[eventpoll]'], ['18', undefined],
  ['19', 'socket:[895357]'], ['20', 'socket:[895360]'], ['251', 'pipe:[896108]'],
];

describe('finding libpcap\'s socket (real /proc text)', () => {
  it('reads the Inode column of /proc/net/packet by its header', () => {
    expect([...parseProcNetPacket(PROC_NET_PACKET)]).toEqual([896112, 895357, 895360]);
    // an empty namespace: header only
    expect(parseProcNetPacket('sk               RefCnt Type Proto  Iface R Rmem   User   Inode\n').size).toBe(0);
    // a layout without the column says nothing rather than reading the wrong one
    expect(parseProcNetPacket('sk RefCnt Type\n00000000d4a28c6c 3 3\n').size).toBe(0);
    expect(parseProcNetPacket('').size).toBe(0);
  });

  it('keeps only sockets from /proc/self/fd, skipping pipes, anon inodes and vanished fds', () => {
    expect(socketInode('socket:[895357]')).toBe(895357);
    expect(socketInode('pipe:[895350]')).toBeUndefined();
    expect(socketInode('anon_inode:[eventpoll]')).toBeUndefined();
    expect([...socketFds(FD_LINKS)]).toEqual([[19, 895357], [20, 895360]]);
  });

  it('the one new packet socket is libpcap\'s; none or two new ones is "not found", never a guess', () => {
    const packet = parseProcNetPacket(PROC_NET_PACKET);
    const after = socketFds(FD_LINKS);
    const before = new Map([[19, 895357]]); // the `-i any` handle was already open
    expect(findNewPacketSocket(before, after, packet)).toEqual({ fd: 20, inode: 895360 });
    // both handles opened in the window: which one is ours cannot be told
    expect(findNewPacketSocket(new Map(), after, packet)).toBeUndefined();
    // a new socket that is not a packet socket (a UDP socket opened meanwhile) is not libpcap's
    expect(findNewPacketSocket(before, new Map([...after, [21, 999999]]), packet)).toEqual({ fd: 20, inode: 895360 });
    // nothing new (cap replaced by a replay in tests)
    expect(findNewPacketSocket(after, after, packet)).toBeUndefined();
    // an fd number reused for a new socket counts as new: inodes are compared, not fd numbers
    expect(findNewPacketSocket(new Map([[20, 123]]), new Map([[20, 895360]]), packet)).toEqual({ fd: 20, inode: 895360 });
  });

  it('reads this process\'s own /proc/self/fd: a socket opened in between shows up with its fd', async () => {
    const before = readSocketFds();
    expect(before).toBeInstanceOf(Map);
    const udp = createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    try {
      const after = readSocketFds()!;
      const added = [...after].filter(([, inode]) => ![...before!.values()].includes(inode));
      expect(added).toHaveLength(1);
      // a UDP socket is not in /proc/net/packet, so it is never taken for libpcap's
      expect(findNewPacketSocket(before!, after, new Set())).toBeUndefined();
    } finally {
      udp.close();
    }
  });
});

describe('summing reset-on-read PACKET_STATISTICS (as pcap_stats_linux keeps ps_recv/ps_drop)', () => {
  it('adds every read; tp_freeze_q_cnt only once a TPACKET_V3 read had it', () => {
    let t = { received: 0, dropped: 0, reads: 0 };
    for (const r of [{ packets: 40000, drops: 39936 }, { packets: 0, drops: 0 }, { packets: 12, drops: 0 }]) t = accumulate(t, r);
    expect(t).toEqual({ received: 40012, dropped: 39936, reads: 3 });
    expect(accumulate(t, { packets: 5, drops: 1, freezeQueue: 2 })).toEqual({ received: 40017, dropped: 39937, freezeQueue: 2, reads: 4 });
    // 32-bit kernel counters summed in a double: no wrap in the total
    expect(accumulate({ received: 2 ** 32 - 1, dropped: 0, reads: 1 }, { packets: 10, drops: 0 }).received).toBe(2 ** 32 + 9);
  });

  it('says why the counters are missing off Linux, without the addon, or without a new packet socket', () => {
    expect(watchPacketSocket({ platform: 'darwin' })().unavailable()).toEqual({ code: PcapStatsUnavailable.NotLinux, detail: undefined });
    const noAddon = watchPacketSocket({ platform: 'linux', addon: () => 'not built' })();
    expect(noAddon.totals()).toBeUndefined();
    expect(describeUnavailable(noAddon.unavailable()!)).toMatch(/^the native\/packet-stats addon is not built \(it needs g\+\+, make and python3/);
    const noSocket = watchPacketSocket({ platform: 'linux', addon: () => ({ packetStatistics: () => ({ packets: 0, drops: 0 }) }), socketFds: () => socketFds(FD_LINKS), procNetPacket: () => PROC_NET_PACKET })();
    expect(noSocket.unavailable()?.code).toBe(PcapStatsUnavailable.SocketNotFound);
  });
});

const addon = loadPacketStatsAddon();
describe.skipIf(typeof addon === 'string')('the native addon on real sockets', () => {
  it('a socket that is not a packet socket: the read fails with the kernel\'s errno text and the totals are withdrawn', async () => {
    if (typeof addon === 'string') return;
    const before = readSocketFds()!;
    const udp = createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    try {
      const [fd, inode] = [...readSocketFds()!].find(([, i]) => ![...before.values()].includes(i))!;
      expect(() => addon.packetStatistics(fd)).toThrow(/^getsockopt\(\d+, SOL_PACKET, PACKET_STATISTICS\): (Operation not supported|Protocol not available)$/);
      const reader = socketReader(addon, { fd, inode }, () => readSocketFds()?.get(fd));
      reader.poll();
      expect(reader.totals()).toBeUndefined();
      expect(describeUnavailable(reader.unavailable()!)).toMatch(/^reading PACKET_STATISTICS failed: getsockopt\(\d+, SOL_PACKET, PACKET_STATISTICS\): (Operation not supported|Protocol not available)$/);
    } finally {
      udp.close();
    }
    expect(() => addon.packetStatistics(-1)).toThrow(RangeError);
    expect(() => (addon.packetStatistics as (fd: unknown) => unknown)('3')).toThrow(TypeError);
  });

  it('never reads an fd that is no longer libpcap\'s socket', () => {
    if (typeof addon === 'string') return;
    const reader = socketReader(addon, { fd: 0, inode: 895360 }, () => undefined);
    reader.poll();
    expect(reader.unavailable()).toEqual({ code: PcapStatsUnavailable.ReadFailed, detail: 'fd 0 is no longer libpcap\'s socket' });
  });
});

const isRoot = process.getuid?.() === 0;
const hasIp = spawnSync('ip', ['-V']).status === 0;
const capLoads = spawnSync(process.execPath, ['-e', "require('cap')"], { cwd: ROOT }).status === 0;
const floodReason = !isRoot ? 'not root' : !hasIp ? 'iproute2 (ip) missing' : !capLoads ? "the optional 'cap' addon does not load" : typeof addon === 'string' ? `native/packet-stats ${addon === 'not built' ? 'not built' : `does not load: ${addon}`}; node native/build.mjs builds it` : '';
if (floodReason) console.warn(`packet-stats: skipping the libpcap drop-counter flood test (${floodReason})`);

// CI installs the toolchain (.ci/run) and `npm ci` runs native/build.mjs: there a missing addon is a failure, not a skip
it.runIf(process.env.CI === 'true' && isRoot && capLoads)('CI: npm ci built native/packet-stats', () => {
  expect(typeof addon === 'string' ? addon : 'built').toBe('built');
});

/** Binds 127.0.0.1:40000 (so no ICMP answers add frames) and sends N 1000-byte datagrams to it; prints how many were sent. */
const BLASTER = `
const dgram = require('node:dgram');
const n = Number(process.argv[1]);
const payload = Buffer.alloc(1000, 0x5a);
const rx = dgram.createSocket('udp4');
rx.on('message', () => {});
rx.bind(40000, '127.0.0.1', async () => {
  const tx = dgram.createSocket('udp4');
  let sent = 0;
  for (let b = 0; b < n; b += 500) {
    await new Promise((done) => {
      let left = Math.min(500, n - b);
      for (let i = left; i > 0; i--) tx.send(payload, 40000, '127.0.0.1', (err) => { if (!err) sent++; if (--left === 0) done(); });
    });
  }
  process.stdout.write(String(sent));
  process.exit(0);
});`;

describe.skipIf(Boolean(floodReason))('libpcap drop counters for real: a flooded loopback in a network namespace, a stalled consumer', () => {
  const { ns, dir } = useNetns('ipsecdoc-pstats');

  it('libpcap: received = every filtered frame (twice on lo), dropped > 0, while the /proc/net/dev proxy sees no drop', () => {
    const N = 20000;
    const script = join(dir, 'flood.mts');
    writeFileSync(script, `
import { spawn } from 'node:child_process';
import { startLiveCapture } from ${JSON.stringify(join(ROOT, 'src', 'sources', 'live-capture.ts'))};
import { readIfaceRx } from ${JSON.stringify(join(ROOT, 'src', 'sources', 'live', 'iface-drops.ts'))};
// the cap reader, whose counters native/packet-stats reads (the native reader calls pcap_stats() itself: native-capture.test.ts)
const capture = await startLiveCapture({ iface: 'lo', filter: 'udp port 40000', local: [], peer: [], ring: false, loadNativeReader: () => 'cap path under test' });
const before = readIfaceRx('lo')!;
const blaster = spawn(process.execPath, ['-e', ${JSON.stringify(BLASTER)}, '${N}'], { stdio: ['ignore', 'pipe', 'inherit'] });
let sent = '';
blaster.stdout.on('data', (d) => (sent += d));
// the slow consumer: while the event loop spins here, cap's libpcap callback cannot run and libpcap's ring fills
const until = Date.now() + 1500;
while (Date.now() < until);
await new Promise((r) => blaster.on('close', r));
// let libpcap hand over what its ring still holds, and the 250 ms ticks read the counters
await new Promise((r) => setTimeout(r, 700));
const during = capture.counters();
capture.stop();
const result = await capture.done;
const after = readIfaceRx('lo')!;
console.log(JSON.stringify({ sent: Number(sent), loRx: after.packets - before.packets, during, counters: result.input.counters, diagnostics: result.diagnostics.map((d) => d.message) }));
`);
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    const c = out.counters;
    console.log(`packet-stats flood: sent ${out.sent}, lo rx ${out.loRx}; libpcap received ${c.pcapReceived}, dropped ${c.pcapDropped}; handed over ${c.received}; proxy ifaceRxPackets ${c.ifaceRxPackets}, ifaceRxDrops ${c.ifaceRxDrops}`);
    expect(out.sent).toBe(N);
    // the namespace's lo carried exactly the datagrams sent (nothing else lives there)
    expect(out.loRx).toBe(N);
    expect(c.ifaceRxPackets).toBe(N);
    // the proxy: blind to libpcap's loss
    expect(c.ifaceRxDrops).toBe(0);
    // read during the capture already (the interval ticks), and summed: the kernel resets on
    // every read, so a total equal to every frame proves the reads were added up
    expect(out.during.pcapReceived).toBe(2 * N);
    // every datagram passed the filter, seen twice on lo (outgoing + incoming copy, libpcap drops the outgoing one)
    expect(c.pcapReceived).toBe(2 * N);
    expect(c.pcapDropped).toBeGreaterThan(0);
    expect(c.received).toBeLessThan(N);
    // consistent: every lost incoming copy is among the drops; every frame handed over had a ring slot
    expect(c.received).toBeGreaterThanOrEqual(N - c.pcapDropped);
    expect(c.received).toBeLessThanOrEqual(c.pcapReceived - c.pcapDropped);
    expect(c).not.toHaveProperty('pcapStatsUnavailable');
    expect(out.diagnostics).toContain(
      `libpcap dropped ${c.pcapDropped} of ${c.pcapReceived} frames that passed the capture filter (its socket's ring was full; kernel PACKET_STATISTICS, what pcap_stats() reports); on a loopback device libpcap counts each frame twice, outgoing and incoming copy: the capture is incomplete (a narrower --filter leaves the ring to fewer frames)`,
    );
  }, 90_000);
});
