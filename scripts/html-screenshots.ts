/**
 * Screenshots of the HTML report in headless Chromium at 1280 and 800 px wide, to look at
 * how evidence, code spans and tables wrap:
 *   npx tsx scripts/html-screenshots.ts [OUT_DIR]      (default /tmp/ipsec-doctor-html-shots)
 * One page per case below, each from the real pipeline on a bundled sample. Chromium's
 * command line (`--screenshot`) shoots the window, so the window is made tall enough for
 * the whole page. Without Chromium (Debian package `chromium`, or CHROMIUM=/path) it says
 * so and exits 0, so CI without a browser skips it. test/reporters/html.test.ts runs it
 * when Chromium is there.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { diagnose, type RunOptions } from '../src/run.js';
import { htmlReporter } from '../src/reporters/html.js';

const ROOT = join(import.meta.dirname, '..');
export const WIDTHS = [1280, 800] as const;

/** Inputs chosen for long evidence lines, SPIs, commands in hints and many checks. */
export const CASES: Record<string, Partial<RunOptions>> = {
  'psk-mismatch': { logs: ['samples/lab-psk-mismatch/right.log'] },
  'esp-return-dropped': { logs: ['samples/lab-esp-return-dropped/left.log'], pcaps: ['samples/lab-esp-return-dropped/left.pcap'] },
  'firewall-mistakes': { configs: ['samples/firewall-iptables-gateway-mistakes/iptables-save.conf', 'samples/firewall-iptables-gateway-mistakes/moon.swanctl.conf'] },
};

export function findChromium(): string | undefined {
  const candidates = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean) as string[];
  return candidates.find((c) => existsSync(c));
}

/** Writes NAME-WIDTH.png (and NAME.html) into `out` for every case; returns the PNG paths. */
export async function shootAll(out: string, chromium: string, cases = CASES): Promise<string[]> {
  mkdirSync(out, { recursive: true });
  const shots: string[] = [];
  for (const [name, inputs] of Object.entries(cases)) {
    const report = await diagnose({ logs: [], pcaps: [], configs: [], host: false, local: [], peer: [], ...resolveInputs(inputs) });
    const page = join(out, `${name}.html`);
    writeFileSync(page, htmlReporter(report, { color: false }));
    for (const width of WIDTHS) {
      const png = join(out, `${name}-${width}.png`);
      shoot(chromium, page, png, width, 3000);
      shots.push(png);
    }
  }
  return shots;
}

function resolveInputs(o: Partial<RunOptions>): Partial<RunOptions> {
  const abs = (l?: string[]) => (l ?? []).map((p) => join(ROOT, p));
  return { ...o, logs: abs(o.logs), pcaps: abs(o.pcaps), configs: abs(o.configs) };
}

export function shoot(chromium: string, page: string, png: string, width: number, height: number): void {
  const profile = mkdtempSync(join(tmpdir(), 'ipsec-doctor-chromium-'));
  try {
    execFileSync(chromium, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--hide-scrollbars', `--user-data-dir=${profile}`, `--screenshot=${png}`,
      `--window-size=${width},${height}`, pathToFileURL(page).href,
    ], { stdio: 'pipe', timeout: 60000 });
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const chromium = findChromium();
  if (!chromium) {
    console.log('html-screenshots: skipped, no Chromium found (install the Debian package chromium, or set CHROMIUM=/path/to/chrome)');
  } else {
    const out = process.argv[2] ?? join(tmpdir(), 'ipsec-doctor-html-shots');
    for (const png of await shootAll(out, chromium)) console.log(png);
  }
}
