// `npm run bench`: builds, then runs the log and capture benchmarks and prints the
// ratios against grep, tshark and tcpdump measured in the same run on the same files,
// then live capture against tcpdump at the same rates (root and network namespaces; it says
// when it cannot run), then the redaction benchmark (--redact per MiB at 1–10 MiB, and its
// doubling ratio), then the interactive view's first screen against --format text (bench/ui.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(1);
let failed = false;
for (const script of ['log.mjs', 'pcap.mjs', 'live.mjs', 'redact.mjs', 'ui.mjs']) {
  const path = join(root, 'bench', script);
  if (!existsSync(path)) {
    console.log(`bench: ${script} missing, skipped`);
    continue;
  }
  console.log(`\n## ${script}`);
  const r = spawnSync(process.execPath, [path, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
