// The interactive view's first complete screen against `--format text`, on the same
// input, both on a real pseudo-terminal (util-linux `script`) of 120×40:
//   - text: from spawn until the process has printed the report and ended;
//   - UI:   from spawn until the screen shows the finished verdict (the counts without
//           "so far") and the key help; then `q` is typed.
// Runs alternate (text, UI, text, UI, …) so load on the machine hits both alike; the
// medians and their ratio are printed. Issue 15 asks for a ratio of at most 1.5.
// Usage: node bench/ui.mjs [runs] [log]   (after `npm run build`; run.mjs builds)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 7);
const input = process.argv[3] ?? 'samples/lab-psk-mismatch/right.log';
const cli = join(root, 'dist/src/cli.js');

if (spawnSync('script', ['--version'], { stdio: 'ignore' }).status !== 0) {
  console.log('UI first screen vs --format text: skipped, util-linux `script` (a pty) is not installed');
  process.exit(0);
}
if (!existsSync(cli)) {
  console.log('UI first screen vs --format text: skipped, dist/ is not built (npm run build)');
  process.exit(0);
}

const quote = (s) => `'${s.replace(/'/g, "'\\''")}'`;
/** The finished verdict line: counts without "so far" (Verdict.tsx), and the key help's last key. */
const FIRST_SCREEN = /\d+ errors?, \d+ warnings?, \d+ info(?! so far)[\s\S]*q quit/;

function inPty(args, until) {
  return new Promise((resolve, reject) => {
    const cmd = `stty cols 120 rows 40; exec env -u CI -u NO_COLOR TERM=xterm-256color ${[process.execPath, cli, ...args].map(quote).join(' ')}`;
    const started = performance.now();
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: root, stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    let at;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ${until ? 'first screen' : 'exit'} within 60 s:\n${out.slice(-1000)}`));
    }, 60000);
    child.stdout.on('data', (d) => {
      out += d;
      if (until && at === undefined && until.test(out)) {
        at = performance.now() - started;
        child.stdin.write('q');
      }
    });
    child.on('close', () => {
      clearTimeout(timer);
      if (until && at === undefined) reject(new Error(`the UI ended without its first screen:\n${out.slice(-1000)}`));
      else resolve(until ? at : performance.now() - started);
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const text = [];
const ui = [];
// one of each first, not counted: the page cache and V8's code cache warm alike for both
await inPty(['--log', input, '--format', 'text']);
await inPty(['--log', input], FIRST_SCREEN);
for (let i = 0; i < runs; i++) {
  text.push(await inPty(['--log', input, '--format', 'text']));
  ui.push(await inPty(['--log', input], FIRST_SCREEN));
}
const t = median(text);
const u = median(ui);
console.log(`UI first screen vs --format text (${input}, ${runs} runs each, medians, pty 120×40):`);
console.log(`  --format text    ${t.toFixed(0)} ms   (${text.map((x) => x.toFixed(0)).join(' ')})`);
console.log(`  UI first screen  ${u.toFixed(0)} ms   (${ui.map((x) => x.toFixed(0)).join(' ')})`);
console.log(`  ratio            ${(u / t).toFixed(2)}× (goal ≤ 1.5×)`);
