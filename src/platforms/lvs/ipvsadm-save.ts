/**
 * `ipvsadm -S -n` (and `-S` without -n): the virtual server table as the commands
 * `ipvsadm -R` restores, one service or real server a line. ipvsadm 1.31 (ipvsadm.c
 * print_service_entry with FMT_RULE) writes
 *
 *   -A -u 192.0.2.1:500 -s rr -p 300          (-M mask, --pe, -o, -b flags when set)
 *   -a -u 192.0.2.1:500 -r 10.0.0.5:500 -m -w 1   (-g / -i, `--tun-type gue --tun-port N …`)
 *   -A -f 1 -s rr        -A -f 1 -6 …           (firewall-mark services)
 *
 * `-S` itself never writes `--set` (list_all prints services only), but restore files
 * written by hand and command sequences (`ipvsadm -A …` lines, as in ipvsadm(8)'s
 * examples) carry `--set tcp tcpfin udp`, long options and edits: all are read here with
 * ipvsadm's defaults — `-g` when no forwarding switch is given, 300 s for `-p` without a
 * value (ipvsadm(8) `-g`, `-p`).
 */
import type { Diagnostic } from '../../evidence/types.js';
import type { IpvsFacts, IpvsForwarding, IpvsProtocol, IpvsRead, IpvsReader, IpvsRealServer, IpvsService, IpvsTimeouts } from '../../evidence/ipvs-types.js';
import { FORWARD_SWITCH, numberOr, parseAddrPort, refAt, serviceKey, valueAt } from './common.js';

const DECODER = 'ipvsadm-save';
/** ipvsadm(8) `-p`: "otherwise the default of 300 seconds will be used" */
const DEFAULT_PERSISTENCE = 300;

const COMMAND = /^\s*(?:ipvsadm\s+)?(-A|--add-service|-E|--edit-service|-D|--delete-service|-a|--add-server|-e|--edit-server|-d|--delete-server)\s+(-t|--tcp-service|-u|--udp-service|--sctp-service|-f|--fwmark-service)\s+\S+/;
const SET = /^\s*(?:ipvsadm\s+)?--set\s+\d+\s+\d+\s+\d+\s*$/;
const CLEAR = /^\s*(?:ipvsadm\s+)?(-C|--clear)\s*$/;

export function sniffIpvsadmSave(lines: readonly string[]): number {
  return lines.filter((l) => COMMAND.test(l) || SET.test(l)).length;
}

const PROTO_OPTION: Record<string, IpvsProtocol> = { '-t': 'tcp', '--tcp-service': 'tcp', '-u': 'udp', '--udp-service': 'udp', '--sctp-service': 'sctp' };
/** options that take a value, so the value is not read as an option */
const WITH_VALUE = new Set(['-s', '--scheduler', '-M', '--netmask', '--pe', '-b', '--sched-flags', '-r', '--real-server', '-w', '--weight', '-x', '--u-threshold', '-y', '--l-threshold', '--tun-type', '--tun-port']);
const FLAGS = new Set(['-6', '--ipv6', '-o', '--ops', '-n', '--numeric', '--tun-nocsum', '--tun-csum', '--tun-remcsum']);

