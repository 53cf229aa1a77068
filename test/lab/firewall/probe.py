#!/usr/bin/env python3
"""
Probe helper of the firewall agreement lab (test/lab/firewall-agreement.test.ts).

Sends real packets between the lab's network namespaces and says which arrived.
One process per ruleset run: it opens raw receive sockets in every namespace it is
given (setns(2), then back), reads one JSON command per line on stdin and answers one
JSON line on stdout. Only the Python standard library: the packets are built here.

Commands:
  {"op": "init", "ns": {"l": NAME, "m": NAME, "r": NAME}}
  {"op": "flush", "ns": "m"}                        conntrack flush (ctnetlink), both families
  {"op": "probe", "id": N, "send": SPEC, "expect": {"ns": "r", "proto": 17, "icmp": [3, 4]?}, "waitMs": 150}
  {"op": "sweep", "waitMs": 300}                    every token seen so far, per namespace
SPEC: {"ns", "family", "kind": udp|esp|ah|tcp|icmp-error, "src", "dst", "sport"?, "dport"?,
       "payload": ike|nat-t-ike|esp-in-udp|data, "size"?, "df"?, "inner"?: SPEC (icmp-error)}

Every probe carries MAGIC + its id; an arrival is that token in the expected namespace
with the expected protocol (and ICMP type/code), so replies and errors the far host
sends back (port unreachable, RST) are never taken for the probe.
"""
import ctypes
import json
import os
import select
import socket
import struct
import sys
import time

MAGIC = b'IPDFW'
CLONE_NEWNET = 0x40000000
IP_MTU_DISCOVER, IP_PMTUDISC_DO = 10, 2
IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO = 23, 2
IPV6_CHECKSUM = 7
NETLINK_NETFILTER = 12
V4_PROTOS = (1, 6, 17, 50, 51)
V6_PROTOS = (58, 6, 17, 50, 51)

libc = ctypes.CDLL(None, use_errno=True)
HOME = os.open('/proc/self/ns/net', os.O_RDONLY)


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


class InNs:
    """Sockets created inside belong to that namespace for good."""

    def __init__(self, fd):
        self.fd = fd

    def __enter__(self):
        setns(self.fd)

    def __exit__(self, *exc):
        setns(HOME)


