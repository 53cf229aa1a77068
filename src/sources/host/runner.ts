/**
 * How host probes run commands: the real runner uses execFile (no shell) with a
 * timeout and an output cap; the recorded runner replays saved outputs for tests.
 * A missing command or missing privilege is a `skipped` result, never a throw.
 */
import { execFile } from 'node:child_process';

export interface CommandResult {
  status: 'ok' | 'skipped' | 'failed';
  stdout: string;
  stderr?: string;
  exitCode?: number;
  reason?: string;
}

export interface ProbeRunner {
  run(cmd: string, args: string[]): Promise<CommandResult>;
  /** whether the probes run with root privileges (xfrm and rulesets need CAP_NET_ADMIN) */
  readonly root: boolean;
  /** where configs and logs are looked for; the recorded runner sees no files */
  fileExists?(path: string): boolean;
}

const TIMEOUT_MS = 10_000;
const MAX_OUTPUT = 16 * 1024 * 1024;

export function commandLine(cmd: string, args: string[]): string {
  return [cmd, ...args.map((a) => (/[\s'"$\\|*?()^]/.test(a) ? `'${a.replace(/'/g, `'\\''`)}'` : a))].join(' ');
}

/** `prefix` runs every command through e.g. `ip netns exec NS` (tests in a throwaway namespace). */
export function execRunner(prefix: string[] = []): ProbeRunner {
  return {
    root: typeof process.getuid === 'function' && process.getuid() === 0,
    run(cmd, args) {
      const [file, ...rest] = [...prefix, cmd, ...args];
      return new Promise((resolve) => {
        execFile(file, rest, { timeout: TIMEOUT_MS, maxBuffer: MAX_OUTPUT, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }, (err, stdout, stderr) => {
          if (!err) return resolve({ status: 'ok', stdout, stderr });
          const e = err as NodeJS.ErrnoException & { code?: string | number; killed?: boolean };
          if (e.code === 'ENOENT') return resolve({ status: 'skipped', stdout: '', reason: `${cmd} is not installed` });
          if (e.code === 'EACCES') return resolve({ status: 'skipped', stdout: '', reason: `not allowed to run ${cmd}` });
          if (e.killed) return resolve({ status: 'failed', stdout, reason: `timed out after ${TIMEOUT_MS / 1000}s` });
          const msg = (stderr || e.message).split('\n').find((l) => l.trim()) ?? 'failed';
          const denied = /permission denied|operation not permitted|must be root|you must be root/i.test(msg);
          resolve({ status: denied ? 'skipped' : 'failed', stdout, stderr, exitCode: typeof e.code === 'number' ? e.code : undefined, reason: denied ? `needs root: ${msg.trim()}` : msg.trim().slice(0, 200) });
        });
      });
    },
  };
}

/** Replays recorded outputs keyed by command line; an unrecorded command is "not installed". */
export function recordedRunner(outputs: Record<string, string | CommandResult>, root = true): ProbeRunner {
  return {
    root,
    fileExists: () => false,
    async run(cmd, args) {
      const rec = outputs[commandLine(cmd, args)] ?? outputs[cmd];
      if (rec === undefined) return { status: 'skipped', stdout: '', reason: `${cmd} is not installed` };
      return typeof rec === 'string' ? { status: 'ok', stdout: rec } : rec;
    },
  };
}

/** Recorded outputs saved one file per command (a `host/` folder in a sample): file name → command line. */
export const RECORDED_FILES: Record<string, string> = {
  'ps.txt': 'ps -eo pid=,comm=,args=',
  'swanctl-version.txt': 'swanctl --version',
  'ipsec-version.txt': 'ipsec --version',
  'ss-uapnH.txt': 'ss -uapnH',
  // recorded before --host read counters, a plain `ip xfrm state` here is read the same way (it has none)
  'ip-xfrm-state.txt': 'ip -s xfrm state',
  'ip-xfrm-policy.txt': 'ip xfrm policy',
  'sysctl.txt': 'sysctl',
  'nft-j-list-ruleset.json': 'nft -j list ruleset',
  'iptables-save.txt': 'iptables-save',
  'ip6tables-save.txt': 'ip6tables-save',
  'journalctl.txt': 'journalctl',
  // one `ip route get ADDR` output after another; split per destination by recordedRunnerFromFiles
  'ip-route-get.txt': 'ip route get',
  // the default routes, asked only when no peer address is known
  'ip-4-route-show-default.txt': 'ip -4 route show default',
  'ip-6-route-show-default.txt': 'ip -6 route show default',
};

/** A recorded runner from a folder of RECORDED_FILES (a missing file = the command is not installed). */
export function recordedRunnerFromFiles(files: Record<string, string>, root = true): ProbeRunner {
  const outputs: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    if (name === 'ip-route-get.txt') Object.assign(outputs, routeOutputs(text));
    else if (RECORDED_FILES[name]) outputs[RECORDED_FILES[name]] = text;
  }
  return recordedRunner(outputs, root);
}

/** Each route starts at column 0 with its destination (or `local DEST`); indented lines (`cache`) belong to it. */
function routeOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let key = '';
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) {
      const words = line.trim().split(/\s+/);
      key = commandLine('ip', ['route', 'get', words[0] === 'local' ? words[1] : words[0]]);
      out[key] = '';
    }
    if (key) out[key] += `${line}\n`;
  }
  return out;
}
