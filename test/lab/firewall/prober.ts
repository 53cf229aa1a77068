/**
 * Talks to probe.py (one JSON line each way). The helper is started by pid and
 * stopped by that pid only.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FwNamespaces } from './topology.js';

export const PROBE_PY = fileURLToPath(new URL('./probe.py', import.meta.url));
const REPLY_TIMEOUT_MS = 20_000;

export type NsKey = 'l' | 'm' | 'r';

export interface SendSpec {
  ns: NsKey;
  family: 4 | 6;
  kind: 'udp' | 'esp' | 'ah' | 'tcp' | 'icmp-error';
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  payload?: 'ike' | 'nat-t-ike' | 'esp-in-udp' | 'data';
  size?: number;
  df?: boolean;
  /** icmp-error: the packet the error quotes */
  inner?: Omit<SendSpec, 'ns' | 'inner'>;
}

export interface Expect {
  ns: NsKey;
  proto: number;
  icmp?: [number, number];
}

export interface ProbeReply {
  arrived: boolean;
  /** source address of the arrived packet */
  from?: string;
  /** sendto failed in the sender's namespace (EPERM: an OUTPUT rule dropped it) */
  sendError?: string;
}

export class Prober {
  private child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private waiting: Array<{ resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }> = [];
  private stderr = '';

  constructor(python: string) {
    this.child = spawn(python, [PROBE_PY], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (d: Buffer) => {
      this.buffer += d.toString();
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        this.waiting.shift()?.resolve(JSON.parse(line) as Record<string, unknown>);
      }
    });
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.child.on('close', () => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(`probe.py exited: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
  }

  private call(cmd: Record<string, unknown>): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`probe.py did not answer ${String(cmd.op)} within ${REPLY_TIMEOUT_MS} ms`)), REPLY_TIMEOUT_MS);
      this.waiting.push({
        resolve: (v) => {
          clearTimeout(timer);
          if (v.ok !== true) reject(new Error(`probe.py ${String(cmd.op)}: ${String(v.error)}`));
          else resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.stdin.write(`${JSON.stringify(cmd)}\n`);
    });
  }

  async init(ns: FwNamespaces): Promise<void> {
    await this.call({ op: 'init', ns });
  }

  async flush(ns: NsKey): Promise<string[]> {
    return (await this.call({ op: 'flush', ns })).errors as string[];
  }

  async probe(id: number, send: SendSpec, expect: Expect, waitMs: number): Promise<ProbeReply> {
    const r = await this.call({ op: 'probe', id, send, expect, waitMs });
    return { arrived: r.arrived === true, from: (r.from as string | null) ?? undefined, sendError: (r.sendError as string | null) ?? undefined };
  }

  /** every (ns, proto, icmp type, icmp code, id) seen so far, after waiting waitMs for stragglers */
  async sweep(waitMs: number): Promise<Array<[NsKey, number, number, number, number]>> {
    return (await this.call({ op: 'sweep', waitMs })).seen as Array<[NsKey, number, number, number, number]>;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const closed = new Promise((r) => this.child.once('close', r));
    this.child.stdin.end();
    const t = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await closed;
    clearTimeout(t);
  }
}