class Lab:
    def __init__(self, names):
        self.ns_fd = {key: os.open(f'/run/netns/{name}', os.O_RDONLY) for key, name in names.items()}
        self.receivers = []  # (socket, ns key, family, proto)
        for key, fd in self.ns_fd.items():
            with InNs(fd):
                for proto in V4_PROTOS:
                    self.receivers.append((self._rx(socket.AF_INET, proto), key, 4, proto))
                for proto in V6_PROTOS:
                    self.receivers.append((self._rx(socket.AF_INET6, proto), key, 6, proto))
        # (ns, proto, icmp type, icmp code, id) -> source address
        self.seen = {}

    @staticmethod
    def _rx(family, proto):
        s = socket.socket(family, socket.SOCK_RAW, proto)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        s.setblocking(False)
        return s

    def drain(self, timeout):
        socks = [r[0] for r in self.receivers]
        ready, _, _ = select.select(socks, [], [], timeout)
        for s in ready:
            _, key, family, proto = next(r for r in self.receivers if r[0] is s)
            while True:
                try:
                    data, addr = s.recvfrom(65535)
                except BlockingIOError:
                    break
                # an IPv4 raw socket reads the IP header too; IPv6 hands over the payload
                l4 = data[(data[0] & 0x0F) * 4:] if family == 4 else data
                icmp = (l4[0], l4[1]) if proto in (1, 58) and len(l4) >= 2 else (-1, -1)
                at = 0
                while True:
                    at = l4.find(MAGIC, at)
                    if at < 0 or at + 9 > len(l4):
                        break
                    pid = struct.unpack('!I', l4[at + 5:at + 9])[0]
                    self.seen.setdefault((key, proto, icmp[0], icmp[1], pid), addr[0])
                    at += 9
        return bool(ready)

    def arrived(self, pid, expect):
        icmp = tuple(expect.get('icmp') or (-1, -1))
        return self.seen.get((expect['ns'], expect['proto'], icmp[0], icmp[1], pid))

    def wait(self, pid, expect, wait_ms):
        deadline = time.monotonic() + wait_ms / 1000
        while True:
            src = self.arrived(pid, expect)
            if src is not None:
                return src
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.drain(left)

    def flush_conntrack(self, key):
        """IPCTNL_MSG_CT_DELETE without attributes: flush the namespace's conntrack table."""
        with InNs(self.ns_fd[key]):
            nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
        errors = []
        try:
            for seq, fam in enumerate((socket.AF_INET, socket.AF_INET6), 1):
                body = struct.pack('=BBH', fam, 0, 0)
                nl.send(struct.pack('=IHHII', 16 + len(body), (1 << 8) | 2, 0x1 | 0x4, seq, 0) + body)
                reply = nl.recv(65536)
                if len(reply) >= 20:
                    err = struct.unpack('=i', reply[16:20])[0]
                    # ENOENT: nothing tracked for that family
                    if err not in (0, -2):
                        errors.append(f'family {fam}: {os.strerror(-err)}')
        finally:
            nl.close()
        return errors

    def send(self, pid, spec):
        fam = socket.AF_INET if spec['family'] == 4 else socket.AF_INET6
        kind = spec['kind']
        with InNs(self.ns_fd[spec['ns']]):
            if kind == 'udp':
                s = socket.socket(fam, socket.SOCK_DGRAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if spec.get('df'):
                    if fam == socket.AF_INET:
                        s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)
                    else:
                        s.setsockopt(socket.IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO)
                s.bind((spec['src'], spec['sport']))
                payload = udp_payload(pid, spec)
            else:
                proto = {'esp': 50, 'ah': 51, 'tcp': 6, 'icmp-error': 1 if fam == socket.AF_INET else 58}[kind]
                s = socket.socket(fam, socket.SOCK_RAW, proto)
                if kind == 'tcp' and fam == socket.AF_INET6:
                    s.setsockopt(socket.IPPROTO_IPV6, IPV6_CHECKSUM, 16)
                s.bind((spec['src'], 0))
                payload = raw_payload(pid, spec)
        # a raw IPv6 socket reads the "port" as the protocol: 0 for every raw send
        port = spec.get('dport', 0) if kind == 'udp' else 0
        try:
            s.sendto(payload, (spec['dst'], port))
            return None
        except OSError as e:
            # EPERM: an OUTPUT rule dropped it (the kernel's verdict, not a harness error)
            return e.strerror
        finally:
            s.close()


def token(pid):
    return MAGIC + struct.pack('!I', pid)


def ike_header(pid):
    # IKEv2 IKE_SA_INIT request header (RFC 7296 §3.1): SPIi, SPIr = 0, next SA, version 2.0
    return struct.pack('!QQBBBBII', 0x1D0C7000 + pid, 0, 33, 0x20, 34, 0x08, 0, 28 + 9)


def udp_payload(pid, spec):
    body = {
        'ike': lambda: ike_header(pid) + token(pid),
        # RFC 3948 §2.2: IKE on 4500 starts with four zero octets (the non-ESP marker)
        'nat-t-ike': lambda: b'\0\0\0\0' + ike_header(pid) + token(pid),
        # RFC 3948 §2.1: ESP in UDP starts with a non-zero SPI
        'esp-in-udp': lambda: esp_body(pid),
        'data': lambda: token(pid),
    }[spec.get('payload', 'data')]()
    size = spec.get('size')
    return body + b'\0' * (size - len(body)) if size and size > len(body) else body


def esp_body(pid):
    return struct.pack('!II', 0x1000 + pid, 1) + token(pid) + b'\0' * 7