class SaveReader {
  readonly services = new Map<string, IpvsService>();
  timeouts?: IpvsTimeouts;
  lines = 0;
  unparsed = 0;
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly source: string) {}

  feed(text: string): void {
    const no = ++this.lines;
    if (/^\s*(#.*)?$/.test(text)) return;
    const words = text.trim().split(/\s+/);
    if (words[0] === 'ipvsadm') words.shift();
    const at = refAt(this.source, no, text);
    if (CLEAR.test(text)) return void this.services.clear();
    if (SET.test(text)) return this.set(words, at);
    if (!COMMAND.test(text)) return this.unread(no, `not an ipvsadm rule: ${text.trim().slice(0, 80)}`);
    const opts = this.options(words.slice(1), no);
    if (!opts) return;
    const service = this.serviceOf(opts, no);
    if (!service) return;
    const key = serviceKey(service);
    const cmd = words[0];
    if (cmd === '-A' || cmd === '--add-service' || cmd === '-E' || cmd === '--edit-service') {
      const known = this.services.get(key);
      const s: IpvsService = known && cmd !== '-A' && cmd !== '--add-service' ? known : { ...service, at, realServers: known?.realServers ?? [] };
      this.applyService(s, opts, at);
      this.services.set(key, s);
    } else if (cmd === '-D' || cmd === '--delete-service') this.services.delete(key);
    else {
      const s = this.services.get(key);
      // ipvsadm -R refuses a real server of a service it has not added ("Service not defined")
      if (!s) return this.diagnose(no, `real server for ${words[2]} ${words[3]}, a service not added before this line: ipvsadm -R would refuse it`);
      const rs = this.realServer(opts, at, no);
      if (!rs) return;
      const i = s.realServers.findIndex((r) => r.address === rs.address && (r.port ?? 0) === (rs.port ?? 0));
      if (cmd === '-d' || cmd === '--delete-server') {
        if (i >= 0) s.realServers.splice(i, 1);
      } else if (i >= 0) s.realServers[i] = cmd === '-e' || cmd === '--edit-server' ? { ...s.realServers[i], ...rs, forwarding: opts.has('fwd') ? rs.forwarding : s.realServers[i].forwarding } : rs;
      else s.realServers.push(rs);
    }
  }

  facts(): IpvsFacts {
    return { source: this.source, format: 'ipvsadm-save', services: [...this.services.values()], ...(this.timeouts ? { timeouts: this.timeouts } : {}), lines: this.lines, unparsed: this.unparsed };
  }

  /** `--set tcp tcpfin udp`: "A timeout value 0 means that the current timeout value of the corresponding entry is preserved" (ipvsadm(8)). */
  private set(words: string[], at: IpvsFacts['services'][number]['at']): void {
    const [tcp, tcpFin, udp] = words.slice(1, 4).map(Number);
    const t: IpvsTimeouts = {};
    if (tcp) t.tcp = valueAt(tcp, at);
    if (tcpFin) t.tcpFin = valueAt(tcpFin, at);
    if (udp) t.udp = valueAt(udp, at);
    this.timeouts = { ...this.timeouts, ...t };
  }

  /** option → value ('' for a flag); `fwd` holds the forwarding switch; `-p` may or may not take a value. */
  private options(words: string[], no: number): Map<string, string> | undefined {
    const opts = new Map<string, string>();
    for (let i = 0; i < words.length; i++) {
      const w = words[i];
      if (PROTO_OPTION[w] || w === '-f' || w === '--fwmark-service') opts.set('service', w), opts.set('serviceArg', words[++i] ?? '');
      else if (FORWARD_SWITCH[w]) opts.set('fwd', w);
      else if (w === '-p' || w === '--persistent') opts.set('-p', /^\d+$/.test(words[i + 1] ?? '') ? words[++i] : '');
      else if (WITH_VALUE.has(w)) {
        if (words[i + 1] === undefined) return void this.unread(no, `option ${w} without its value`);
        opts.set(w.startsWith('--') ? longToShort(w) : w, words[++i]);
      } else if (FLAGS.has(w)) opts.set(w.startsWith('--') ? longToShort(w) : w, '');
      else return void this.unread(no, `unknown ipvsadm option '${w}'`);
    }
    return opts;
  }

  private serviceOf(opts: Map<string, string>, no: number): Omit<IpvsService, 'at' | 'realServers'> | undefined {
    const kind = opts.get('service')!;
    const arg = opts.get('serviceArg')!;
    if (kind === '-f' || kind === '--fwmark-service') {
      const mark = numberOr(arg);
      if (mark === undefined) return void this.unread(no, `firewall mark '${arg}' is not a number`);
      return { fwmark: mark, family: opts.has('-6') ? 6 : 4 };
    }
    const ap = parseAddrPort(arg);
    if (!ap) return void this.unread(no, `cannot read the service address '${arg}'`);
    if (ap.port === undefined) this.diagnose(no, `service port '${ap.portName}' is a name this reader does not know (run ipvsadm with -n for numbers)`);
    return { protocol: PROTO_OPTION[kind], address: ap.address, ...(ap.port !== undefined ? { port: ap.port } : {}), family: ap.family };
  }

  private applyService(s: IpvsService, opts: Map<string, string>, at: IpvsService['at']): void {
    if (opts.has('-s')) s.scheduler = valueAt(opts.get('-s')!, at);
    if (opts.has('-p')) s.persistence = opts.get('-p') ? valueAt(Number(opts.get('-p')), at) : valueAt(DEFAULT_PERSISTENCE, at, true);
    if (opts.has('-M')) s.netmask = opts.get('-M');
    if (opts.has('-o')) s.onePacket = at;
  }

  private realServer(opts: Map<string, string>, at: IpvsService['at'], no: number): IpvsRealServer | undefined {
    const arg = opts.get('-r');
    if (arg === undefined) return void this.unread(no, 'a real server line without -r');
    const ap = parseAddrPort(arg);
    if (!ap) return void this.unread(no, `cannot read the real server address '${arg}'`);
    const fwd = opts.get('fwd');
    // ipvsadm(8): "-g, --gatewaying  Use gatewaying (direct routing). This is the default."
    const forwarding = valueAt<IpvsForwarding>(fwd ? FORWARD_SWITCH[fwd] : 'route', at, !fwd);
    const weight = numberOr(opts.get('-w'));
    return { address: ap.address, ...(ap.port !== undefined ? { port: ap.port } : {}), forwarding, ...(weight !== undefined ? { weight } : {}), at };
  }

  private unread(line: number, message: string): void {
    this.unparsed++;
    this.diagnose(line, message);
  }

  private diagnose(line: number, message: string): void {
    if (this.diagnostics.length < 50) this.diagnostics.push({ at: { source: this.source, line }, decoder: DECODER, message });
  }
}

function longToShort(w: string): string {
  return ({ '--scheduler': '-s', '--netmask': '-M', '--sched-flags': '-b', '--real-server': '-r', '--weight': '-w', '--u-threshold': '-x', '--l-threshold': '-y', '--ipv6': '-6', '--ops': '-o', '--numeric': '-n' } as Record<string, string>)[w] ?? w;
}

export function readIpvsadmSave(lines: Iterable<string>, source: string): IpvsRead {
  const r = new SaveReader(source);
  for (const l of lines) r.feed(l);
  return { facts: r.facts(), diagnostics: r.diagnostics };
}

export const ipvsadmSaveReader: IpvsReader = { format: 'ipvsadm-save', name: 'ipvsadm -S -n', sniff: sniffIpvsadmSave, read: readIpvsadmSave };
