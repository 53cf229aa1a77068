/** Pings between the inner addresses, through the tunnel. */
import { run } from './exec.js';
import { ADDR, type Namespaces } from './topology.js';
import type { TrafficStep } from './scenario-types.js';

export interface PingResult extends TrafficStep {
  transmitted: number;
  received: number;
  afterFault: boolean;
}

export async function ping(ns: Namespaces, step: TrafficStep): Promise<{ transmitted: number; received: number }> {
  const [src, dst] = step.from === 'left' ? [ADDR.leftInner, ADDR.rightInner] : [ADDR.rightInner, ADDR.leftInner];
  const argv = ['ip', 'netns', 'exec', ns[step.from], 'ping', '-n', '-q', '-c', String(step.count), '-i', '0.2', '-W', '1', '-s', String(step.size), '-I', src];
  if (step.df) argv.push('-M', 'do');
  const r = await run([...argv, dst], { check: false, timeoutMs: 30_000 });
  const m = /(\d+) packets transmitted, (\d+) received/.exec(r.stdout);
  if (!m) throw new Error(`ping printed no statistics: ${r.stdout.trim()} ${r.stderr.trim()}`);
  return { transmitted: Number(m[1]), received: Number(m[2]) };
}