def raw_payload(pid, spec):
    kind = spec['kind']
    fam = spec['family']
    if kind == 'esp':
        return esp_body(pid)
    if kind == 'ah':
        # RFC 4302 §2: next header, payload length (32-bit words - 2), reserved, SPI, sequence,
        # 12-octet ICV; tunnel mode: the inner IP packet follows
        inner = ip_header(fam, 17, spec['src'], spec['dst'], 8 + 9) + struct.pack('!HHHH', 4000, 4000, 17, 0) + token(pid)
        return struct.pack('!BBHII', 4 if fam == 4 else 41, 4, 0, 0x2000 + pid, 1) + b'\0' * 12 + inner
    if kind == 'tcp':
        data = token(pid)
        hdr = struct.pack('!HHIIBBHHH', spec['sport'], spec['dport'], 0x10000 + pid, 0, 5 << 4, 0x02, 64240, 0, 0)
        if fam == 4:
            csum = checksum(pseudo4(spec['src'], spec['dst'], 6, len(hdr) + len(data)) + hdr + data)
            hdr = hdr[:16] + struct.pack('!H', csum) + hdr[18:]
        return hdr + data
    if kind == 'icmp-error':
        inner = spec['inner']
        iproto = {'udp': 17, 'esp': 50, 'ah': 51, 'tcp': 6}[inner['kind']]
        if inner['kind'] == 'udp':
            l4 = struct.pack('!HHHH', inner['sport'], inner['dport'], 1400, 0)
        elif inner['kind'] == 'tcp':
            l4 = struct.pack('!HHII', inner['sport'], inner['dport'], 0x10000 + pid, 0)
        else:
            l4 = struct.pack('!II', 0x1000 + pid, 1)
        quoted = ip_header(fam, iproto, inner['src'], inner['dst'], 1400 - (20 if fam == 4 else 40)) + l4 + token(pid)
        if fam == 4:
            # RFC 1191 §4: type 3 code 4 with the next-hop MTU
            msg = struct.pack('!BBHHH', 3, 4, 0, 0, 1280) + quoted
            return msg[:2] + struct.pack('!H', checksum(msg)) + msg[4:]
        # RFC 4443 §3.2: Packet Too Big, type 2 code 0, MTU; the kernel fills in the checksum
        return struct.pack('!BBHI', 2, 0, 0, 1280) + quoted
    raise ValueError(f'unknown probe kind {kind}')


def ip_header(fam, proto, src, dst, payload_len):
    if fam == 4:
        hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + payload_len, 0x1234, 0x4000, 64, proto, 0,
                          socket.inet_pton(socket.AF_INET, src), socket.inet_pton(socket.AF_INET, dst))
        return hdr[:10] + struct.pack('!H', checksum(hdr)) + hdr[12:]
    return struct.pack('!IHBB16s16s', 6 << 28, payload_len, proto, 64,
                       socket.inet_pton(socket.AF_INET6, src), socket.inet_pton(socket.AF_INET6, dst))


def pseudo4(src, dst, proto, length):
    return socket.inet_pton(socket.AF_INET, src) + socket.inet_pton(socket.AF_INET, dst) + struct.pack('!BBH', 0, proto, length)


def checksum(data):
    if len(data) % 2:
        data += b'\0'
    total = sum(struct.unpack(f'!{len(data) // 2}H', data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def main():
    lab = None
    for line in sys.stdin:
        cmd = json.loads(line)
        op = cmd['op']
        try:
            if op == 'init':
                lab = Lab(cmd['ns'])
                out = {'ok': True}
            elif op == 'flush':
                out = {'ok': True, 'errors': lab.flush_conntrack(cmd['ns'])}
            elif op == 'probe':
                pid = cmd['id']
                lab.drain(0)
                send_error = lab.send(pid, cmd['send'])
                src = lab.wait(pid, cmd['expect'], cmd.get('waitMs', 150))
                out = {'ok': True, 'arrived': src is not None, 'from': src, 'sendError': send_error}
            elif op == 'sweep':
                deadline = time.monotonic() + cmd.get('waitMs', 300) / 1000
                while time.monotonic() < deadline:
                    lab.drain(max(0, deadline - time.monotonic()))
                out = {'ok': True, 'seen': [list(k) for k in lab.seen]}
            else:
                out = {'ok': False, 'error': f'unknown op {op}'}
        except Exception as e:  # one line back to the harness, never a hang
            out = {'ok': False, 'error': f'{type(e).__name__}: {e}'}
        sys.stdout.write(json.dumps(out) + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
