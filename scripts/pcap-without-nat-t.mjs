#!/usr/bin/env node
/**
 * Rewrites a lab capture of peers that forced UDP encapsulation (strongSwan kernel-libipsec:
 * IKE floats to UDP 4500 and ESP travels in UDP, RFC 3948) into what the same exchange looks like
 * between peers that use the kernel's own ESP with no NAT on the path — for samples that put a lab
 * peer's real traffic next to a box (F5 BIG-IP AFM) whose log shows plain ESP:
 *
 * - ESP in UDP 4500 → ESP (IP protocol 50): the 8-byte UDP header removed, SPI, sequence numbers
 *   and encrypted payload untouched;
 * - IKE on UDP 4500 → IKE on UDP 500: the 4-byte non-ESP marker removed (RFC 3948 §2.2);
 * - the NAT_DETECTION_SOURCE_IP / _DESTINATION_IP hashes of IKE_SA_INIT recomputed for the
 *   addresses and port 500 actually used, SHA-1(SPIi | SPIr | IP | port) (RFC 7296 §2.23): the
 *   forcing peer faked its source hash, which would read as a NAT once ESP is plain.
 *
 * IPv4 header checksums are recomputed; the UDP checksum of a rewritten datagram is set to 0 (none,
 * allowed over IPv4; the lab's were offloaded and wrong anyway). Other frames are copied as they are.
 * Ethernet (linktype 1) pcap files only. Usage: node scripts/pcap-without-nat-t.mjs in.pcap out.pcap
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: pcap-without-nat-t.mjs in.pcap out.pcap');
  process.exit(2);
}
const buf = readFileSync(input);
const le = buf.readUInt32LE(0) === 0xa1b2c3d4;
if (!le && buf.readUInt32BE(0) !== 0xa1b2c3d4) throw new Error('not a microsecond pcap file');
const u32 = (b, o) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
const w32 = (b, v, o) => (le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
if (u32(buf, 20) !== 1) throw new Error('Ethernet captures only');

const out = [buf.subarray(0, 24)];
let changed = 0;
for (let off = 24; off + 16 <= buf.length; ) {
  const caplen = u32(buf, off + 8);
  const frame = Buffer.from(buf.subarray(off + 16, off + 16 + caplen));
  const rewritten = rewrite(frame);
  const header = Buffer.from(buf.subarray(off, off + 16));
  if (rewritten !== frame) {
    changed++;
    const shrink = frame.length - rewritten.length;
    w32(header, rewritten.length, 8);
    w32(header, u32(header, 12) - shrink, 12);
  }
  out.push(header, rewritten);
  off += 16 + caplen;
}
writeFileSync(output, Buffer.concat(out));
console.error(`${changed} frames rewritten`);

function rewrite(frame) {
  if (frame.readUInt16BE(12) !== 0x0800) return frame;
  const ip = 14;
  const ihl = (frame[ip] & 0x0f) * 4;
  if (frame[ip + 9] !== 17) return frame;
  const udp = ip + ihl;
  const sport = frame.readUInt16BE(udp);
  const dport = frame.readUInt16BE(udp + 2);
  const body = udp + 8;
  let result;
  if (sport === 4500 || dport === 4500) {
    if (frame.length >= body + 4 && frame.readUInt32BE(body) === 0) {
      // IKE behind the non-ESP marker: drop the marker, back to port 500
      result = Buffer.concat([frame.subarray(0, body), frame.subarray(body + 4)]);
      result.writeUInt16BE(500, udp);
      result.writeUInt16BE(500, udp + 2);
    } else {
      // ESP in UDP: drop the UDP header, IP protocol 50
      result = Buffer.concat([frame.subarray(0, udp), frame.subarray(body)]);
      result[ip + 9] = 50;
      return fixIp(result, ip, ihl);
    }
  } else if (sport === 500 && dport === 500) {
    result = Buffer.from(frame);
  } else return frame;
  fixNatD(result, ip, body);
  result.writeUInt16BE(result.length - udp, udp + 4);
  result.writeUInt16BE(0, udp + 6);
  return fixIp(result, ip, ihl);
}

/** IKEv2 IKE_SA_INIT: recompute the NAT-D notify hashes for the packet's own addresses and port 500. */
function fixNatD(frame, ip, ike) {
  if (frame.length < ike + 28 || frame[ike + 18] !== 34) return; // exchange type 34: IKE_SA_INIT
  const spis = frame.subarray(ike, ike + 16);
  const src = frame.subarray(ip + 12, ip + 16);
  const dst = frame.subarray(ip + 16, ip + 20);
  const port = Buffer.from([0x01, 0xf4]);
  let next = frame[ike + 16];
  let p = ike + 28;
  while (next !== 0 && p + 4 <= frame.length) {
    const len = frame.readUInt16BE(p + 2);
    if (len < 4) return;
    if (next === 41) {
      const spiSize = frame[p + 5];
      const type = frame.readUInt16BE(p + 6);
      const data = p + 8 + spiSize;
      if ((type === 16388 || type === 16389) && data + 20 <= p + len) {
        const addr = type === 16388 ? src : dst;
        createHash('sha1').update(Buffer.concat([spis, addr, port])).digest().copy(frame, data);
      }
    }
    next = frame[p];
    p += len;
  }
}

function fixIp(frame, ip, ihl) {
  frame.writeUInt16BE(frame.length - ip, ip + 2);
  frame.writeUInt16BE(0, ip + 10);
  let sum = 0;
  for (let i = 0; i < ihl; i += 2) sum += frame.readUInt16BE(ip + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  frame.writeUInt16BE(~sum & 0xffff, ip + 10);
  return frame;
}
